CREATE TABLE membership (
    account_id bigint NOT NULL,
    team_id bigint NOT NULL,
    role text
);

CREATE TABLE event (
    id bigint NOT NULL,
    at timestamptz NOT NULL,
    CONSTRAINT event_pkey PRIMARY KEY (id)
);

-- parent's key is renamed: child's foreign key, which depends on it, is dropped and re-added.
CREATE TABLE parent (
    id integer,
    CONSTRAINT parent_pkey PRIMARY KEY (id)
);
CREATE TABLE child (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES parent (id)
);

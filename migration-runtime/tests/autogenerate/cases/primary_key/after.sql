CREATE TABLE membership (
    account_id bigint NOT NULL,
    team_id bigint NOT NULL,
    role text,
    CONSTRAINT pk_membership PRIMARY KEY (account_id, team_id)
);

CREATE TABLE event (
    id bigint NOT NULL,
    at timestamptz NOT NULL,
    CONSTRAINT event_pkey PRIMARY KEY (id, at)
);

CREATE TABLE parent (
    id integer,
    CONSTRAINT pk_parent PRIMARY KEY (id)
);
CREATE TABLE child (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES parent (id)
);

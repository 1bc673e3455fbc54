CREATE TABLE customer (
    id integer PRIMARY KEY,
    name text NOT NULL,
    street text
);

CREATE TABLE old_events (
    id integer,
    kind text,
    at timestamptz
);

CREATE TABLE customer (
    id integer PRIMARY KEY,
    name text NOT NULL,
    street_address text
);

CREATE TABLE events (
    id integer,
    kind text,
    at timestamptz
);

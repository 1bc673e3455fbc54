CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE place (
    id integer PRIMARY KEY,
    name citext NOT NULL,
    code citext UNIQUE
);

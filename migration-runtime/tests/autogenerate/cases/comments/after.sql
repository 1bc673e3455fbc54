CREATE TABLE account (
    id integer PRIMARY KEY,
    email text,
    name text
);
COMMENT ON TABLE account IS 'one row per customer';
COMMENT ON COLUMN account.name IS 'the customer''s display name';

CREATE TABLE team (id integer PRIMARY KEY);
COMMENT ON TABLE team IS 'groups of accounts';

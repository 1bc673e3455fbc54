CREATE TABLE account (
    id integer PRIMARY KEY,
    email text,
    name text
);
COMMENT ON TABLE account IS 'old description';
COMMENT ON COLUMN account.email IS 'login';

CREATE TABLE team (id integer PRIMARY KEY);

CREATE TABLE account (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    nickname varchar(50),
    last_login timestamptz,
    login_count integer NOT NULL DEFAULT 0,
    tags text[] DEFAULT '{}'
);
COMMENT ON COLUMN account.last_login IS 'set on each login';

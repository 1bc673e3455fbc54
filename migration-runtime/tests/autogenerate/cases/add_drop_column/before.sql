CREATE TABLE account (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    nickname varchar(50),
    legacy_flag boolean DEFAULT false
);

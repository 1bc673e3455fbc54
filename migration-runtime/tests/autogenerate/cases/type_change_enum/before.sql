CREATE TABLE ticket (
    id integer PRIMARY KEY,
    state text NOT NULL DEFAULT 'open',
    tags varchar(20)[]
);

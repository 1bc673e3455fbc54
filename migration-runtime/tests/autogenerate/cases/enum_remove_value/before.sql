CREATE TYPE shade AS ENUM ('light', 'medium', 'dark');

CREATE TABLE paint (
    id integer PRIMARY KEY,
    shade shade NOT NULL DEFAULT 'light'
);

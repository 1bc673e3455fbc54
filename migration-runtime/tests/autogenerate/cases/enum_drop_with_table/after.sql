-- task and its enum go; size stays, as note still uses it.
CREATE TYPE size AS ENUM ('s', 'm', 'l');

CREATE TABLE note (
    id integer PRIMARY KEY,
    size size
);

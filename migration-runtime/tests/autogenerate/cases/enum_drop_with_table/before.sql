CREATE TYPE priority AS ENUM ('low', 'high');
CREATE TYPE size AS ENUM ('s', 'm', 'l');

CREATE TABLE task (
    id integer PRIMARY KEY,
    priority priority NOT NULL,
    size size
);

CREATE TABLE note (
    id integer PRIMARY KEY,
    size size
);

CREATE TYPE status AS ENUM ('draft', 'published');

CREATE TABLE post (
    id integer PRIMARY KEY,
    status status NOT NULL DEFAULT 'draft',
    history status[]
);

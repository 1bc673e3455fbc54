CREATE TYPE ticket_state AS ENUM ('open', 'closed');

CREATE TABLE ticket (
    id integer PRIMARY KEY,
    -- text to enum: no assignment cast, so the default is dropped and set around the change
    state ticket_state NOT NULL DEFAULT 'open',
    tags text[]
);

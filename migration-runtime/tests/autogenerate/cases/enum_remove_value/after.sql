-- 'medium' goes: PostgreSQL cannot drop a label, so the type is re-created.
CREATE TYPE shade AS ENUM ('light', 'dark');

CREATE TABLE paint (
    id integer PRIMARY KEY,
    shade shade NOT NULL DEFAULT 'light'
);

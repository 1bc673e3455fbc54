CREATE TABLE settings (
    id integer PRIMARY KEY,
    theme text DEFAULT 'light',
    retries integer,
    created_at timestamptz,
    enabled boolean DEFAULT true,
    ratio numeric(4, 2) DEFAULT 1.5,
    token uuid
);

CREATE TABLE settings (
    id integer PRIMARY KEY,
    theme text DEFAULT 'dark',
    retries integer DEFAULT 3,
    created_at timestamptz DEFAULT now(),
    enabled boolean,
    ratio numeric(4, 2) DEFAULT -0.5,
    token uuid DEFAULT gen_random_uuid()
);

CREATE TABLE doc (
    id integer PRIMARY KEY,
    title text,
    body text,
    tags text[],
    data jsonb,
    owner_id integer,
    created_at timestamptz,
    deleted_at timestamptz,
    score integer
);
CREATE INDEX doc_title_idx ON doc (title);
CREATE INDEX doc_score_idx ON doc (score);

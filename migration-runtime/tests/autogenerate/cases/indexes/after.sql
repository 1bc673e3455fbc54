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
-- changed: dropped and created again
CREATE INDEX doc_title_idx ON doc (title, id);
-- expression
CREATE INDEX ix_doc_lower_title ON doc (lower(title));
CREATE INDEX ix_doc_score_id ON doc ((score + id));
-- partial
CREATE INDEX ix_doc_live ON doc (owner_id) WHERE deleted_at IS NULL AND score > 0;
-- gin, with an operator class
CREATE INDEX ix_doc_tags ON doc USING gin (tags);
CREATE INDEX ix_doc_data ON doc USING gin (data jsonb_path_ops);
-- include, descending
CREATE INDEX ix_doc_owner_created ON doc (owner_id, created_at DESC NULLS LAST) INCLUDE (title);
-- unique, nulls not distinct
CREATE UNIQUE INDEX ux_doc_owner_title ON doc (owner_id, title) NULLS NOT DISTINCT;
-- other methods
CREATE INDEX ix_doc_score ON doc USING hash (score);
CREATE INDEX ix_doc_created_brin ON doc USING brin (created_at);

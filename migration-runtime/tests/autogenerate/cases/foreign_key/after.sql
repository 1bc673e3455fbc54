CREATE TABLE author (
    id integer PRIMARY KEY,
    code text UNIQUE
);

CREATE TABLE book (
    id integer PRIMARY KEY,
    author_id integer,
    editor_id integer,
    author_code text,
    old_ref integer,
    CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id)
        ON DELETE CASCADE ON UPDATE RESTRICT,
    CONSTRAINT book_editor_fk FOREIGN KEY (editor_id) REFERENCES author (id)
        ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT book_author_code_fk FOREIGN KEY (author_code) REFERENCES author (code)
        MATCH FULL ON UPDATE CASCADE ON DELETE SET DEFAULT DEFERRABLE
);

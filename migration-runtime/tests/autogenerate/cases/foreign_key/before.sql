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
    CONSTRAINT book_author_fk FOREIGN KEY (author_id) REFERENCES author (id),
    CONSTRAINT book_old_ref_fk FOREIGN KEY (old_ref) REFERENCES author (id)
);

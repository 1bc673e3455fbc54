CREATE TABLE task (
    id integer PRIMARY KEY,
    title text,
    notes text NOT NULL,
    done boolean
);

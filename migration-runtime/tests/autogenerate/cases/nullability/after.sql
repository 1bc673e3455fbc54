CREATE TABLE task (
    id integer PRIMARY KEY,
    title text NOT NULL,
    notes text,
    done boolean NOT NULL DEFAULT false
);

CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated');

CREATE TABLE account (
    id integer PRIMARY KEY,
    mood mood DEFAULT 'happy'
);

CREATE TABLE review (
    id integer PRIMARY KEY,
    rating mood NOT NULL,
    history mood[]
);

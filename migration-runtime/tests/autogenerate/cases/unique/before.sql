CREATE TABLE person (
    id integer PRIMARY KEY,
    email text,
    phone text,
    tax_id text,
    CONSTRAINT person_phone_key UNIQUE (phone)
);

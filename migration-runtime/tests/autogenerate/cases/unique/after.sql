CREATE TABLE person (
    id integer PRIMARY KEY,
    email text,
    phone text,
    tax_id text,
    CONSTRAINT uq_person_email UNIQUE (email),
    CONSTRAINT uq_person_tax_id UNIQUE NULLS NOT DISTINCT (tax_id),
    CONSTRAINT uq_person_email_phone UNIQUE (email, phone) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE counter (
    id serial PRIMARY KEY,
    n integer NOT NULL,
    m bigint GENERATED ALWAYS AS IDENTITY (START WITH 10),
    k integer GENERATED ALWAYS AS IDENTITY
);

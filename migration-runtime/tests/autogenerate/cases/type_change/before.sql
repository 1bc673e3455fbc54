CREATE TABLE product (
    id integer PRIMARY KEY,
    code varchar(20) NOT NULL,
    price numeric(8, 2) DEFAULT 0,
    stock integer NOT NULL DEFAULT 0,
    weight real,
    sku text,
    ref_count smallint
);

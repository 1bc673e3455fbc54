CREATE TABLE product (
    -- widened: integer to bigint, varchar(20) to varchar(40), numeric(8, 2) to numeric(10, 2)
    id bigint PRIMARY KEY,
    code varchar(40) NOT NULL,
    price numeric(10, 2) DEFAULT 0,
    stock bigint NOT NULL DEFAULT 0,
    weight double precision,
    -- narrowed: a warning
    sku varchar(12),
    ref_count text
);

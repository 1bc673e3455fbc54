CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY,
    email varchar(100) NOT NULL,
    CONSTRAINT pk_account PRIMARY KEY (id)
);

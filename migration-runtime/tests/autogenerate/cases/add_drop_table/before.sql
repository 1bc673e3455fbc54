CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY,
    email varchar(200) NOT NULL,
    CONSTRAINT pk_account PRIMARY KEY (id)
);

CREATE TABLE legacy_audit (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES account (id),
    message text NOT NULL
);
CREATE INDEX legacy_audit_account_idx ON legacy_audit (account_id);

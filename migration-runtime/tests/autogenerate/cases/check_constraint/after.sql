CREATE TABLE account (
    id integer PRIMARY KEY CHECK (id > 0),
    balance numeric,
    status text,
    CONSTRAINT account_balance_check CHECK (balance >= -100),
    CONSTRAINT ck_account_status CHECK (status IN ('open', 'closed') AND (balance IS NOT NULL OR status = 'closed'))
);

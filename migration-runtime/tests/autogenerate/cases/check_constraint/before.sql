CREATE TABLE account (
    id integer PRIMARY KEY,
    balance numeric,
    status text,
    CONSTRAINT account_balance_check CHECK (balance >= 0),
    CONSTRAINT account_old_check CHECK (id < 1000000)
);

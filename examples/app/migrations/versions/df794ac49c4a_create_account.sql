-- create account
--
-- Revision ID: df794ac49c4a
-- Revises:
-- Create Date: 2026-11-22 01:48:24.326153+00:00
-- Branch Labels:
-- Depends On:

-- migrate:upgrade
CREATE TABLE account (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Built without blocking writes; the migrator runs it outside the transaction.
CREATE UNIQUE INDEX CONCURRENTLY ix_account_email ON account (lower(email));

-- migrate:downgrade
DROP TABLE account;


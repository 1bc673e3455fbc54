CREATE SCHEMA app;
CREATE TYPE app.role AS ENUM ('admin', 'member');
CREATE SEQUENCE app.badge_number;

CREATE TABLE account (
    id integer PRIMARY KEY,
    primary_member_id integer
);

CREATE TABLE app.member (
    id integer PRIMARY KEY,
    account_id integer NOT NULL REFERENCES public.account (id) ON DELETE CASCADE,
    role app.role NOT NULL DEFAULT 'member',
    roles app.role[],
    badge bigint DEFAULT nextval('app.badge_number')
);
CREATE INDEX member_role_idx ON app.member (role) WHERE role = 'admin';
COMMENT ON TABLE app.member IS 'accounts in the app schema';

-- A foreign key from the default schema into app.
ALTER TABLE account ADD CONSTRAINT account_primary_member_fk
    FOREIGN KEY (primary_member_id) REFERENCES app.member (id);

-- No contrib extension on PostgreSQL 15 ships a table, so this makes objects members of
-- citext the way PostGIS's script makes spatial_ref_sys one of postgis's: pg_depend
-- deptype 'e'. Autogenerate must neither drop them nor recreate them.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY, auth_name varchar(256));
ALTER EXTENSION citext ADD TABLE spatial_ref_sys;
CREATE TYPE extension_kind AS ENUM ('a', 'b');
ALTER EXTENSION citext ADD TYPE extension_kind;
CREATE SEQUENCE extension_counter;
ALTER EXTENSION citext ADD SEQUENCE extension_counter;

CREATE TABLE place (
    id integer PRIMARY KEY,
    name citext NOT NULL
);

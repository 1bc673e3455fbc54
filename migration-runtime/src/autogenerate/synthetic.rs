//! A generated schema of any size, for benchmarks and tests of large schemas.

use std::fmt::Write as _;

/// `schema.sql` text declaring `tables` tables that use most object kinds: an enum type and
/// a sequence shared by all, and per table an identity primary key, a foreign key to the
/// previous table, a unique constraint, a check, a partial index, a GIN index, defaults
/// and comments (eight columns, six constraints and indexes each).
///
/// `cargo xtask bench` times [`introspect`](crate::introspect::introspect) and
/// [`compare`](super::compare) on it:
///
/// ```
/// let sql = migration_runtime::autogenerate::synthetic_schema_sql(3);
/// assert_eq!(sql.matches("CREATE TABLE").count(), 3);
/// ```
pub fn synthetic_schema_sql(tables: usize) -> String {
    let mut sql = String::from(
        "CREATE TYPE synthetic_status AS ENUM ('active', 'suspended', 'closed');\n\
         CREATE SEQUENCE synthetic_number START WITH 1000;\n",
    );
    for i in 0..tables {
        let name = format!("synthetic_{i:05}");
        let parent = if i == 0 {
            String::new()
        } else {
            format!(
                "    parent_id bigint REFERENCES synthetic_{:05} (id) ON DELETE CASCADE,\n",
                i - 1
            )
        };
        let _ = write!(
            sql,
            "\nCREATE TABLE {name} (\n\
             \x20   id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
             {parent}\
             \x20   code varchar(40) NOT NULL UNIQUE,\n\
             \x20   name text NOT NULL DEFAULT '',\n\
             \x20   status synthetic_status NOT NULL DEFAULT 'active',\n\
             \x20   amount numeric(12, 2) CHECK (amount >= 0),\n\
             \x20   tags text[] NOT NULL DEFAULT '{{}}',\n\
             \x20   created_at timestamptz NOT NULL DEFAULT now()\n\
             );\n\
             CREATE INDEX {name}_created_idx ON {name} (created_at) WHERE status <> 'closed';\n\
             CREATE INDEX {name}_tags_idx ON {name} USING gin (tags);\n\
             COMMENT ON TABLE {name} IS 'synthetic table {i}';\n\
             COMMENT ON COLUMN {name}.code IS 'the public code';\n"
        );
    }
    sql
}

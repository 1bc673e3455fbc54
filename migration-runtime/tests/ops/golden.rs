//! The SQL of every operation, as one table.
//!
//! Cases marked `// Alembic:` were compared with the output of Alembic 1.20.1 and
//! SQLAlchemy 2.1.9: the same operations written as an Alembic revision, run with
//! `alembic upgrade head --sql` against a `postgresql://` URL, with a `target_metadata`
//! carrying the default naming convention. Every statement Alembic printed appears below
//! verbatim, except that our `CREATE TABLE` lines have no trailing space. Variants Alembic
//! has no option for (`CASCADE` on drops, `IF EXISTS` on `drop_column`) are ours. Cases marked
//! `// SQLAlchemy:` were compared with SQLAlchemy's PostgreSQL DDL compiler for constructs
//! Alembic has no `op` for (`CreateSequence`, `CreateSchema`, `CreateEnumType`). The rest
//! have no Alembic equivalent, or deviate on purpose (said where they do).

use migration_runtime::dialect::{Dialect, Postgres, VersionTable};
use migration_runtime::ops::{Op, OpError, Operation, Value};
use migration_runtime::schema::{
    CheckConstraint, Column, ForeignKey, Identity, IndexElement, IndexMethod, NamingConvention,
    PrimaryKey, ReferentialAction, Type, UniqueConstraint, f,
};

/// Renders every statement of the recorded operations as offline SQL, prefixed with
/// `[autocommit] ` when it must run outside the transaction.
fn render(op: Op) -> Result<Vec<String>, OpError> {
    let mut lines = Vec::new();
    for operation in op.finish()? {
        for statement in Postgres.statements(&operation)? {
            let sql = statement.render_offline(&Postgres);
            lines.push(if statement.transactional {
                sql
            } else {
                format!("[autocommit] {sql}")
            });
        }
    }
    Ok(lines)
}

#[track_caller]
fn check_with(convention: NamingConvention, record: impl FnOnce(&mut Op), expect: &[&str]) {
    let mut op = Op::with_naming_convention(convention);
    record(&mut op);
    match render(op) {
        Ok(actual) => assert_eq!(actual, expect),
        Err(err) => panic!("unexpected error: {err}"),
    }
}

/// With the default naming convention.
#[track_caller]
fn check(record: impl FnOnce(&mut Op), expect: &[&str]) {
    check_with(NamingConvention::default(), record, expect);
}

/// Without a naming convention, as Alembic's default `MetaData()`.
#[track_caller]
fn check_unnamed(record: impl FnOnce(&mut Op), expect: &[&str]) {
    check_with(NamingConvention::none(), record, expect);
}

#[test]
fn every_operation_renders_the_sql_alembic_emits() {
    // Alembic: reference §2.3, `create account table`.
    check_unnamed(
        |op| {
            op.create_table(
                "account",
                [
                    Column::new("id", Type::Serial).primary_key(),
                    Column::new("name", Type::varchar(50)).not_null(),
                    Column::new("description", Type::varchar(200)),
                ],
            );
        },
        &[
            "CREATE TABLE account (\n    id SERIAL NOT NULL,\n    name VARCHAR(50) NOT NULL,\n    description VARCHAR(200),\n    PRIMARY KEY (id)\n)",
        ],
    );

    // Alembic: identity, defaults, quoting, comments, every constraint kind, the naming
    // convention filling pk, ck and an unnamed fk, and f() keeping names as given.
    check(
        |op| {
            op.create_table(
                "t1",
                [
                    Column::new("id", Type::BigInt)
                        .identity(Identity::always())
                        .primary_key(),
                    Column::new("id2", Type::BigInt)
                        .identity(Identity::by_default())
                        .not_null(),
                    Column::new("uid", Type::Uuid)
                        .server_default("gen_random_uuid()")
                        .not_null(),
                    Column::new("name", Type::varchar(50)).comment("the name"),
                    Column::new("price", Type::numeric(10, 2)).server_default_value("0"),
                    Column::new("flag", Type::Boolean).server_default("false"),
                    Column::new("parent_id", Type::BigInt),
                    Column::new("order", Type::Text),
                    Column::new("Mixed", Type::Text),
                ],
            )
            .schema("app")
            .comment("table one")
            .if_not_exists()
            .constraint(UniqueConstraint::new(["name"]).name(f("uq_t1_name")))
            .constraint(CheckConstraint::new("price >= 0").name("price"))
            .constraint(
                ForeignKey::new(["parent_id"], "t1", ["id"]).on_delete(ReferentialAction::SetNull),
            )
            .constraint(
                ForeignKey::new(["parent_id"], "other", ["id"])
                    .referred_schema("app")
                    .name(f("fk_named"))
                    .on_update(ReferentialAction::Cascade)
                    .initially_deferred(),
            );
        },
        &[
            "CREATE TABLE IF NOT EXISTS app.t1 (\n    id BIGINT GENERATED ALWAYS AS IDENTITY,\n    id2 BIGINT GENERATED BY DEFAULT AS IDENTITY,\n    uid UUID DEFAULT gen_random_uuid() NOT NULL,\n    name VARCHAR(50),\n    price NUMERIC(10, 2) DEFAULT '0',\n    flag BOOLEAN DEFAULT false,\n    parent_id BIGINT,\n    \"order\" TEXT,\n    \"Mixed\" TEXT,\n    CONSTRAINT pk_t1 PRIMARY KEY (id),\n    CONSTRAINT uq_t1_name UNIQUE (name),\n    CONSTRAINT ck_t1_price CHECK (price >= 0),\n    CONSTRAINT fk_t1_parent_id_t1 FOREIGN KEY(parent_id) REFERENCES t1 (id) ON DELETE SET NULL,\n    CONSTRAINT fk_named FOREIGN KEY(parent_id) REFERENCES app.other (id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED\n)",
            "COMMENT ON TABLE app.t1 IS 'table one'",
            "COMMENT ON COLUMN app.t1.name IS 'the name'",
        ],
    );

    // Alembic: every column type (SQLAlchemy's names for them).
    check(
        |op| {
            op.create_table(
                "types",
                [
                    Column::new("a", Type::SmallInt),
                    Column::new("b", Type::Integer),
                    Column::new("c", Type::BigInt),
                    Column::new("e", Type::numeric(10, 2)),
                    Column::new(
                        "e2",
                        Type::Numeric {
                            precision: None,
                            scale: None,
                        },
                    ),
                    Column::new(
                        "e3",
                        Type::Numeric {
                            precision: Some(5),
                            scale: None,
                        },
                    ),
                    Column::new("f", Type::Real),
                    Column::new("g", Type::Double),
                    Column::new("h", Type::Boolean),
                    Column::new("i", Type::varchar(10)),
                    Column::new("i2", Type::Varchar(None)),
                    Column::new("j", Type::Text),
                    Column::new("k", Type::char(3)),
                    Column::new("k2", Type::Char(None)),
                    Column::new("l", Type::Date),
                    Column::new("m", Type::Time),
                    Column::new("m2", Type::TimeTz),
                    Column::new("n", Type::Timestamp),
                    Column::new("o", Type::TimestampTz),
                    Column::new("p", Type::Interval),
                    Column::new("q", Type::Uuid),
                    Column::new("r", Type::Json),
                    Column::new("s", Type::Jsonb),
                    Column::new("t", Type::Bytea),
                    Column::new("u", Type::array(Type::Integer)),
                    Column::new("v", Type::array(Type::varchar(5))),
                    Column::new("v2", Type::array(Type::array(Type::Integer))),
                    Column::new("w", Type::enum_type("mood")),
                    Column::new("z", Type::raw("INTERVAL DAY")),
                    Column::new("ts6", Type::raw("TIMESTAMP(3) WITHOUT TIME ZONE")),
                ],
            );
        },
        &[
            "CREATE TABLE types (\n    a SMALLINT,\n    b INTEGER,\n    c BIGINT,\n    e NUMERIC(10, 2),\n    e2 NUMERIC,\n    e3 NUMERIC(5),\n    f REAL,\n    g DOUBLE PRECISION,\n    h BOOLEAN,\n    i VARCHAR(10),\n    i2 VARCHAR,\n    j TEXT,\n    k CHAR(3),\n    k2 CHAR,\n    l DATE,\n    m TIME WITHOUT TIME ZONE,\n    m2 TIME WITH TIME ZONE,\n    n TIMESTAMP WITHOUT TIME ZONE,\n    o TIMESTAMP WITH TIME ZONE,\n    p INTERVAL,\n    q UUID,\n    r JSON,\n    s JSONB,\n    t BYTEA,\n    u INTEGER[],\n    v VARCHAR(5)[],\n    v2 INTEGER[][],\n    w mood,\n    z INTERVAL DAY,\n    ts6 TIMESTAMP(3) WITHOUT TIME ZONE\n)",
        ],
    );

    // No Alembic equivalent (SMALLSERIAL/BIGSERIAL come from autoincrement there), schema-
    // qualified enum, an empty table.
    check(
        |op| {
            op.create_table(
                "serials",
                [
                    Column::new("a", Type::SmallSerial),
                    Column::new("b", Type::BigSerial),
                    Column::new("c", Type::enum_type_in("app", "Mood")),
                ],
            );
            op.create_table("empty", []);
        },
        &[
            "CREATE TABLE serials (\n    a SMALLSERIAL,\n    b BIGSERIAL,\n    c app.\"Mood\"\n)",
            "CREATE TABLE empty ()",
        ],
    );

    // Alembic: quoting of reserved words, upper case, non-ASCII, leading digit; `_` and `$`
    // need none. Column-level unique named by the convention.
    check(
        |op| {
            op.create_table(
                "User",
                [
                    Column::new("select", Type::Serial).primary_key(),
                    Column::new("café", Type::Integer).unique(),
                    Column::new("_x", Type::Integer),
                    Column::new("x$", Type::Integer),
                    Column::new("1a", Type::Integer),
                ],
            )
            .schema("My Schema");
        },
        &[
            "CREATE TABLE \"My Schema\".\"User\" (\n    \"select\" SERIAL NOT NULL,\n    \"café\" INTEGER,\n    _x INTEGER,\n    x$ INTEGER,\n    \"1a\" INTEGER,\n    CONSTRAINT \"pk_User\" PRIMARY KEY (\"select\"),\n    CONSTRAINT \"uq_User_café\" UNIQUE (\"café\")\n)",
        ],
    );

    // Alembic: identity options; unique NULLS NOT DISTINCT, deferrable.
    check(
        |op| {
            op.create_table(
                "c",
                [Column::new("id", Type::BigInt)
                    .identity(Identity::by_default().start(10).increment(2))
                    .primary_key()],
            );
            op.create_table("u", [Column::new("a", Type::Integer)])
                .constraint(
                    UniqueConstraint::new(["a"])
                        .nulls_not_distinct()
                        .initially_deferred(),
                );
        },
        &[
            "CREATE TABLE c (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 2 START WITH 10),\n    CONSTRAINT pk_c PRIMARY KEY (id)\n)",
            "CREATE TABLE u (\n    a INTEGER,\n    CONSTRAINT uq_u_a UNIQUE NULLS NOT DISTINCT (a) DEFERRABLE INITIALLY DEFERRED\n)",
        ],
    );

    // Alembic: SQLAlchemy's constraint order: primary key, table-level constraints as
    // declared, then each column's unique and foreign key. (SQLAlchemy names both unique
    // constraints uq_d_a here too; PostgreSQL would refuse the second.)
    check(
        |op| {
            op.create_table(
                "d",
                [
                    Column::new("id", Type::Serial).primary_key(),
                    Column::new("a", Type::Integer)
                        .references(
                            ForeignKey::to("p", ["id"]).on_delete(ReferentialAction::Cascade),
                        )
                        .unique(),
                    Column::new("b", Type::Integer).unique().server_default("1"),
                ],
            )
            .constraint(UniqueConstraint::new(["a", "b"]));
        },
        &[
            "CREATE TABLE d (\n    id SERIAL NOT NULL,\n    a INTEGER,\n    b INTEGER DEFAULT 1,\n    CONSTRAINT pk_d PRIMARY KEY (id),\n    CONSTRAINT uq_d_a UNIQUE (a, b),\n    CONSTRAINT uq_d_a UNIQUE (a),\n    CONSTRAINT fk_d_a_p FOREIGN KEY(a) REFERENCES p (id) ON DELETE CASCADE,\n    CONSTRAINT uq_d_b UNIQUE (b)\n)",
        ],
    );

    // A composite primary key from column flags, and a table-level one declared last still
    // comes first.
    check(
        |op| {
            op.create_table(
                "pair",
                [
                    Column::new("a", Type::Integer).primary_key(),
                    Column::new("b", Type::Integer).primary_key(),
                ],
            );
            op.create_table(
                "late",
                [
                    Column::new("a", Type::Integer),
                    Column::new("b", Type::Text),
                ],
            )
            .constraint(CheckConstraint::new("a > 0").name(f("positive")))
            .constraint(PrimaryKey::new(["a"]).name(f("late_pkey")));
        },
        &[
            "CREATE TABLE pair (\n    a INTEGER NOT NULL,\n    b INTEGER NOT NULL,\n    CONSTRAINT pk_pair PRIMARY KEY (a, b)\n)",
            "CREATE TABLE late (\n    a INTEGER NOT NULL,\n    b TEXT,\n    CONSTRAINT late_pkey PRIMARY KEY (a),\n    CONSTRAINT positive CHECK (a > 0)\n)",
        ],
    );

    // Alembic: drop_table (reserved word quoted), rename_table; CASCADE is ours.
    check(
        |op| {
            op.drop_table("old").schema("app").if_exists();
            op.drop_table("account");
            op.drop_table("parent").cascade();
            op.rename_table("t3", "t4").schema("app");
        },
        &[
            "DROP TABLE IF EXISTS app.\"old\"",
            "DROP TABLE account",
            "DROP TABLE parent CASCADE",
            "ALTER TABLE app.t3 RENAME TO t4",
        ],
    );

    // Alembic: add_column, with IF NOT EXISTS, a default and comment, a foreign key named
    // by the convention; drop_column (its IF EXISTS ... CASCADE form is ours).
    check(
        |op| {
            op.add_column("t1", Column::new("extra", Type::Integer))
                .schema("app")
                .if_not_exists();
            op.add_column(
                "t1",
                Column::new("extra2", Type::Integer)
                    .not_null()
                    .server_default_value("5")
                    .comment("c'mt"),
            );
            op.add_column(
                "t1",
                Column::new("ref", Type::Integer).references(ForeignKey::to("other", ["id"])),
            );
            op.drop_column("t1", "extra").schema("app");
            op.drop_column("t1", "gone").if_exists().cascade();
        },
        &[
            "ALTER TABLE app.t1 ADD COLUMN IF NOT EXISTS extra INTEGER",
            "ALTER TABLE t1 ADD COLUMN extra2 INTEGER DEFAULT '5' NOT NULL",
            "COMMENT ON COLUMN t1.extra2 IS 'c''mt'",
            "ALTER TABLE t1 ADD COLUMN ref INTEGER",
            "ALTER TABLE t1 ADD CONSTRAINT fk_t1_ref_other FOREIGN KEY(ref) REFERENCES other (id)",
            "ALTER TABLE app.t1 DROP COLUMN extra",
            "ALTER TABLE t1 DROP COLUMN IF EXISTS gone CASCADE",
        ],
    );

    // No Alembic equivalent (it ignores unique= and primary_key= on add_column): the
    // column's constraints follow as ALTER TABLE ... ADD.
    check(
        |op| {
            op.add_column("t1", Column::new("code", Type::Text).primary_key().unique());
        },
        &[
            "ALTER TABLE t1 ADD COLUMN code TEXT NOT NULL",
            "ALTER TABLE t1 ADD CONSTRAINT pk_t1 PRIMARY KEY (code)",
            "ALTER TABLE t1 ADD CONSTRAINT uq_t1_code UNIQUE (code)",
        ],
    );

    // Alembic: alter_column, one statement per aspect in Alembic's order.
    check(
        |op| {
            op.alter_column("t1", "price")
                .schema("app")
                .set_type(Type::Integer)
                .using("price::integer")
                .nullable(true)
                .server_default_value("x")
                .drop_comment()
                .rename_to("title");
            op.alter_column("t1", "name")
                .nullable(false)
                .drop_server_default()
                .comment("new c");
            op.alter_column("t1", "name").server_default("now()");
            op.alter_column("t1", "name").set_type(Type::varchar(100));
            op.alter_column("t1", "unchanged");
        },
        &[
            "ALTER TABLE app.t1 ALTER COLUMN price TYPE INTEGER USING price::integer",
            "ALTER TABLE app.t1 ALTER COLUMN price DROP NOT NULL",
            "ALTER TABLE app.t1 ALTER COLUMN price SET DEFAULT 'x'",
            "COMMENT ON COLUMN app.t1.price IS NULL",
            "ALTER TABLE app.t1 RENAME price TO title",
            "ALTER TABLE t1 ALTER COLUMN name SET NOT NULL",
            "ALTER TABLE t1 ALTER COLUMN name DROP DEFAULT",
            "COMMENT ON COLUMN t1.name IS 'new c'",
            "ALTER TABLE t1 ALTER COLUMN name SET DEFAULT now()",
            "ALTER TABLE t1 ALTER COLUMN name TYPE VARCHAR(100)",
        ],
    );

    // Alembic: create_index with every option; CONCURRENTLY runs outside the transaction.
    check(
        |op| {
            op.create_index("t1", [IndexElement::expr("lower(name)")])
                .name(f("ix_t1_lower"))
                .schema("app")
                .unique()
                .using(IndexMethod::Btree)
                .include(["id"])
                .where_("flag");
            op.create_index("t1", ["data"])
                .name("ix_t1_data")
                .schema("app")
                .if_not_exists()
                .using(IndexMethod::Gin);
            op.create_index("account", ["name"]).concurrently();
            op.create_index(
                "account",
                [IndexElement::from("name"), IndexElement::expr("id DESC")],
            )
            .name("ix_multi");
            op.create_index("t3", ["a"]).schema("app");
            op.create_index("u", ["a"])
                .name("ix_u_a")
                .unique()
                .nulls_not_distinct();
            op.create_index("docs", ["body"]).using(IndexMethod::Gist);
            op.create_index("events", ["at"]).using(IndexMethod::Brin);
            op.create_index("events", ["key"]).using(IndexMethod::Hash);
        },
        &[
            "CREATE UNIQUE INDEX ix_t1_lower ON app.t1 USING btree (lower(name)) INCLUDE (id) WHERE flag",
            "CREATE INDEX IF NOT EXISTS ix_t1_data ON app.t1 USING gin (data)",
            "[autocommit] CREATE INDEX CONCURRENTLY ix_account_name ON account (name)",
            "CREATE INDEX ix_multi ON account (name, id DESC)",
            "CREATE INDEX ix_app_t3_a ON app.t3 (a)",
            "CREATE UNIQUE INDEX ix_u_a ON u (a) NULLS NOT DISTINCT",
            "CREATE INDEX ix_docs_body ON docs USING gist (body)",
            "CREATE INDEX ix_events_at ON events USING brin (at)",
            "CREATE INDEX ix_events_key ON events USING hash (key)",
        ],
    );

    // No Alembic equivalent: without a convention an unnamed index is left to PostgreSQL.
    check_unnamed(
        |op| {
            op.create_index("account", ["name"]);
        },
        &["CREATE INDEX ON account (name)"],
    );

    // Alembic: drop_index; CASCADE is ours.
    check(
        |op| {
            op.drop_index("ix_t1_data").schema("app").if_exists();
            op.drop_index("ix_account_name").concurrently();
            op.drop_index("ix_x").cascade();
        },
        &[
            "DROP INDEX IF EXISTS app.ix_t1_data",
            "[autocommit] DROP INDEX CONCURRENTLY ix_account_name",
            "DROP INDEX ix_x CASCADE",
        ],
    );

    // Alembic: the create_* constraint operations, named and by convention; drop_constraint
    // (CASCADE is ours).
    check(
        |op| {
            op.create_foreign_key(
                "t1",
                ForeignKey::new(["parent_id"], "t2", ["id"])
                    .name("fk_t1_t2")
                    .referred_schema("other")
                    .on_update(ReferentialAction::Cascade)
                    .on_delete(ReferentialAction::Restrict)
                    .initially_deferred(),
            )
            .schema("app");
            op.create_foreign_key(
                "t1",
                ForeignKey::new(["a", "b"], "t2", ["x", "y"])
                    .not_deferrable()
                    .initially_immediate()
                    .match_full(),
            );
            op.create_unique_constraint("t1", UniqueConstraint::new(["uid"]))
                .schema("app");
            op.create_unique_constraint(
                "t1",
                UniqueConstraint::new(["a", "b"]).name("uq_d").deferrable(),
            );
            op.create_check_constraint("t1", CheckConstraint::new("length(name) > 0").name("name"))
                .schema("app");
            op.create_primary_key("t3", PrimaryKey::new(["a", "b"]));
            op.drop_constraint("fk_t1_t2", "t1").schema("app");
            op.drop_constraint("uq_t1_uid", "t1").if_exists();
            op.drop_constraint("pk_t3", "t3").cascade();
        },
        &[
            "ALTER TABLE app.t1 ADD CONSTRAINT fk_t1_t2 FOREIGN KEY(parent_id) REFERENCES other.t2 (id) ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED",
            "ALTER TABLE t1 ADD CONSTRAINT fk_t1_a_t2 FOREIGN KEY(a, b) REFERENCES t2 (x, y) MATCH FULL NOT DEFERRABLE INITIALLY IMMEDIATE",
            "ALTER TABLE app.t1 ADD CONSTRAINT uq_t1_uid UNIQUE (uid)",
            "ALTER TABLE t1 ADD CONSTRAINT uq_d UNIQUE (a, b) DEFERRABLE",
            "ALTER TABLE app.t1 ADD CONSTRAINT ck_t1_name CHECK (length(name) > 0)",
            "ALTER TABLE t3 ADD CONSTRAINT pk_t3 PRIMARY KEY (a, b)",
            "ALTER TABLE app.t1 DROP CONSTRAINT fk_t1_t2",
            "ALTER TABLE t1 DROP CONSTRAINT IF EXISTS uq_t1_uid",
            "ALTER TABLE t3 DROP CONSTRAINT pk_t3 CASCADE",
        ],
    );

    // Alembic (the first two statements, from a run without a naming convention): the
    // foreign key of an added column is unnamed. Ours: a foreign key with no referred
    // columns references the primary key; an unnamed check stays unnamed.
    check_unnamed(
        |op| {
            op.add_column(
                "t1",
                Column::new("ref", Type::Integer).references(ForeignKey::to("other", ["id"])),
            );
            op.create_foreign_key(
                "t1",
                ForeignKey::new(["owner"], "account", Vec::<String>::new()),
            );
            op.create_check_constraint("t1", CheckConstraint::new("ref > 0"));
        },
        &[
            "ALTER TABLE t1 ADD COLUMN ref INTEGER",
            "ALTER TABLE t1 ADD FOREIGN KEY(ref) REFERENCES other (id)",
            "ALTER TABLE t1 ADD FOREIGN KEY(owner) REFERENCES account",
            "ALTER TABLE t1 ADD CHECK (ref > 0)",
        ],
    );

    // SQLAlchemy (index) and Alembic (foreign key): names longer than 63 bytes from the
    // convention are shortened with SQLAlchemy's md5 suffix; f() names too.
    check(
        |op| {
            op.create_index(
                "order_line_items_archive",
                ["customer_account_identifier_with_long_name"],
            );
            op.create_foreign_key(
                "order_line_items_archive",
                ForeignKey::new(["customer_account_id"], "customer_accounts_archive", ["id"]),
            );
            op.drop_constraint(
                f("fk_order_line_items_archive_customer_account_id_customer_accounts_archive"),
                "order_line_items_archive",
            );
        },
        &[
            "CREATE INDEX ix_order_line_items_archive_customer_account_identifier_26d5 ON order_line_items_archive (customer_account_identifier_with_long_name)",
            "ALTER TABLE order_line_items_archive ADD CONSTRAINT fk_order_line_items_archive_customer_account_id_custome_103a FOREIGN KEY(customer_account_id) REFERENCES customer_accounts_archive (id)",
            "ALTER TABLE order_line_items_archive DROP CONSTRAINT fk_order_line_items_archive_customer_account_id_custome_103a",
        ],
    );

    // Alembic: table comments, escaped.
    check(
        |op| {
            op.create_table_comment("t1", "new 'comment'").schema("app");
            op.drop_table_comment("t1").schema("app");
        },
        &[
            "COMMENT ON TABLE app.t1 IS 'new ''comment'''",
            "COMMENT ON TABLE app.t1 IS NULL",
        ],
    );

    // SQLAlchemy: CreateEnumType / DropEnumType. ADD VALUE as Alembic's documentation
    // writes it; it runs outside the transaction.
    check(
        |op| {
            op.create_enum("mood", ["happy", "sad", "it's"])
                .schema("app");
            op.create_enum("empty", Vec::<String>::new());
            op.add_enum_value("mood", "soso");
            op.add_enum_value("mood", "meh")
                .schema("app")
                .if_not_exists()
                .before("sad");
            op.add_enum_value("mood", "ok").after("happy");
            op.rename_enum_value("mood", "soso", "so-so");
            op.drop_enum("mood").schema("app");
            op.drop_enum("empty").if_exists().cascade();
        },
        &[
            "CREATE TYPE app.mood AS ENUM ('happy', 'sad', 'it''s')",
            "CREATE TYPE empty AS ENUM ()",
            "[autocommit] ALTER TYPE mood ADD VALUE 'soso'",
            "[autocommit] ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'",
            "[autocommit] ALTER TYPE mood ADD VALUE 'ok' AFTER 'happy'",
            "ALTER TYPE mood RENAME VALUE 'soso' TO 'so-so'",
            "DROP TYPE app.mood",
            "DROP TYPE IF EXISTS empty CASCADE",
        ],
    );

    // SQLAlchemy: CreateSequence / DropSequence, options in its order.
    check(
        |op| {
            op.create_sequence("seq")
                .schema("app")
                .start(10)
                .increment(2)
                .min_value(1)
                .max_value(1000)
                .cycle()
                .cache(5);
            op.create_sequence("s2");
            op.create_sequence("s3").data_type(Type::BigInt).start(1);
            op.create_sequence("s4").if_not_exists();
            op.drop_sequence("seq").schema("app");
            op.drop_sequence("s4").if_exists().cascade();
        },
        &[
            "CREATE SEQUENCE app.seq INCREMENT BY 2 START WITH 10 MINVALUE 1 MAXVALUE 1000 CACHE 5 CYCLE",
            "CREATE SEQUENCE s2",
            "CREATE SEQUENCE s3 AS BIGINT START WITH 1",
            "CREATE SEQUENCE IF NOT EXISTS s4",
            "DROP SEQUENCE app.seq",
            "DROP SEQUENCE IF EXISTS s4 CASCADE",
        ],
    );

    // SQLAlchemy: CreateSchema / DropSchema.
    check(
        |op| {
            op.create_schema("app");
            op.create_schema("app").if_not_exists();
            op.drop_schema("app").if_exists().cascade();
            op.drop_schema("Other");
        },
        &[
            "CREATE SCHEMA app",
            "CREATE SCHEMA IF NOT EXISTS app",
            "DROP SCHEMA IF EXISTS app CASCADE",
            "DROP SCHEMA \"Other\"",
        ],
    );

    // Alembic prints `op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")` as the first
    // line; the rest have no Alembic equivalent.
    check(
        |op| {
            op.create_extension("pgcrypto").if_not_exists();
            op.create_extension("uuid-ossp")
                .schema("ext")
                .version("1.1")
                .cascade();
            op.drop_extension("pgcrypto");
            op.drop_extension("uuid-ossp").if_exists().cascade();
        },
        &[
            "CREATE EXTENSION IF NOT EXISTS pgcrypto",
            "CREATE EXTENSION \"uuid-ossp\" SCHEMA ext VERSION '1.1' CASCADE",
            "DROP EXTENSION pgcrypto",
            "DROP EXTENSION IF EXISTS \"uuid-ossp\" CASCADE",
        ],
    );

    // Alembic: op.execute text printed as given (without a trailing `;`), split into
    // statements; CONCURRENTLY statements marked. Parameters offline become literals.
    check(
        |op| {
            op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto");
            op.execute("UPDATE account SET name = 'x' WHERE name IS NULL;\n-- done\nCREATE INDEX CONCURRENTLY ix_a ON account (name);");
            op.execute_with(
                "UPDATE account SET name = $1, note = '$2 stays' WHERE id = $2",
                [Value::from("o'brien"), Value::from(-7)],
            );
            op.execute_with("SELECT -$1", [Value::from(-1)]);
        },
        &[
            "CREATE EXTENSION IF NOT EXISTS pgcrypto",
            "UPDATE account SET name = 'x' WHERE name IS NULL",
            "[autocommit] CREATE INDEX CONCURRENTLY ix_a ON account (name)",
            "UPDATE account SET name = 'o''brien', note = '$2 stays' WHERE id = -7",
            "SELECT -(-1)",
        ],
    );

    // Alembic's autocommit_block: everything inside runs outside the transaction.
    check(
        |op| {
            op.autocommit_block(|op| {
                op.execute("ALTER TYPE mood ADD VALUE 'soso'");
                op.alter_column("account", "name")
                    .set_type(Type::varchar(100));
            });
        },
        &[
            "[autocommit] ALTER TYPE mood ADD VALUE 'soso'",
            "[autocommit] ALTER TABLE account ALTER COLUMN name TYPE VARCHAR(100)",
        ],
    );

    // Deliberate deviation: Alembic prints one INSERT per row (`INSERT INTO t4 (a, b)
    // VALUES (1, 'o''brien');`); we send multi-row INSERTs of up to 1,000 rows, online and
    // offline alike. The literals match SQLAlchemy's for NULL, booleans, numbers and text;
    // other values are quoted text that PostgreSQL converts to the column's type, as it
    // does the online parameter (SQLAlchemy cannot render bytea, JSON or NaN literals).
    check(
        |op| {
            op.bulk_insert(
                "t4",
                ["a", "b", "c", "d"],
                [
                    [
                        Value::from(1),
                        Value::from("o'brien"),
                        Value::from(true),
                        Value::from(1.5),
                    ],
                    [
                        Value::from(2),
                        Value::Null,
                        Value::from(false),
                        Value::from(1e300),
                    ],
                    [
                        Value::from(3),
                        Value::from("back\\slash"),
                        Value::Null,
                        Value::Float(f64::NAN),
                    ],
                ],
            );
            op.bulk_insert(
                "t5",
                ["b", "j", "g", "i", "n", "h", "t"],
                [[
                    Value::Bytes(vec![0, 0xff, b'a']),
                    Value::Json(r#"{"a": 1}"#.into()),
                    Value::Date("2024-01-02".into()),
                    Value::Uuid(1),
                    Value::Numeric("1.50".into()),
                    Value::Array(vec![Value::from(1), Value::Null, Value::from("x\"y")]),
                    Value::TimestampTz("2024-01-02 03:04:05+00".into()),
                ]],
            )
            .schema("app");
            op.bulk_insert("t6", ["a"], Vec::<Vec<Value>>::new());
        },
        &[
            "INSERT INTO t4 (a, b, c, d) VALUES (1, 'o''brien', true, 1.5), (2, NULL, false, 1e300), (3, 'back\\slash', NULL, 'NaN')",
            "INSERT INTO app.t5 (b, j, g, i, n, h, t) VALUES ('\\x00ff61', '{\"a\": 1}', '2024-01-02', '00000000-0000-0000-0000-000000000001', 1.50, '{\"1\",NULL,\"x\\\"y\"}', '2024-01-02 03:04:05+00')",
        ],
    );
}

#[test]
fn online_statements_carry_parameters_in_order() {
    let mut op = Op::new();
    op.bulk_insert(
        "t",
        ["a", "b"],
        [
            [Value::from(1), Value::from("x")],
            [Value::from(2), Value::Null],
        ],
    );
    op.execute_with("DELETE FROM t WHERE a = $1", [Value::from(9)]);
    let operations = op.finish().unwrap();
    let statements: Vec<_> = operations
        .iter()
        .flat_map(|o| Postgres.statements(o).unwrap())
        .map(|s| (s.sql, s.params))
        .collect();
    assert_eq!(
        statements,
        [
            (
                "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)".to_owned(),
                vec![
                    Value::from(1),
                    Value::from("x"),
                    Value::from(2),
                    Value::Null
                ],
            ),
            (
                "DELETE FROM t WHERE a = $1".to_owned(),
                vec![Value::from(9)]
            ),
        ]
    );
}

#[test]
fn bulk_insert_splits_at_1000_rows_and_65535_parameters() {
    let counts = |columns: usize, rows: usize| -> Vec<usize> {
        let mut op = Op::new();
        op.bulk_insert(
            "t",
            (0..columns).map(|i| format!("c{i}")),
            (0..rows).map(|_| vec![Value::Null; columns]),
        );
        let operations = op.finish().unwrap();
        Postgres
            .statements(&operations[0])
            .unwrap()
            .iter()
            .map(|s| s.params.len() / columns)
            .collect()
    };
    assert_eq!(counts(2, 2500), [1000, 1000, 500]);
    assert_eq!(counts(100, 1400), [655, 655, 90]);
    assert_eq!(counts(1, 1), [1]);
}

#[test]
fn version_table_statements_match_alembic() {
    // Alembic: reference §2.3, default table and `version_table_schema="myschema"`,
    // `version_table="my_version"`.
    let offline = |table: &VersionTable| {
        vec![
            table.create_table(&Postgres).render_offline(&Postgres),
            table
                .insert(&Postgres, "1975ea83b712")
                .render_offline(&Postgres),
            table
                .update(&Postgres, "1975ea83b712", "ae1027a6acf")
                .render_offline(&Postgres),
            table
                .delete(&Postgres, "1975ea83b712")
                .render_offline(&Postgres),
            table.select(&Postgres).render_offline(&Postgres),
        ]
    };
    assert_eq!(
        offline(&VersionTable::default()),
        [
            "CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)",
            "INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712') RETURNING alembic_version.version_num",
            "UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712'",
            "DELETE FROM alembic_version WHERE alembic_version.version_num = '1975ea83b712'",
            "SELECT alembic_version.version_num FROM alembic_version",
        ]
    );
    assert_eq!(
        offline(&VersionTable::new(Some("myschema"), "my_version")),
        [
            "CREATE TABLE myschema.my_version (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT my_version_pkc PRIMARY KEY (version_num)\n)",
            "INSERT INTO myschema.my_version (version_num) VALUES ('1975ea83b712') RETURNING myschema.my_version.version_num",
            "UPDATE myschema.my_version SET version_num='ae1027a6acf' WHERE myschema.my_version.version_num = '1975ea83b712'",
            "DELETE FROM myschema.my_version WHERE myschema.my_version.version_num = '1975ea83b712'",
            "SELECT myschema.my_version.version_num FROM myschema.my_version",
        ]
    );

    let table = VersionTable::default();
    let update = table.update(&Postgres, "a", "b");
    assert_eq!(
        (update.sql.as_str(), update.params.as_slice()),
        (
            "UPDATE alembic_version SET version_num=$1 WHERE alembic_version.version_num = $2",
            &[Value::from("b"), Value::from("a")][..]
        )
    );
    assert_eq!(
        table.create_table_if_not_exists(&Postgres).sql,
        "CREATE TABLE IF NOT EXISTS alembic_version (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
    );
}

#[test]
fn literals_and_identifiers() {
    let literals = [
        (Value::Null, "NULL"),
        (Value::Bool(true), "true"),
        (Value::Int(i64::MIN), "-9223372036854775808"),
        (Value::Float(0.1), "0.1"),
        (Value::Float(-2.5e-10), "-2.5e-10"),
        (Value::Float(f64::INFINITY), "'Infinity'"),
        (Value::Float(f64::NEG_INFINITY), "'-Infinity'"),
        (Value::Numeric("-12.50".into()), "-12.50"),
        (Value::Numeric("NaN".into()), "'NaN'"),
        (Value::Text("it's".into()), "'it''s'"),
        (Value::Text(String::new()), "''"),
        (Value::Bytes(Vec::new()), "'\\x'"),
        (
            Value::Uuid(u128::MAX),
            "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
        ),
        (Value::Interval("1 day".into()), "'1 day'"),
        (Value::Time("13:45".into()), "'13:45'"),
        (
            Value::Timestamp("2024-01-02 03:04".into()),
            "'2024-01-02 03:04'",
        ),
        (Value::Array(vec![]), "'{}'"),
        (
            Value::Array(vec![
                Value::Array(vec![Value::from(1), Value::from(2)]),
                Value::Array(vec![Value::from(3), Value::from(4)]),
            ]),
            "'{{\"1\",\"2\"},{\"3\",\"4\"}}'",
        ),
        (
            Value::Array(vec![
                Value::Bytes(b"a".to_vec()),
                Value::from("back\\slash"),
            ]),
            "'{\"\\\\x61\",\"back\\\\slash\"}'",
        ),
    ];
    for (value, expected) in literals {
        assert_eq!(Postgres.literal(&value), expected, "{value:?}");
    }

    let identifiers = [
        ("account", "account"),
        ("user", "\"user\""),
        ("Account", "\"Account\""),
        ("a b", "\"a b\""),
        ("_x", "_x"),
        ("$x", "\"$x\""),
        ("x$", "x$"),
        ("1a", "\"1a\""),
        ("café", "\"café\""),
        ("a\"b", "\"a\"\"b\""),
        ("x-y", "\"x-y\""),
        ("a.b", "\"a.b\""),
        ("select", "\"select\""),
        ("name", "name"),
        ("type", "type"),
    ];
    for (name, expected) in identifiers {
        assert_eq!(Postgres.quote_identifier(name), expected, "{name}");
    }
    assert_eq!(
        (
            Postgres.name(),
            Postgres.transactional_ddl(),
            Postgres.max_identifier_length()
        ),
        ("postgresql", true, 63)
    );
}

#[test]
fn operations_as_recorded_keep_column_level_constraints_until_finish() {
    let mut op = Op::new();
    op.create_table(
        "t",
        [Column::new("id", Type::Integer).primary_key().unique()],
    );
    let Operation::CreateTable(recorded) = &op.operations()[0] else {
        panic!("not a create_table: {:?}", op.operations());
    };
    assert!(recorded.constraints.is_empty());
    assert!(recorded.columns[0].unique.is_some());
    // Rendering an operation that did not go through `finish` still works: the
    // constraints are simply unnamed.
    let statements = Postgres.statements(&op.operations()[0]).unwrap();
    assert_eq!(
        statements[0].sql,
        "CREATE TABLE t (\n    id INTEGER NOT NULL,\n    PRIMARY KEY (id),\n    UNIQUE (id)\n)"
    );
}

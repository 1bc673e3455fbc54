//! Every operation applied to a real PostgreSQL, its effect read back from the catalog,
//! then its reverse applied and the effect shown gone.
//!
//! Statements run the way the migrator runs them: transactional ones inside
//! `BEGIN`/`COMMIT`, the others alone outside any transaction block, so a statement
//! wrongly marked transactional fails here with "cannot run inside a transaction block".
//! Parameters are bound with `execute_typed` and `Type::UNKNOWN`, one round trip per
//! statement, letting the server infer each parameter's type.

use alembic_test_support::TestDb;
use migration_runtime::dialect::{Dialect, Postgres, Statement, VersionTable};
use migration_runtime::ops::{Op, Value};
use migration_runtime::schema::{
    CheckConstraint, Column, ForeignKey, Identity, IndexElement, IndexMethod, PrimaryKey,
    ReferentialAction, Type, UniqueConstraint, f,
};
use postgres_types::{ToSql, Type as PgType};
use tokio_postgres::Client;

/// The statements of the recorded operations, checked and named by `Op::finish`.
fn statements(record: impl FnOnce(&mut Op)) -> Vec<Statement> {
    let mut op = Op::new();
    record(&mut op);
    let operations = op.finish().unwrap_or_else(|err| panic!("{err}"));
    operations
        .iter()
        .flat_map(|operation| {
            Postgres
                .statements(operation)
                .unwrap_or_else(|err| panic!("{err}"))
        })
        .collect()
}

fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => err.to_string(),
    }
}

async fn batch(client: &Client, sql: &str) {
    if let Err(err) = client.batch_execute(sql).await {
        panic!("`{sql}` failed: {}", describe(&err));
    }
}

/// Runs one statement: bound parameters online, or its offline text.
async fn run_one(client: &Client, statement: &Statement, offline: bool) {
    if offline || statement.params.is_empty() {
        batch(client, &statement.render_offline(&Postgres)).await;
        return;
    }
    let params: Vec<(&(dyn ToSql + Sync), PgType)> = statement
        .params
        .iter()
        .map(|value| (value as &(dyn ToSql + Sync), PgType::UNKNOWN))
        .collect();
    if let Err(err) = client.execute_typed(&statement.sql, &params).await {
        panic!("`{}` failed: {}", statement.sql, describe(&err));
    }
}

/// Applies statements as the migrator does: transactional runs in transactions, the rest
/// alone in autocommit.
async fn apply_statements(client: &Client, statements: &[Statement], offline: bool) {
    let mut in_transaction = false;
    for statement in statements {
        if statement.transactional != in_transaction {
            batch(client, if in_transaction { "COMMIT" } else { "BEGIN" }).await;
            in_transaction = statement.transactional;
        }
        run_one(client, statement, offline).await;
    }
    if in_transaction {
        batch(client, "COMMIT").await;
    }
}

async fn apply(client: &Client, record: impl FnOnce(&mut Op)) {
    apply_statements(client, &statements(record), false).await;
}

/// The columns of `table` as `name | type | not null | default | identity | comment`.
async fn columns(db: &TestDb, table: &str) -> Vec<String> {
    db.query_strings_async(&format!(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), NULLIF(a.attidentity, ''), col_description(a.attrelid, a.attnum)
         FROM pg_attribute a
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum"
    ))
    .await
}

/// The constraints of `table` as `name | definition`.
async fn constraints(db: &TestDb, table: &str) -> Vec<String> {
    db.query_strings_async(&format!(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = '{table}'::regclass ORDER BY conname"
    ))
    .await
}

/// The indexes of `table` as `name | definition | valid`.
async fn indexes(db: &TestDb, table: &str) -> Vec<String> {
    db.query_strings_async(&format!(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = '{table}'::regclass ORDER BY c.relname"
    ))
    .await
}

async fn exists(db: &TestDb, relation: &str) -> bool {
    db.query_strings_async(&format!(
        "SELECT to_regclass('{}') IS NOT NULL",
        relation.replace('\'', "''")
    ))
    .await
        == ["t"]
}

#[tokio::test]
async fn create_table_and_drop_table() {
    let db = TestDb::new_async(module_path!(), "create_table").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_schema("app");
        op.create_enum("mood", ["happy", "sad"]).schema("app");
        op.create_table("owner", [Column::new("id", Type::BigInt).primary_key()])
            .schema("app");
        op.create_table(
            "account",
            [
                Column::new("id", Type::BigInt)
                    .identity(Identity::always())
                    .primary_key(),
                Column::new("uid", Type::Uuid)
                    .server_default("gen_random_uuid()")
                    .not_null(),
                Column::new("email", Type::varchar(200))
                    .not_null()
                    .unique()
                    .comment("login; 'unique'"),
                Column::new("balance", Type::numeric(12, 2)).server_default_value(0),
                Column::new("owner_id", Type::BigInt).references(
                    ForeignKey::to("owner", ["id"])
                        .referred_schema("app")
                        .on_delete(ReferentialAction::Cascade),
                ),
                Column::new("mood", Type::enum_type_in("app", "mood")),
                Column::new("tags", Type::array(Type::Text)),
                Column::new("order", Type::Integer),
            ],
        )
        .schema("app")
        .comment("accounts")
        .constraint(CheckConstraint::new("balance >= 0").name("balance"));
    })
    .await;

    assert_eq!(
        columns(&db, "app.account").await,
        [
            "id | bigint | t | NULL | a | NULL",
            "uid | uuid | t | gen_random_uuid() | NULL | NULL",
            "email | character varying(200) | t | NULL | NULL | login; 'unique'",
            "balance | numeric(12,2) | f | 0 | NULL | NULL",
            "owner_id | bigint | f | NULL | NULL | NULL",
            "mood | app.mood | f | NULL | NULL | NULL",
            "tags | text[] | f | NULL | NULL | NULL",
            "order | integer | f | NULL | NULL | NULL",
        ]
    );
    assert_eq!(
        constraints(&db, "app.account").await,
        [
            "ck_account_balance | CHECK ((balance >= (0)::numeric))",
            "fk_account_owner_id_owner | FOREIGN KEY (owner_id) REFERENCES app.owner(id) ON DELETE CASCADE",
            "pk_account | PRIMARY KEY (id)",
            "uq_account_email | UNIQUE (email)",
        ]
    );
    assert_eq!(
        db.query_strings_async("SELECT obj_description('app.account'::regclass, 'pg_class')")
            .await,
        ["accounts"]
    );

    apply(&client, |op| {
        op.drop_table("account").schema("app");
    })
    .await;
    assert!(!exists(&db, "app.account").await);
    assert!(exists(&db, "app.owner").await);
}

#[tokio::test]
async fn create_table_if_not_exists_and_drop_if_exists() {
    let db = TestDb::new_async(module_path!(), "if_not_exists").await;
    let client = db.client().await;
    let create = |op: &mut Op| {
        op.create_table("t", [Column::new("a", Type::Integer)])
            .if_not_exists();
    };
    apply(&client, create).await;
    apply(&client, create).await;
    assert_eq!(
        columns(&db, "t").await,
        ["a | integer | f | NULL | NULL | NULL"]
    );
    let drop = |op: &mut Op| {
        op.drop_table("t").if_exists();
    };
    apply(&client, drop).await;
    apply(&client, drop).await;
    assert!(!exists(&db, "t").await);
}

#[tokio::test]
async fn rename_table_and_back() {
    let db = TestDb::new_async(module_path!(), "rename_table").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_table("old", [Column::new("a", Type::Integer)]);
        op.rename_table("old", "User");
    })
    .await;
    assert!(exists(&db, "\"User\"").await);
    assert!(!exists(&db, "\"old\"").await);
    apply(&client, |op| {
        op.rename_table("User", "old");
    })
    .await;
    assert!(exists(&db, "\"old\"").await);
    assert!(!exists(&db, "\"User\"").await);
}

#[tokio::test]
async fn table_comment_set_and_removed() {
    let db = TestDb::new_async(module_path!(), "table_comment").await;
    let client = db.client().await;
    let comment = "SELECT obj_description('t'::regclass, 'pg_class')";
    apply(&client, |op| {
        op.create_table("t", [Column::new("a", Type::Integer)]);
        op.create_table_comment("t", "it's a table");
    })
    .await;
    assert_eq!(db.query_strings_async(comment).await, ["it's a table"]);
    apply(&client, |op| {
        op.drop_table_comment("t");
    })
    .await;
    assert_eq!(db.query_strings_async(comment).await, ["NULL"]);
}

#[tokio::test]
async fn add_column_and_drop_column() {
    let db = TestDb::new_async(module_path!(), "add_column").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_table("owner", [Column::new("id", Type::Integer).primary_key()]);
        op.create_table("t", [Column::new("a", Type::Integer)]);
        op.execute("INSERT INTO t VALUES (1)");
        op.add_column(
            "t",
            Column::new("status", Type::Text)
                .not_null()
                .server_default_value("new")
                .comment("the status"),
        );
        op.add_column(
            "t",
            Column::new("owner_id", Type::Integer)
                .unique()
                .references(ForeignKey::to("owner", ["id"])),
        );
        op.add_column("t", Column::new("a", Type::Integer))
            .if_not_exists();
    })
    .await;
    assert_eq!(
        columns(&db, "t").await,
        [
            "a | integer | f | NULL | NULL | NULL",
            "status | text | t | 'new'::text | NULL | the status",
            "owner_id | integer | f | NULL | NULL | NULL",
        ]
    );
    assert_eq!(
        constraints(&db, "t").await,
        [
            "fk_t_owner_id_owner | FOREIGN KEY (owner_id) REFERENCES owner(id)",
            "uq_t_owner_id | UNIQUE (owner_id)",
        ]
    );
    assert_eq!(
        db.query_strings_async("SELECT a, status FROM t").await,
        ["1 | new"]
    );

    apply(&client, |op| {
        op.drop_column("t", "owner_id");
        op.drop_column("t", "status");
        op.drop_column("t", "gone").if_exists();
    })
    .await;
    assert_eq!(
        columns(&db, "t").await,
        ["a | integer | f | NULL | NULL | NULL"]
    );
    assert_eq!(constraints(&db, "t").await, Vec::<String>::new());
}

#[tokio::test]
async fn alter_column_and_back() {
    let db = TestDb::new_async(module_path!(), "alter_column").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_table("t", [Column::new("price", Type::Text)]);
        op.execute("INSERT INTO t VALUES ('12')");
        op.alter_column("t", "price")
            .set_type(Type::Integer)
            .using("price::integer")
            .nullable(false)
            .server_default_value(0)
            .comment("in cents")
            .rename_to("cents");
    })
    .await;
    assert_eq!(
        columns(&db, "t").await,
        ["cents | integer | t | 0 | NULL | in cents"]
    );
    assert_eq!(
        db.query_strings_async("SELECT cents + 1 FROM t").await,
        ["13"]
    );

    apply(&client, |op| {
        op.alter_column("t", "cents")
            .set_type(Type::Text)
            .nullable(true)
            .drop_server_default()
            .drop_comment()
            .rename_to("price");
    })
    .await;
    assert_eq!(
        columns(&db, "t").await,
        ["price | text | f | NULL | NULL | NULL"]
    );
    assert_eq!(db.query_strings_async("SELECT price FROM t").await, ["12"]);
}

#[tokio::test]
async fn create_index_every_kind_and_drop() {
    let db = TestDb::new_async(module_path!(), "create_index").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_extension("btree_gist").if_not_exists();
        op.create_table(
            "doc",
            [
                Column::new("id", Type::Integer),
                Column::new("name", Type::Text),
                Column::new("body", Type::Jsonb),
                Column::new("at", Type::TimestampTz),
                Column::new("deleted", Type::Boolean),
            ],
        );
        op.create_index("doc", [IndexElement::expr("lower(name)")])
            .name("ix_doc_lower_name")
            .unique()
            .include(["id"])
            .where_("NOT deleted");
        op.create_index("doc", ["body"]).using(IndexMethod::Gin);
        op.create_index("doc", ["at"]).using(IndexMethod::Brin);
        op.create_index("doc", ["name"]).using(IndexMethod::Hash);
        op.create_index("doc", ["id"]).using(IndexMethod::Gist);
        op.create_index("doc", ["name", "id"])
            .name("ix_doc_name_id")
            .using(IndexMethod::Btree)
            .nulls_not_distinct()
            .unique();
        op.create_index("doc", ["name", "id"])
            .name("ix_doc_name_id")
            .if_not_exists();
    })
    .await;
    assert_eq!(
        indexes(&db, "doc").await,
        [
            "ix_doc_at | CREATE INDEX ix_doc_at ON public.doc USING brin (at) | t",
            "ix_doc_body | CREATE INDEX ix_doc_body ON public.doc USING gin (body) | t",
            "ix_doc_id | CREATE INDEX ix_doc_id ON public.doc USING gist (id) | t",
            "ix_doc_lower_name | CREATE UNIQUE INDEX ix_doc_lower_name ON public.doc USING btree (lower(name)) INCLUDE (id) WHERE (NOT deleted) | t",
            "ix_doc_name | CREATE INDEX ix_doc_name ON public.doc USING hash (name) | t",
            "ix_doc_name_id | CREATE UNIQUE INDEX ix_doc_name_id ON public.doc USING btree (name, id) NULLS NOT DISTINCT | t",
        ]
    );

    apply(&client, |op| {
        for name in [
            "ix_doc_at",
            "ix_doc_body",
            "ix_doc_id",
            "ix_doc_lower_name",
            "ix_doc_name",
        ] {
            op.drop_index(name);
        }
        op.drop_index("ix_doc_name_id").if_exists();
        op.drop_index("ix_doc_name_id").if_exists();
    })
    .await;
    assert_eq!(indexes(&db, "doc").await, Vec::<String>::new());
}

#[tokio::test]
async fn create_index_concurrently_runs_outside_the_transaction() {
    let db = TestDb::new_async(module_path!(), "concurrently").await;
    let client = db.client().await;
    let create = statements(|op| {
        op.create_table("account", [Column::new("name", Type::Text)])
            .schema("public");
        op.create_index("account", ["name"]).concurrently();
    });
    assert_eq!(
        create.iter().map(|s| s.transactional).collect::<Vec<_>>(),
        [true, false]
    );
    apply_statements(&client, &create, false).await;
    assert_eq!(
        indexes(&db, "account").await,
        ["ix_account_name | CREATE INDEX ix_account_name ON public.account USING btree (name) | t"]
    );

    // The same statement inside a transaction block is refused: the flag matters.
    batch(&client, "BEGIN").await;
    let err = client
        .batch_execute("CREATE INDEX CONCURRENTLY ix_again ON account (name)")
        .await
        .unwrap_err();
    assert_eq!(
        describe(&err),
        "25001: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
    );
    batch(&client, "ROLLBACK").await;

    apply(&client, |op| {
        op.drop_index("ix_account_name").concurrently();
        op.create_index("account", ["name"])
            .name("ix_via_execute")
            .schema("public");
        op.execute("DROP INDEX CONCURRENTLY ix_via_execute");
    })
    .await;
    assert_eq!(indexes(&db, "account").await, Vec::<String>::new());
}

#[tokio::test]
async fn constraints_added_and_dropped() {
    let db = TestDb::new_async(module_path!(), "constraints").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_table(
            "account",
            [
                Column::new("id", Type::Integer).not_null(),
                Column::new("kind", Type::Text).not_null(),
            ],
        );
        op.create_table(
            "post",
            [
                Column::new("id", Type::Integer),
                Column::new("account_id", Type::Integer),
                Column::new("account_kind", Type::Text),
                Column::new("title", Type::Text),
            ],
        );
        op.create_primary_key("account", PrimaryKey::new(["id"]));
        op.create_unique_constraint("account", UniqueConstraint::new(["id", "kind"]));
        op.create_primary_key("post", PrimaryKey::new(["id"]).name("post_pkey"));
        op.create_unique_constraint(
            "post",
            UniqueConstraint::new(["title"]).initially_deferred(),
        );
        op.create_foreign_key(
            "post",
            ForeignKey::new(["account_id", "account_kind"], "account", ["id", "kind"])
                .on_delete(ReferentialAction::SetNull)
                .on_update(ReferentialAction::Cascade)
                .match_full()
                .initially_deferred(),
        );
        op.create_check_constraint(
            "post",
            CheckConstraint::new("length(title) > 0").name("title"),
        );
    })
    .await;
    assert_eq!(
        constraints(&db, "account").await,
        [
            "pk_account | PRIMARY KEY (id)",
            "uq_account_id | UNIQUE (id, kind)"
        ]
    );
    assert_eq!(
        constraints(&db, "post").await,
        [
            "ck_post_title | CHECK ((length(title) > 0))",
            "fk_post_account_id_account | FOREIGN KEY (account_id, account_kind) REFERENCES account(id, kind) MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED",
            "post_pkey | PRIMARY KEY (id)",
            "uq_post_title | UNIQUE (title) DEFERRABLE INITIALLY DEFERRED",
        ]
    );

    apply(&client, |op| {
        op.drop_constraint("fk_post_account_id_account", "post");
        op.drop_constraint("ck_post_title", "post");
        op.drop_constraint("uq_post_title", "post");
        op.drop_constraint("post_pkey", "post");
        op.drop_constraint("post_pkey", "post").if_exists();
        op.drop_constraint("uq_account_id", "account");
        op.drop_constraint("pk_account", "account").cascade();
    })
    .await;
    assert_eq!(constraints(&db, "account").await, Vec::<String>::new());
    assert_eq!(constraints(&db, "post").await, Vec::<String>::new());
}

#[tokio::test]
async fn enum_create_add_value_rename_drop() {
    let db = TestDb::new_async(module_path!(), "enum").await;
    let client = db.client().await;
    let labels =
        "SELECT enumlabel FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder";
    let create = statements(|op| {
        op.create_enum("mood", ["happy", "sad"]);
        op.create_table("person", [Column::new("mood", Type::enum_type("mood"))]);
        op.add_enum_value("mood", "soso");
        op.add_enum_value("mood", "ecstatic").before("happy");
        op.add_enum_value("mood", "content").after("happy");
        op.add_enum_value("mood", "soso").if_not_exists();
        op.rename_enum_value("mood", "sad", "blue");
        op.execute("INSERT INTO person VALUES ('soso'), ('blue')");
    });
    assert_eq!(
        create.iter().map(|s| s.transactional).collect::<Vec<_>>(),
        [true, true, false, false, false, false, true, true]
    );
    apply_statements(&client, &create, false).await;
    assert_eq!(
        db.query_strings_async(labels).await,
        ["ecstatic", "happy", "content", "blue", "soso"]
    );
    assert_eq!(
        db.query_strings_async("SELECT mood FROM person ORDER BY mood")
            .await,
        ["blue", "soso"]
    );

    apply(&client, |op| {
        op.drop_table("person");
        op.drop_enum("mood");
        op.drop_enum("mood").if_exists();
    })
    .await;
    assert_eq!(
        db.query_strings_async("SELECT to_regtype('mood') IS NULL")
            .await,
        ["t"]
    );
}

#[tokio::test]
async fn sequence_create_and_drop() {
    let db = TestDb::new_async(module_path!(), "sequence").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_schema("app");
        op.create_sequence("seq")
            .schema("app")
            .data_type(Type::Integer)
            .start(10)
            .increment(5)
            .min_value(10)
            .max_value(20)
            .cache(2)
            .cycle();
        op.create_sequence("plain");
        op.create_sequence("plain").if_not_exists();
    })
    .await;
    assert_eq!(
        db.query_strings_async(
            "SELECT schemaname, sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, cache_size
             FROM pg_sequences ORDER BY sequencename"
        )
        .await,
        [
            "public | plain | bigint | 1 | 1 | 9223372036854775807 | 1 | f | 1",
            "app | seq | integer | 10 | 10 | 20 | 5 | t | 2",
        ]
    );
    assert_eq!(
        db.query_strings_async(
            "SELECT nextval('app.seq'), nextval('app.seq'), nextval('app.seq'), nextval('app.seq')"
        )
        .await,
        ["10 | 15 | 20 | 10"]
    );
    apply(&client, |op| {
        op.drop_sequence("seq").schema("app");
        op.drop_sequence("plain").if_exists();
        op.drop_sequence("plain").if_exists();
    })
    .await;
    assert_eq!(
        db.query_strings_async("SELECT count(*) FROM pg_sequences")
            .await,
        ["0"]
    );
}

#[tokio::test]
async fn schema_create_and_drop() {
    let db = TestDb::new_async(module_path!(), "schema").await;
    let client = db.client().await;
    let schemas = "SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'Other') ORDER BY 1";
    apply(&client, |op| {
        op.create_schema("app");
        op.create_schema("app").if_not_exists();
        op.create_schema("Other");
        op.create_table("t", [Column::new("a", Type::Integer)])
            .schema("Other");
    })
    .await;
    assert_eq!(db.query_strings_async(schemas).await, ["Other", "app"]);
    apply(&client, |op| {
        op.drop_schema("Other").cascade();
        op.drop_schema("app");
        op.drop_schema("app").if_exists();
    })
    .await;
    assert_eq!(db.query_strings_async(schemas).await, Vec::<String>::new());
}

#[tokio::test]
async fn extension_create_if_not_exists_and_drop() {
    let db = TestDb::new_async(module_path!(), "extension").await;
    let client = db.client().await;
    let installed = "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname IN ('pgcrypto', 'uuid-ossp') ORDER BY 1";
    apply(&client, |op| {
        op.create_schema("ext");
        op.create_extension("pgcrypto").if_not_exists();
        op.create_extension("pgcrypto").if_not_exists();
        op.create_extension("uuid-ossp").schema("ext");
    })
    .await;
    assert_eq!(
        db.query_strings_async(installed).await,
        ["pgcrypto | public", "uuid-ossp | ext"]
    );
    assert_eq!(
        db.query_strings_async(
            "SELECT length(gen_random_bytes(4)), length(ext.uuid_generate_v4()::text)"
        )
        .await,
        ["4 | 36"]
    );
    apply(&client, |op| {
        op.drop_extension("pgcrypto");
        op.drop_extension("uuid-ossp").cascade();
        op.drop_extension("pgcrypto").if_exists();
    })
    .await;
    assert_eq!(
        db.query_strings_async(installed).await,
        Vec::<String>::new()
    );
}

/// One row holding every kind of value, inserted into typed columns.
fn every_value() -> Vec<(&'static str, Type, Value)> {
    vec![
        ("n", Type::Integer, Value::Null),
        ("b", Type::Boolean, Value::Bool(true)),
        ("i2", Type::SmallInt, Value::Int(-32768)),
        ("i8", Type::BigInt, Value::Int(i64::MAX)),
        ("f4", Type::Real, Value::Float(1.5)),
        ("f8", Type::Double, Value::Float(0.1)),
        ("nan", Type::Double, Value::Float(f64::NAN)),
        ("inf", Type::Double, Value::Float(f64::NEG_INFINITY)),
        ("num", Type::numeric(10, 2), Value::Numeric("12.50".into())),
        ("num_int", Type::numeric(10, 2), Value::Int(7)),
        (
            "txt",
            Type::Text,
            Value::Text("it's \\ \"quoted\"; -- not a comment".into()),
        ),
        ("vc", Type::varchar(10), Value::Text("café".into())),
        (
            "bin",
            Type::Bytea,
            Value::Bytes(vec![0, 1, 0xff, b'\'', b'\\']),
        ),
        (
            "js",
            Type::Json,
            Value::Json(r#"{"b": [1, 2], "a": "x'y"}"#.into()),
        ),
        (
            "jsb",
            Type::Jsonb,
            Value::Json(r#"{"b": [1, 2], "a": "x'y"}"#.into()),
        ),
        (
            "id",
            Type::Uuid,
            Value::Uuid(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        ),
        ("d", Type::Date, Value::Date("2024-02-29".into())),
        ("d_text", Type::Date, Value::Text("2024-03-01".into())),
        ("t", Type::Time, Value::Time("13:45:01.5".into())),
        (
            "ts",
            Type::Timestamp,
            Value::Timestamp("2024-02-29 13:45:01".into()),
        ),
        (
            "tstz",
            Type::TimestampTz,
            Value::TimestampTz("2024-02-29 13:45:01+02".into()),
        ),
        (
            "iv",
            Type::Interval,
            Value::Interval("1 day 02:00:00".into()),
        ),
        (
            "arr",
            Type::array(Type::Integer),
            Value::Array(vec![Value::Int(1), Value::Null, Value::Int(3)]),
        ),
        (
            "arr2",
            Type::array(Type::array(Type::Text)),
            Value::Array(vec![
                Value::Array(vec![Value::from("a,b"), Value::from("c\"d")]),
                Value::Array(vec![Value::from("{e}"), Value::from("NULL")]),
            ]),
        ),
        (
            "arr_bin",
            Type::array(Type::Bytea),
            Value::Array(vec![Value::Bytes(b"\\x".to_vec())]),
        ),
        ("mood", Type::enum_type("mood"), Value::Text("sad".into())),
    ]
}

/// The values as PostgreSQL prints them.
const EVERY_VALUE_TEXT: [&str; 26] = [
    "NULL",
    "true",
    "-32768",
    "9223372036854775807",
    "1.5",
    "0.1",
    "NaN",
    "-Infinity",
    "12.50",
    "7.00",
    "it's \\ \"quoted\"; -- not a comment",
    "café",
    "\\x0001ff275c",
    r#"{"b": [1, 2], "a": "x'y"}"#,
    r#"{"a": "x'y", "b": [1, 2]}"#,
    "01234567-89ab-cdef-0123-456789abcdef",
    "2024-02-29",
    "2024-03-01",
    "13:45:01.5",
    "2024-02-29 13:45:01",
    "2024-02-29 11:45:01+00",
    "1 day 02:00:00",
    "{1,NULL,3}",
    r#"{{"a,b","c\"d"},{"{e}","NULL"}}"#,
    r#"{"\\x5c78"}"#,
    "sad",
];

#[tokio::test]
async fn bulk_insert_binds_every_value_type_online_and_offline_alike() {
    let db = TestDb::new_async(module_path!(), "bulk_insert").await;
    let client = db.client().await;
    batch(&client, "SET TIME ZONE 'UTC'").await;
    let values = every_value();
    let names: Vec<&str> = values.iter().map(|(name, _, _)| *name).collect();
    let row: Vec<Value> = values.iter().map(|(_, _, value)| value.clone()).collect();
    let setup = statements(|op| {
        op.create_enum("mood", ["happy", "sad"]);
        for table in ["online", "offline"] {
            op.create_table(
                table,
                values
                    .iter()
                    .map(|(name, ty, _)| Column::new(*name, ty.clone())),
            );
        }
    });
    apply_statements(&client, &setup, false).await;

    let insert = |table: &'static str| {
        let names = names.clone();
        let row = row.clone();
        statements(move |op| {
            op.bulk_insert(table, names, [row.clone(), row]);
        })
    };
    let online = insert("online");
    assert_eq!(online.len(), 1, "two rows, one statement");
    assert_eq!(online[0].params.len(), 2 * values.len());
    apply_statements(&client, &online, false).await;
    apply_statements(&client, &insert("offline"), true).await;

    let select = names
        .iter()
        .map(|name| format!("{name}::text"))
        .collect::<Vec<_>>()
        .join(", ");
    for table in ["online", "offline"] {
        let rows = db
            .query_rows_async(&format!("SELECT {select} FROM {table}"))
            .await;
        assert_eq!(rows.len(), 2, "{table}");
        for row in rows {
            let printed: Vec<String> = row
                .into_iter()
                .map(|value| value.unwrap_or_else(|| "NULL".to_owned()))
                .collect();
            assert_eq!(printed, EVERY_VALUE_TEXT, "{table}");
        }
    }
}

#[tokio::test]
async fn values_bind_through_a_prepared_statement_too() {
    let db = TestDb::new_async(module_path!(), "prepared").await;
    let client = db.client().await;
    batch(
        &client,
        "CREATE TABLE t (d date, b bytea, n numeric, a int[], j jsonb)",
    )
    .await;
    let params = [
        Value::Date("2024-01-31".into()),
        Value::Bytes(vec![1, 2]),
        Value::Float(2.5),
        Value::Array(vec![Value::Int(4)]),
        Value::Json("[1]".into()),
    ];
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
    // `execute` prepares first, so the server reports the column types to `to_sql`.
    client
        .execute("INSERT INTO t VALUES ($1, $2, $3, $4, $5)", &refs)
        .await
        .unwrap_or_else(|err| panic!("{}", describe(&err)));
    assert_eq!(
        db.query_strings_async("SELECT * FROM t").await,
        ["2024-01-31 | \\x0102 | 2.5 | {4} | [1]"]
    );
}

#[tokio::test]
async fn execute_with_parameters_and_autocommit_block() {
    let db = TestDb::new_async(module_path!(), "execute").await;
    let client = db.client().await;
    let all = statements(|op| {
        op.execute(
            "CREATE TABLE t (id int, name text);
             -- a comment; with a semicolon
             CREATE FUNCTION bump(x int) RETURNS int AS $$ SELECT x + 1; $$ LANGUAGE sql;
             INSERT INTO t VALUES (1, 'a;b');",
        );
        op.execute_with(
            "INSERT INTO t VALUES (bump($1), $2)",
            [Value::from(1), Value::from("o'brien")],
        );
        op.autocommit_block(|op| {
            op.execute("CREATE TYPE mood AS ENUM ('happy')");
            op.execute("ALTER TYPE mood ADD VALUE 'sad'");
            op.execute_with(
                "INSERT INTO t VALUES ($1, $2::mood::text)",
                [Value::from(3), Value::from("sad")],
            );
        });
    });
    assert_eq!(
        all.iter().map(|s| s.transactional).collect::<Vec<_>>(),
        [true, true, true, true, false, false, false]
    );
    apply_statements(&client, &all, false).await;
    assert_eq!(
        db.query_strings_async("SELECT id, name FROM t ORDER BY id")
            .await,
        ["1 | a;b", "2 | o'brien", "3 | sad"]
    );
}

#[tokio::test]
async fn generated_names_longer_than_63_bytes_are_shortened_like_sqlalchemy() {
    let db = TestDb::new_async(module_path!(), "long_names").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_table(
            "customer_accounts_archive",
            [Column::new("id", Type::Integer).primary_key()],
        );
        op.create_table(
            "order_line_items_archive",
            [Column::new("customer_account_id", Type::Integer)
                .references(ForeignKey::to("customer_accounts_archive", ["id"]))],
        );
        op.create_index("order_line_items_archive", ["customer_account_id"])
            .name(f(
                "ix_order_line_items_archive_customer_account_id_with_a_long_suffix",
            ));
    })
    .await;
    assert_eq!(
        constraints(&db, "order_line_items_archive").await,
        [
            "fk_order_line_items_archive_customer_account_id_custome_103a | FOREIGN KEY (customer_account_id) REFERENCES customer_accounts_archive(id)"
        ]
    );
    // The value SQLAlchemy 2.1.9 renders for `conv()` of that name.
    assert_eq!(
        indexes(&db, "order_line_items_archive").await,
        [
            "ix_order_line_items_archive_customer_account_id_with_a__baa3 | CREATE INDEX ix_order_line_items_archive_customer_account_id_with_a__baa3 ON public.order_line_items_archive USING btree (customer_account_id) | t"
        ]
    );

    apply(&client, |op| {
        op.drop_constraint(
            f("fk_order_line_items_archive_customer_account_id_customer_accounts_archive"),
            "order_line_items_archive",
        );
        op.drop_index(f(
            "ix_order_line_items_archive_customer_account_id_with_a_long_suffix",
        ));
    })
    .await;
    assert_eq!(
        constraints(&db, "order_line_items_archive").await,
        Vec::<String>::new()
    );
    assert_eq!(
        indexes(&db, "order_line_items_archive").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn identifiers_that_need_quotes_round_trip() {
    let db = TestDb::new_async(module_path!(), "quoting").await;
    let client = db.client().await;
    apply(&client, |op| {
        op.create_schema("My Schema");
        op.create_table(
            "User",
            [
                Column::new("select", Type::Integer).primary_key(),
                Column::new("café", Type::Text).unique(),
                Column::new("a\"b", Type::Text),
                Column::new("1st", Type::Text),
                Column::new("$x", Type::Text),
                Column::new("x$", Type::Text),
            ],
        )
        .schema("My Schema");
        op.create_index("User", ["a\"b"]).schema("My Schema");
        op.bulk_insert(
            "User",
            ["select", "café"],
            [[Value::from(1), Value::from("x")]],
        )
        .schema("My Schema");
    })
    .await;
    assert_eq!(
        db.query_strings_async(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'My Schema' AND table_name = 'User' ORDER BY ordinal_position"
        )
        .await,
        ["select", "café", "a\"b", "1st", "$x", "x$"]
    );
    assert_eq!(
        constraints(&db, "\"My Schema\".\"User\"").await,
        [
            "pk_User | PRIMARY KEY (\"select\")",
            "uq_User_café | UNIQUE (\"café\")"
        ]
    );
    assert_eq!(
        indexes(&db, "\"My Schema\".\"User\"")
            .await
            .iter()
            .map(|row| row.split(" | ").next().unwrap_or("").to_owned())
            .collect::<Vec<_>>(),
        ["ix_My Schema_User_a\"b", "pk_User", "uq_User_café"]
    );
    apply(&client, |op| {
        op.drop_table("User").schema("My Schema");
        op.drop_schema("My Schema");
    })
    .await;
    assert!(!exists(&db, "\"My Schema\".\"User\"").await);
}

#[tokio::test]
async fn version_table_rows() {
    let db = TestDb::new_async(module_path!(), "version_table").await;
    let client = db.client().await;
    for table in [
        VersionTable::default(),
        VersionTable::new(Some("myschema"), "my_version"),
    ] {
        batch(&client, "CREATE SCHEMA IF NOT EXISTS myschema").await;
        let rows = || async {
            db.query_strings_async(&format!(
                "SELECT version_num FROM {} ORDER BY 1",
                table.qualified_name(&Postgres)
            ))
            .await
        };
        apply_statements(
            &client,
            &[
                table.create_table(&Postgres),
                table.create_table_if_not_exists(&Postgres),
                table.insert(&Postgres, "1975ea83b712"),
                table.insert(&Postgres, "cccc03"),
            ],
            false,
        )
        .await;
        assert_eq!(rows().await, ["1975ea83b712", "cccc03"]);
        apply_statements(
            &client,
            &[table.update(&Postgres, "1975ea83b712", "ae1027a6acf")],
            false,
        )
        .await;
        // Offline text runs too.
        apply_statements(&client, &[table.delete(&Postgres, "cccc03")], true).await;
        assert_eq!(rows().await, ["ae1027a6acf"]);
        let pk = db
            .query_strings_async(&format!(
                "SELECT conname FROM pg_constraint WHERE conrelid = '{}'::regclass",
                table.qualified_name(&Postgres)
            ))
            .await;
        assert_eq!(pk, [format!("{}_pkc", table.name)]);
        let selected = client
            .query(&table.select(&Postgres).sql, &[])
            .await
            .unwrap_or_else(|err| panic!("{}", describe(&err)));
        assert_eq!(selected.len(), 1);
    }
}

#[tokio::test]
async fn a_thousand_operations_make_a_thousand_statements() {
    let db = TestDb::new_async(module_path!(), "thousand").await;
    let client = db.client().await;
    let all = statements(|op| {
        op.create_table("wide", [Column::new("c0", Type::Integer)]);
        for i in 1..1000 {
            op.add_column("wide", Column::new(format!("c{i}"), Type::Integer));
        }
    });
    // One statement per operation, each one round trip, however the revision is written.
    assert_eq!(all.len(), 1000);
    apply_statements(&client, &all, false).await;
    assert_eq!(
        db.query_strings_async(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'wide'"
        )
        .await,
        ["1000"]
    );
}

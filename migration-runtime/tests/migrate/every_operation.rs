//! One Rust revision that uses every operation: it upgrades and downgrades on PostgreSQL, and
//! its `--sql` script, run by psql on a second database, leaves exactly the same schema and
//! data — the online and offline statements are the same.

use std::process::Command;

use alembic_test_support::TestDb;
use migration_runtime::Migrations;
use migration_runtime::embed::{Body, EmbeddedConfig, EmbeddedRevision};

use crate::graph::DEFAULT_CONFIG;

/// `versions/e0e0e0e0e0e0_every_operation.rs`.
mod revision {
    use migration_runtime::prelude::*;

    pub fn upgrade(op: &mut Op) {
        op.create_schema("billing").if_not_exists();
        op.create_extension("pg_trgm").if_not_exists();
        op.create_enum("mood", ["happy", "sad"]);
        op.add_enum_value("mood", "meh").before("sad");
        op.create_sequence("invoice_number")
            .data_type(Type::BigInt)
            .start(1000)
            .increment(1);
        op.create_table(
            "team",
            [
                Column::new("id", Type::Integer).not_null(),
                Column::new("name", Type::Text).not_null(),
            ],
        );
        op.create_primary_key("team", PrimaryKey::new(["id"]));
        op.create_unique_constraint("team", UniqueConstraint::new(["name"]));
        op.create_table(
            "account",
            [
                Column::new("id", Type::BigInt)
                    .identity(Identity::always())
                    .primary_key(),
                Column::new("email", Type::varchar(200)).not_null().unique(),
                Column::new("mood", Type::enum_type("mood")),
                Column::new("team_id", Type::Integer),
                Column::new("balance", Type::Integer).server_default("0"),
                Column::new("tags", Type::array(Type::Text)),
                Column::new("data", Type::Jsonb),
                Column::new("note", Type::Text).comment("free text"),
            ],
        )
        .comment("one row per customer");
        op.create_table(
            "invoice",
            [
                Column::new("id", Type::Serial).primary_key(),
                Column::new("account_id", Type::BigInt).references(
                    ForeignKey::to("account", ["id"]).on_delete(ReferentialAction::Cascade),
                ),
                Column::new("total", Type::numeric(12, 2)).not_null(),
            ],
        )
        .schema("billing")
        .if_not_exists();
        op.create_table("scratch", [Column::new("id", Type::Integer)]);
        op.rename_table("scratch", "scratch_renamed");
        op.create_table_comment("team", "teams of accounts");
        op.add_column("account", Column::new("created_at", Type::TimestampTz));
        op.alter_column("account", "balance")
            .set_type(Type::numeric(12, 2))
            .using("balance::numeric(12, 2)")
            .nullable(false)
            .server_default_value(0)
            .comment("in euros")
            .rename_to("balance_eur");
        op.create_foreign_key(
            "account",
            ForeignKey::new(["team_id"], "team", ["id"])
                .on_delete(ReferentialAction::SetNull)
                .on_update(ReferentialAction::Cascade)
                .deferrable()
                .initially_deferred(),
        );
        op.create_check_constraint(
            "account",
            CheckConstraint::new("balance_eur >= 0").name("balance_positive"),
        );
        op.create_index("account", [IndexElement::expr("lower(email)")])
            .name("ix_account_email_lower")
            .unique()
            .where_("note IS NULL")
            .include(["id"]);
        op.create_index("account", ["data"])
            .using(IndexMethod::Gin)
            .if_not_exists();
        op.create_index("account", ["created_at"]).concurrently();
        op.bulk_insert(
            "team",
            ["id", "name"],
            [
                [Value::from(1), Value::from("core")],
                [Value::from(2), Value::from("o'brien's")],
            ],
        );
        op.bulk_insert(
            "account",
            ["email", "mood", "team_id", "tags", "data"],
            [[
                Value::from("a@example.com"),
                Value::from("meh"),
                Value::from(1),
                Value::Array(vec![Value::from("x"), Value::from("y,z")]),
                Value::Json(r#"{"k": [1, 2]}"#.into()),
            ]],
        );
        op.execute_with(
            "UPDATE account SET note = $1 WHERE email = $2",
            [Value::from("first"), Value::from("a@example.com")],
        );
        op.execute("INSERT INTO billing.invoice (account_id, total) SELECT id, 9.90 FROM account");
        op.autocommit_block(|op| {
            op.execute("ALTER TYPE mood ADD VALUE 'ecstatic'");
        });
    }

    pub fn downgrade(op: &mut Op) {
        op.drop_index("ix_account_created_at").concurrently();
        op.drop_index("ix_account_data");
        op.drop_index("ix_account_email_lower");
        op.drop_constraint("ck_account_balance_positive", "account");
        op.drop_constraint("fk_account_team_id_team", "account");
        op.alter_column("account", "balance_eur")
            .rename_to("balance")
            .drop_comment();
        op.drop_column("account", "created_at");
        op.drop_table_comment("team");
        op.drop_table("scratch_renamed");
        op.drop_table("invoice").schema("billing");
        op.drop_table("account");
        op.drop_constraint("uq_team_name", "team");
        op.drop_constraint("pk_team", "team");
        op.drop_table("team");
        op.drop_sequence("invoice_number");
        op.drop_enum("mood");
        op.drop_extension("pg_trgm");
        op.drop_schema("billing");
    }
}

static CONFIG: EmbeddedConfig = DEFAULT_CONFIG;

static REVISIONS: [EmbeddedRevision; 1] = [EmbeddedRevision {
    id: "e0e0e0e0e0e0",
    down_revisions: &[],
    branch_labels: &[],
    depends_on: &[],
    longdoc: "every operation",
    create_date: Some("2026-01-01 10:00:00+00:00"),
    path: "versions/e0e0e0e0e0e0_every_operation.rs",
    body: Body::Rust {
        upgrade: revision::upgrade,
        downgrade: revision::downgrade,
    },
}];

static STORED_HEADS: [&str; 1] = ["e0e0e0e0e0e0"];

static MIGRATIONS: Migrations = Migrations::new(&REVISIONS, &STORED_HEADS, true, &CONFIG);

/// Runs an offline script with psql, stopping at the first error.
fn psql(db: &TestDb, script: &str) {
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin is piped")
                .write_all(script.as_bytes())?;
            child.wait_with_output()
        })
        .expect("psql runs");
    assert!(
        output.status.success(),
        "psql failed:\n{}\n--- script\n{script}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Everything a schema holds, as pg_dump prints it, plus the rows of every table.
fn snapshot(db: &TestDb) -> String {
    let pg_dump = ["pg_dump", "/usr/lib/postgresql/15/bin/pg_dump"]
        .into_iter()
        .find(|p| Command::new(p).arg("--version").output().is_ok())
        .expect("pg_dump is installed with PostgreSQL");
    let output = Command::new(pg_dump)
        .args(["--schema-only", "--no-owner", "-d", db.url()])
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut text: String = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| {
            !line.starts_with("--")
                && !line.starts_with("\\restrict")
                && !line.starts_with("\\unrestrict")
        })
        .collect::<Vec<_>>()
        .join("\n");
    for table in db.query_strings(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname IN ('public', 'billing') ORDER BY 1",
    ) {
        text.push_str(&format!("\n-- rows of {table}\n"));
        for row in db.query_strings(&format!("SELECT t::text FROM {table} t ORDER BY 1")) {
            text.push_str(&row);
            text.push('\n');
        }
    }
    text
}

#[tokio::test]
async fn every_operation_online_equals_its_sql_script() {
    let online = TestDb::new_async(module_path!(), "every_op_online").await;
    let offline = TestDb::new_async(module_path!(), "every_op_offline").await;
    let mut client = online.client().await;

    let report = MIGRATIONS.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(report.steps, ["upgrade  -> e0e0e0e0e0e0, every operation"]);
    let script = MIGRATIONS.migrator().upgrade_sql("head").unwrap();
    assert!(script.contains("COMMIT;\n\nCREATE INDEX CONCURRENTLY ix_account_created_at"));
    psql(&offline, &script);

    let after_upgrade = tokio::task::spawn_blocking(move || {
        (snapshot(&online), snapshot(&offline), online, offline)
    });
    let (online_snapshot, offline_snapshot, online, offline) = after_upgrade.await.unwrap();
    assert_eq!(online_snapshot, offline_snapshot);
    // The revision did what it says: a few facts from the catalog and the data.
    for expected in [
        "CREATE TYPE public.mood AS ENUM (\n    'happy',\n    'meh',\n    'sad',\n    'ecstatic'\n);",
        "CREATE SEQUENCE public.invoice_number\n    START WITH 1000",
        "CONSTRAINT ck_account_balance_positive CHECK ((balance_eur >= (0)::numeric))",
        "CREATE UNIQUE INDEX ix_account_email_lower ON public.account USING btree (lower((email)::text)) INCLUDE (id) WHERE (note IS NULL);",
        "CREATE INDEX ix_account_data ON public.account USING gin (data);",
        "COMMENT ON COLUMN public.account.balance_eur IS 'in euros';",
        "ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;",
        "CREATE TABLE public.scratch_renamed",
        "-- rows of public.team\n(1,core)\n(2,o'brien's)\n",
        "(1,a@example.com,meh,1,0.00,\"{x,\"\"y,z\"\"}\",\"{\"\"k\"\": [1, 2]}\",first,)",
        "-- rows of billing.invoice\n(1,1,9.90)\n",
    ] {
        assert!(
            online_snapshot.contains(expected),
            "missing {expected:?} in\n{online_snapshot}"
        );
    }

    MIGRATIONS.downgrade(&mut client, "base").await.unwrap();
    psql(
        &offline,
        &MIGRATIONS.migrator().downgrade_sql("head:base").unwrap(),
    );
    let after_downgrade =
        tokio::task::spawn_blocking(move || (snapshot(&online), snapshot(&offline)));
    let (online_snapshot, offline_snapshot) = after_downgrade.await.unwrap();
    assert_eq!(online_snapshot, offline_snapshot);
    assert!(
        !online_snapshot.contains("CREATE TABLE public.account")
            && !online_snapshot.contains("billing"),
        "{online_snapshot}"
    );
}

//! Rust revisions written with the operations API, declared as the generated registry
//! declares them, applied and reversed on a real database.

use crate::graph::{DEFAULT_CONFIG, rows, tables};
use alembic_test_support::TestDb;
use migration_runtime::Migrations;
use migration_runtime::embed::{Body, EmbeddedConfig, EmbeddedRevision};

/// `versions/a1b2c3d4e5f6_create_account.rs`.
mod create_account {
    use migration_runtime::prelude::*;

    pub fn upgrade(op: &mut Op) {
        op.create_enum("plan", ["free", "paid"]);
        op.create_table(
            "account",
            [
                Column::new("id", Type::BigInt)
                    .identity(Identity::always())
                    .primary_key(),
                Column::new("email", Type::varchar(200)).not_null().unique(),
                Column::new("plan", Type::enum_type("plan")).server_default("'free'"),
            ],
        );
        op.create_index("account", ["plan"]);
        op.bulk_insert(
            "account",
            ["email", "plan"],
            [
                [Value::from("a@example.com"), Value::from("paid")],
                [Value::from("o'brien@example.com"), Value::from("free")],
            ],
        );
    }

    pub fn downgrade(op: &mut Op) {
        op.drop_table("account");
        op.drop_enum("plan");
    }
}

/// `versions/b2c3d4e5f6a1_add_owner.rs`.
mod add_owner {
    use migration_runtime::prelude::*;

    pub fn upgrade(op: &mut Op) {
        op.create_table(
            "owner",
            [
                Column::new("id", Type::BigInt).primary_key(),
                Column::new("name", Type::Text).not_null(),
            ],
        );
        op.add_column(
            "account",
            Column::new("owner_id", Type::BigInt).references(ForeignKey::to("owner", ["id"])),
        );
        op.execute("INSERT INTO owner VALUES (1, 'root'); UPDATE account SET owner_id = 1");
    }

    pub fn downgrade(op: &mut Op) {
        op.drop_column("account", "owner_id");
        op.drop_table("owner");
    }
}

static CONFIG: EmbeddedConfig = DEFAULT_CONFIG;

static REVISIONS: [EmbeddedRevision; 2] = [
    EmbeddedRevision {
        id: "a1b2c3d4e5f6",
        down_revisions: &[],
        branch_labels: &[],
        depends_on: &[],
        longdoc: "create account",
        create_date: Some("2026-01-01 10:00:00+00:00"),
        path: "versions/a1b2c3d4e5f6_create_account.rs",
        body: Body::Rust {
            upgrade: create_account::upgrade,
            downgrade: create_account::downgrade,
        },
    },
    EmbeddedRevision {
        id: "b2c3d4e5f6a1",
        down_revisions: &["a1b2c3d4e5f6"],
        branch_labels: &[],
        depends_on: &[],
        longdoc: "add owner",
        create_date: Some("2026-01-02 10:00:00+00:00"),
        path: "versions/b2c3d4e5f6a1_add_owner.rs",
        body: Body::Rust {
            upgrade: add_owner::upgrade,
            downgrade: add_owner::downgrade,
        },
    },
];

static STORED_HEADS: [&str; 1] = ["b2c3d4e5f6a1"];

static MIGRATIONS: Migrations = Migrations::new(&REVISIONS, &STORED_HEADS, true, &CONFIG);

async fn constraints(db: &TestDb, table: &str) -> Vec<String> {
    db.query_strings_async(&format!(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = '{table}'::regclass ORDER BY conname"
    ))
    .await
}

#[tokio::test]
async fn operations_apply_and_reverse() {
    let db = TestDb::new_async(module_path!(), "rust_revisions").await;
    let mut client = db.client().await;

    let report = MIGRATIONS.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(
        report.steps,
        [
            "upgrade  -> a1b2c3d4e5f6, create account",
            "upgrade a1b2c3d4e5f6 -> b2c3d4e5f6a1, add owner",
        ]
    );
    assert_eq!(tables(&db).await, ["account", "alembic_version", "owner"]);
    assert_eq!(
        db.query_strings_async(
            "SELECT column_name, data_type, is_nullable, column_default, is_identity
             FROM information_schema.columns WHERE table_name = 'account' ORDER BY ordinal_position"
        )
        .await,
        [
            "id | bigint | NO | NULL | YES",
            "email | character varying | NO | NULL | NO",
            "plan | USER-DEFINED | YES | 'free'::plan | NO",
            "owner_id | bigint | YES | NULL | NO",
        ]
    );
    assert_eq!(
        constraints(&db, "account").await,
        [
            "fk_account_owner_id_owner | FOREIGN KEY (owner_id) REFERENCES owner(id)",
            "pk_account | PRIMARY KEY (id)",
            "uq_account_email | UNIQUE (email)",
        ]
    );
    assert_eq!(
        db.query_strings_async(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'account' ORDER BY 1"
        )
        .await,
        ["ix_account_plan", "pk_account", "uq_account_email"]
    );
    assert_eq!(
        db.query_strings_async("SELECT email, plan, owner_id FROM account ORDER BY id")
            .await,
        ["a@example.com | paid | 1", "o'brien@example.com | free | 1"]
    );
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["b2c3d4e5f6a1"]
    );

    let report = MIGRATIONS.downgrade(&mut client, "-1").await.unwrap();
    assert_eq!(
        report.steps,
        ["downgrade b2c3d4e5f6a1 -> a1b2c3d4e5f6, add owner"]
    );
    assert_eq!(tables(&db).await, ["account", "alembic_version"]);
    assert_eq!(
        constraints(&db, "account").await,
        [
            "pk_account | PRIMARY KEY (id)",
            "uq_account_email | UNIQUE (email)",
        ]
    );

    MIGRATIONS.downgrade(&mut client, "base").await.unwrap();
    assert_eq!(tables(&db).await, ["alembic_version"]);
    assert_eq!(
        db.query_strings_async("SELECT count(*) FROM pg_type WHERE typname = 'plan'")
            .await,
        ["0"]
    );
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        Vec::<String>::new()
    );

    // And forward again, from base, in one run.
    MIGRATIONS.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["b2c3d4e5f6a1"]
    );
    // The offline script of the same revisions renders the same operations.
    let script = MIGRATIONS.migrator().upgrade_sql("head").unwrap();
    assert!(
        script.contains(
            "INSERT INTO account (email, plan) VALUES ('a@example.com', 'paid'), \
             ('o''brien@example.com', 'free');"
        ),
        "{script}"
    );
}

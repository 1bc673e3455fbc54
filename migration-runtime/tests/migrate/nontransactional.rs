//! Statements PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`,
//! `ALTER TYPE ... ADD VALUE`, `DROP INDEX CONCURRENTLY`) run between a `COMMIT` and a
//! `BEGIN`, online and offline, with no annotation in the revision.

use alembic_test_support::TestDb;

use crate::graph::{SqlRev, migrations, rev, rows};

/// An index built concurrently and an enum value added, between ordinary statements.
pub const ONLINE_DDL: &[SqlRev] = &[
    rev(
        "n1",
        &[],
        "items",
        &[
            "CREATE TYPE mood AS ENUM ('happy')",
            "CREATE TABLE item (id int, name text, mood mood)",
            "INSERT INTO item VALUES (1, 'one', 'happy')",
        ],
        &["DROP TABLE item", "DROP TYPE mood"],
    ),
    rev(
        "n2",
        &["n1"],
        "index and value",
        &[
            "ALTER TABLE item ADD COLUMN note text",
            "CREATE INDEX CONCURRENTLY ix_item_name ON item (name)",
            "ALTER TYPE mood ADD VALUE 'sad'",
            "UPDATE item SET note = 'indexed'",
        ],
        &[
            "DROP INDEX CONCURRENTLY ix_item_name",
            "ALTER TABLE item DROP COLUMN note",
        ],
    ),
];

#[tokio::test]
async fn concurrent_index_and_enum_value_run_outside_the_transaction() {
    let db = TestDb::new_async(module_path!(), "nontransactional_online").await;
    let mut client = db.client().await;
    let m = migrations(ONLINE_DDL);
    let report = m.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(
        report.steps,
        ["upgrade  -> n1, items", "upgrade n1 -> n2, index and value"]
    );
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["n2"]);
    // The index was built concurrently and is valid; the enum has its new value.
    assert_eq!(
        db.query_strings_async(
            "SELECT c.relname, i.indisvalid, i.indisready FROM pg_index i
             JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = 'item'::regclass"
        )
        .await,
        ["ix_item_name | t | t"]
    );
    assert_eq!(
        db.query_strings_async("SELECT unnest(enum_range(NULL::mood))::text")
            .await,
        ["happy", "sad"]
    );
    assert_eq!(
        db.query_strings_async("SELECT note FROM item").await,
        ["indexed"]
    );

    let report = m.downgrade(&mut client, "n1").await.unwrap();
    assert_eq!(report.steps, ["downgrade n2 -> n1, index and value"]);
    assert_eq!(
        db.query_strings_async("SELECT count(*) FROM pg_index WHERE indrelid = 'item'::regclass")
            .await,
        ["0"]
    );
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["n1"]);
}

#[test]
fn offline_script_commits_around_them() {
    let script = migrations(ONLINE_DDL)
        .migrator()
        .upgrade_sql("n1:head")
        .unwrap();
    assert_eq!(
        script,
        "BEGIN;

-- Running upgrade n1 -> n2

ALTER TABLE item ADD COLUMN note text;

COMMIT;

CREATE INDEX CONCURRENTLY ix_item_name ON item (name);

ALTER TYPE mood ADD VALUE 'sad';

BEGIN;

UPDATE item SET note = 'indexed';

UPDATE alembic_version SET version_num='n2' WHERE alembic_version.version_num = 'n1';

COMMIT;

"
    );
}

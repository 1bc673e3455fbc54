//! Where the transactions fall: Alembic's default is one transaction for the whole run on
//! PostgreSQL, so a failure in revision 3 takes revisions 1 and 2 back with it;
//! `transaction_per_migration` commits each revision with its version-table update. And what
//! the error says: the revision, the statement, and PostgreSQL's message, detail and hint.

use alembic_test_support::TestDb;
use migration_runtime::embed::EmbeddedConfig;
use migration_runtime::migrate::MigrateError;

use crate::graph::{
    DEFAULT_CONFIG, SqlRev, in_transaction_block, migrations, migrations_with, rev, rows, tables,
};

/// Revision 3 violates a unique constraint.
const FAILS_AT_THREE: &[SqlRev] = &[
    rev(
        "f1",
        &[],
        "one",
        &["CREATE TABLE one (id int PRIMARY KEY)"],
        &["DROP TABLE one"],
    ),
    rev(
        "f2",
        &["f1"],
        "two",
        &["CREATE TABLE two (id int)", "INSERT INTO two VALUES (2)"],
        &["DROP TABLE two"],
    ),
    rev(
        "f3",
        &["f2"],
        "three",
        &[
            "CREATE TABLE three (id int)",
            "INSERT INTO one (id) VALUES (1), (1)",
        ],
        &["DROP TABLE three"],
    ),
];

const DUPLICATE_KEY: &str = "\
revision f3 (versions/f3_rev.sql:12) failed: duplicate key value violates unique constraint \"one_pkey\"
  detail: Key (id)=(1) already exists.
  statement: INSERT INTO one (id) VALUES (1), (1)";

#[tokio::test]
async fn a_failure_in_revision_three_rolls_back_the_whole_run() {
    let db = TestDb::new_async(module_path!(), "rollback_whole_run").await;
    let mut client = db.client().await;
    let m = migrations(FAILS_AT_THREE);

    let err = m.upgrade(&mut client, "head").await.unwrap_err();
    assert!(matches!(err, MigrateError::Statement { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{DUPLICATE_KEY}
  the transaction was rolled back; the database is unchanged (not applied: upgrade  -> f1, one; upgrade f1 -> f2, two)"
        )
    );
    // Nothing: not revisions 1 and 2, not even the version table.
    assert_eq!(tables(&db).await, Vec::<String>::new());

    // From a database at revision 1, the version table keeps its row.
    m.upgrade(&mut client, "f1").await.unwrap();
    let err = m.upgrade(&mut client, "head").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{DUPLICATE_KEY}
  the transaction was rolled back; the database is unchanged (not applied: upgrade f1 -> f2, two)"
        )
    );
    assert_eq!(tables(&db).await, ["alembic_version", "one"]);
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["f1"]);

    // The connection is usable afterwards, with no transaction left open or aborted.
    assert!(!in_transaction_block(&client).await);
}

#[tokio::test]
async fn transaction_per_migration_keeps_the_revisions_before_the_failure() {
    let db = TestDb::new_async(module_path!(), "per_migration_failure").await;
    let mut client = db.client().await;

    let err = migrations(FAILS_AT_THREE)
        .migrator()
        .transaction_per_migration(true)
        .upgrade(&mut client, "head")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{DUPLICATE_KEY}
  the transaction was rolled back; committed before the failure: upgrade  -> f1, one; upgrade f1 -> f2, two"
        )
    );
    assert_eq!(tables(&db).await, ["alembic_version", "one", "two"]);
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["f2"]);
    assert_eq!(db.query_strings_async("SELECT id FROM two").await, ["2"]);

    // The same from the embedded configuration (alembic.toml's transaction_per_migration).
    let db = TestDb::new_async(module_path!(), "per_migration_config").await;
    let mut client = db.client().await;
    let m = migrations_with(
        FAILS_AT_THREE,
        EmbeddedConfig {
            transaction_per_migration: true,
            ..DEFAULT_CONFIG
        },
    );
    m.upgrade(&mut client, "head").await.unwrap_err();
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["f2"]);
}

#[tokio::test]
async fn the_error_carries_postgres_hint() {
    let db = TestDb::new_async(module_path!(), "error_hint").await;
    let mut client = db.client().await;
    let m = migrations(&[
        rev("h1", &[], "", &["CREATE TABLE h (id int)"], &[]),
        rev(
            "h2",
            &["h1"],
            "call it",
            &["SELECT no_such_function(1)"],
            &[],
        ),
    ]);
    let err = m.upgrade(&mut client, "head").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "revision h2 (versions/h2_rev.sql:10) failed: function no_such_function(integer) does not exist
  hint: No function matches the given name and argument types. You might need to add explicit type casts.
  statement: SELECT no_such_function(1)
  the transaction was rolled back; the database is unchanged (not applied: upgrade  -> h1)"
    );
    assert_eq!(tables(&db).await, Vec::<String>::new());
}

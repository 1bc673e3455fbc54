//! The version table: which rows each kind of step leaves (Alembic's `HeadMaintainer`), the
//! table's DDL against Python Alembic's, and a configured table name and schema.

use alembic_test_support::TestDb;
use migration_runtime::embed::EmbeddedConfig;

use crate::graph::{
    BRANCHED, DEFAULT_CONFIG, LINEAR, exists, migrations, migrations_with, py_alembic,
    python_project, rows, tables,
};

#[tokio::test]
async fn rows_follow_a_branch_a_new_branch_a_merge_and_go_back_to_base() {
    let db = TestDb::new_async(module_path!(), "rows_branch_merge").await;
    let mut client = db.client().await;
    let m = migrations(BRANCHED);

    // No table before the first run; `current` does not create it.
    assert_eq!(m.current(&mut client).await.unwrap(), Vec::<String>::new());
    assert_eq!(rows(&db, "alembic_version").await, None);

    // From base: CREATE TABLE, INSERT, then UPDATEs along the line.
    let report = m.upgrade(&mut client, "bbbb02").await.unwrap();
    assert_eq!(
        report.steps,
        [
            "upgrade  -> 1a, create account",
            "upgrade 1a -> aaaa01, base",
            "upgrade aaaa01 -> bbbb02, second",
        ]
    );
    assert_eq!(report.heads, ["bbbb02"]);
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["bbbb02"]);

    // Along a branch: the row is updated.
    m.upgrade(&mut client, "cccc03").await.unwrap();
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["cccc03"]);

    // The other branch, whose parent is not a row: a second row is inserted.
    let report = m.upgrade(&mut client, "dddd04").await.unwrap();
    assert_eq!(report.steps, ["upgrade bbbb02 -> dddd04, branch two"]);
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["cccc03", "dddd04"]
    );
    let mut current = m.current(&mut client).await.unwrap();
    current.sort();
    assert_eq!(current, ["cccc03", "dddd04"]);

    // The merge: one parent's row deleted, the other's updated.
    let report = m.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(report.steps, ["upgrade cccc03, dddd04 -> eeee05, merge it"]);
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["eeee05"]);
    assert_eq!(
        tables(&db).await,
        [
            "alembic_version",
            "t_1a",
            "t_aaaa01",
            "t_bbbb02",
            "t_cccc03",
            "t_dddd04",
            "t_eeee05"
        ]
    );

    // Unmerge: the merge's row goes back to both parents. (A downgrade to `cccc03` takes
    // down only what descends from it, as in Alembic: `dddd04` stays.)
    let report = m.downgrade(&mut client, "cccc03").await.unwrap();
    assert_eq!(
        report.steps,
        ["downgrade eeee05 -> cccc03, dddd04, merge it"]
    );
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["cccc03", "dddd04"]
    );

    // A branch whose parent is implied by the other head: its row is deleted.
    m.downgrade(&mut client, "dddd04@-1").await.unwrap();
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["cccc03"]);

    // To base: every row deleted, the table kept.
    let report = m.downgrade(&mut client, "base").await.unwrap();
    assert_eq!(report.heads, Vec::<String>::new());
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(tables(&db).await, ["alembic_version"]);
}

/// The table's columns, types, nullability and constraints, read from the catalog.
async fn describe(db: &TestDb, schema: &str, table: &str) -> Vec<String> {
    let mut facts = db
        .query_strings_async(&format!(
            "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
             FROM information_schema.columns
             WHERE table_schema = '{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
        ))
        .await;
    facts.extend(
        db.query_strings_async(&format!(
            "SELECT tc.constraint_name, tc.constraint_type, k.column_name
             FROM information_schema.table_constraints tc
             JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
             WHERE tc.table_schema = '{schema}' AND tc.table_name = '{table}'
             ORDER BY 1"
        ))
        .await,
    );
    facts
}

#[tokio::test]
async fn version_table_ddl_is_alembics() {
    let ours = TestDb::new_async(module_path!(), "ddl_ours").await;
    let theirs = TestDb::new_async(module_path!(), "ddl_theirs").await;
    let mut client = ours.client().await;
    migrations(LINEAR)
        .upgrade(&mut client, "head")
        .await
        .unwrap();
    let expected = [
        "version_num | character varying | 32 | NO | NULL",
        "alembic_version_pkc | PRIMARY KEY | version_num",
    ];
    assert_eq!(describe(&ours, "public", "alembic_version").await, expected);

    // The same facts for the table Python Alembic creates.
    let dir = tempfile::tempdir().unwrap();
    python_project(LINEAR, dir.path());
    let url = theirs
        .url()
        .replacen("postgres://", "postgresql+psycopg2://", 1);
    py_alembic(dir.path(), &["-x", &format!("url={url}"), "stamp", "head"]);
    assert_eq!(
        describe(&theirs, "public", "alembic_version").await,
        expected
    );
}

#[tokio::test]
async fn configured_version_table_and_schema() {
    let db = TestDb::new_async(module_path!(), "configured_table").await;
    let mut client = db.client().await;
    // Alembic creates no schema for the version table; neither do we.
    db.execute_async("CREATE SCHEMA meta").await;

    // From the embedded configuration (alembic.toml's version_table, version_table_schema).
    let m = migrations_with(
        LINEAR,
        EmbeddedConfig {
            version_table: "app_version",
            version_table_schema: Some("meta"),
            ..DEFAULT_CONFIG
        },
    );
    m.upgrade(&mut client, "ae1027a6acf").await.unwrap();
    assert_eq!(
        rows(&db, "meta.app_version").await.unwrap(),
        ["ae1027a6acf"]
    );
    assert_eq!(m.current(&mut client).await.unwrap(), ["ae1027a6acf"]);
    assert!(!exists(&db, "public.alembic_version").await);
    assert_eq!(
        describe(&db, "meta", "app_version").await,
        [
            "version_num | character varying | 32 | NO | NULL",
            "app_version_pkc | PRIMARY KEY | version_num",
        ]
    );

    m.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(
        rows(&db, "meta.app_version").await.unwrap(),
        ["27c6a30d7c24"]
    );

    // From the builder, overriding the configuration: a second history in the same database.
    let other = migrations(LINEAR)
        .migrator()
        .version_table("other_version", Some("meta"));
    other.stamp(&mut client, &["head"], false).await.unwrap();
    assert_eq!(
        rows(&db, "meta.other_version").await.unwrap(),
        ["27c6a30d7c24"]
    );
    assert_eq!(other.current(&mut client).await.unwrap(), ["27c6a30d7c24"]);
}

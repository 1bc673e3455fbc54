//! What every autogenerate test needs: the admin URL, introspection with the suite's
//! options, a shadow database, and operations applied the way the migrator applies them.

use std::path::{Path, PathBuf};

use alembic_test_support::TestDb;
use migration_runtime::autogenerate::{CompareOptions, Diff, compare, describe};
use migration_runtime::dialect::{Dialect, Postgres, Statement};
use migration_runtime::introspect::{
    IntrospectOptions, ShadowOptions, introspect, shadow_metadata,
};
use migration_runtime::ops::Operation;
use migration_runtime::schema::Metadata;
use migration_runtime::url::DatabaseUrl;
use tokio_postgres::Client;

/// The schemas every test reads: the default one and `app`.
pub fn options() -> IntrospectOptions {
    IntrospectOptions::default().schemas(["public", "app"])
}

/// The server `DATABASE_URL` names, as `TestDb` uses it.
pub fn admin_url() -> DatabaseUrl {
    let url = migration_runtime::config::env_var("DATABASE_URL")
        .expect("set DATABASE_URL or run `cargo xtask test`");
    DatabaseUrl::parse(&url).unwrap_or_else(|err| panic!("{err}"))
}

pub fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/autogenerate/cases")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

pub async fn current(client: &Client) -> Metadata {
    introspect(client, &options())
        .await
        .unwrap_or_else(|err| panic!("{err}"))
}

/// The schema `sql` declares, read through a shadow database.
pub async fn shadow(sql: &str) -> Metadata {
    let options = ShadowOptions {
        introspect: options(),
        shadow_url: None,
    };
    shadow_metadata(&admin_url(), sql, &options)
        .await
        .unwrap_or_else(|err| panic!("{err}"))
}

pub async fn database(name: &str, sql: &str) -> (TestDb, Client) {
    let db = TestDb::new_async(module_path!(), name).await;
    let client = db.client().await;
    if !sql.is_empty() {
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|err| panic!("{}", error(&err)));
    }
    (db, client)
}

pub fn error(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => err.to_string(),
    }
}

/// Applies operations as the migrator does: runs of transactional statements in a
/// transaction, the others alone, outside any.
pub async fn apply(client: &Client, operations: &[Operation]) {
    let statements: Vec<Statement> = operations
        .iter()
        .flat_map(|operation| {
            Postgres
                .statements(operation)
                .unwrap_or_else(|err| panic!("{err}"))
        })
        .collect();
    let mut in_transaction = false;
    for statement in &statements {
        if statement.transactional != in_transaction {
            batch(client, if in_transaction { "COMMIT" } else { "BEGIN" }).await;
            in_transaction = statement.transactional;
        }
        batch(client, &statement.render_offline(&Postgres)).await;
    }
    if in_transaction {
        batch(client, "COMMIT").await;
    }
}

async fn batch(client: &Client, sql: &str) {
    if let Err(err) = client.batch_execute(sql).await {
        panic!("`{sql}` failed: {}", error(&err));
    }
}

/// Panics with the operations when `current` and `target` differ.
#[track_caller]
pub fn assert_same(current: &Metadata, target: &Metadata, when: &str) {
    let diff = compare(current, target, &CompareOptions::default());
    assert_empty(&diff, when);
}

#[track_caller]
pub fn assert_empty(diff: &Diff, when: &str) {
    let operations: Vec<String> = diff.upgrade.iter().map(describe).collect();
    assert!(
        operations.is_empty(),
        "{when}: the schemas still differ:\n  {}\n{:#?}",
        operations.join("\n  "),
        diff.upgrade
    );
}

//! A realistic schema (`cases/realistic/schema.sql`, 58 tables in two schemas, every object
//! kind) generated from an empty database: the upgrade must produce a database that
//! `pg_dump --schema-only` prints exactly as it prints the schema applied directly, and the
//! downgrade must empty the database again.

use std::path::PathBuf;

use migration_runtime::autogenerate::{CompareOptions, compare, render_sql};
use migration_runtime::dialect::{Postgres, split_statements};
use migration_runtime::introspect::{QUERY_COUNT, introspect_with_report};
use tokio_postgres::Client;

use crate::support::{
    apply, assert_same, cases_dir, current, database, error, options, read, shadow,
};

fn schema_sql() -> String {
    read(&cases_dir().join("realistic/schema.sql"))
}

#[tokio::test]
async fn realistic_schema_from_scratch_and_back() {
    let sql = schema_sql();
    let target = shadow(&sql).await;
    assert!(target.tables.len() >= 50, "{} tables", target.tables.len());

    let (generated, client) = database("realistic_generated", "").await;
    let empty = current(&client).await;
    assert!(empty.is_empty() && empty.schemas.is_empty(), "{empty:#?}");
    let diff = compare(&empty, &target, &CompareOptions::default());
    assert!(diff.warnings.is_empty(), "{:#?}", diff.warnings);

    // The upgrade as a `.sql` revision holds it, run statement by statement.
    let upgrade_sql = render_sql(&diff.upgrade, &diff.notes, &Postgres).unwrap();
    run_script(&client, &upgrade_sql).await;
    assert_same(&current(&client).await, &target, "after the upgrade");

    let (direct, _direct_client) = database("realistic_direct", &sql).await;
    let generated_dump = pg_dump(generated.url());
    let direct_dump = pg_dump(direct.url());
    assert!(
        generated_dump.contains("CREATE TABLE app.report"),
        "{generated_dump}"
    );
    snapbox::assert_data_eq!(generated_dump, snapbox::Data::text(direct_dump).raw());

    apply(&client, &diff.downgrade).await;
    let after = current(&client).await;
    assert!(after.is_empty() && after.schemas.is_empty(), "{after:#?}");
    let rows = generated
        .query_strings_async(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname IN ('public', 'app') \
             UNION ALL SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname IN ('public', 'app') \
             UNION ALL SELECT count(*) FROM pg_namespace WHERE nspname = 'app'",
        )
        .await;
    assert_eq!(
        rows,
        ["0", "0", "0"],
        "relations, types, schema app left behind"
    );
}

/// Introspection costs the same number of queries for one table as for 58.
#[tokio::test]
async fn introspection_query_count_does_not_grow_with_the_schema() {
    let (_small, small_client) = database(
        "query_count_small",
        "CREATE TABLE one (id integer PRIMARY KEY)",
    )
    .await;
    let (_large, large_client) = database("query_count_large", &schema_sql()).await;
    let small = introspect_with_report(&small_client, &options())
        .await
        .unwrap();
    let large = introspect_with_report(&large_client, &options())
        .await
        .unwrap();
    assert_eq!(small.metadata.tables.len(), 1);
    assert!(large.metadata.tables.len() >= 50);
    assert_eq!(small.queries, QUERY_COUNT);
    assert_eq!(large.queries, QUERY_COUNT);
    assert!(large.skipped.is_empty(), "{:#?}", large.skipped);
}

/// Runs an SQL script as the migrator runs a `.sql` revision: statement by statement, the
/// ones PostgreSQL refuses in a transaction outside it.
async fn run_script(client: &Client, sql: &str) {
    let pieces = split_statements(sql);
    assert!(pieces.len() > 100, "{} statements", pieces.len());
    client.batch_execute("BEGIN").await.unwrap();
    let mut in_transaction = true;
    for piece in pieces {
        if piece.transactional != in_transaction {
            let switch = if in_transaction { "COMMIT" } else { "BEGIN" };
            client.batch_execute(switch).await.unwrap();
            in_transaction = piece.transactional;
        }
        if let Err(err) = client.batch_execute(&piece.sql).await {
            panic!(
                "line {}: `{}` failed: {}",
                piece.line,
                piece.sql,
                error(&err)
            );
        }
    }
    if in_transaction {
        client.batch_execute("COMMIT").await.unwrap();
    }
}

/// `pg_dump --schema-only` of a database, without the version table. pg_dump's output is
/// deterministic for the same catalog contents, so nothing is normalised: the one line that
/// changes from run to run, the random `\restrict` key of recent point releases, is fixed
/// with `--restrict-key`.
fn pg_dump(url: &str) -> String {
    let program = ["/usr/lib/postgresql/15/bin/pg_dump"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("pg_dump"));
    #[expect(
        clippy::disallowed_methods,
        reason = "the runtime's tests cannot use cargo_alembic::process; failures panic with pg_dump's output"
    )]
    let command = || std::process::Command::new(&program);
    let help = command()
        .arg("--help")
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", program.display()));
    let mut args = vec![
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--exclude-table=alembic_version",
    ];
    // Point releases from August 2025 on print a random `\restrict` key unless given one.
    if String::from_utf8_lossy(&help.stdout).contains("--restrict-key") {
        args.push("--restrict-key=cargoalembic");
    }
    let output = command()
        .args(args)
        .args(["--dbname", url])
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", program.display()));
    assert!(
        output.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

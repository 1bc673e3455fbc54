//! Introspection and the shadow database on their own: what is read, what is left out, and
//! how failures are reported.

use std::sync::{Arc, Mutex};

use migration_runtime::autogenerate::{CompareOptions, ObjectKind, compare, describe};
use migration_runtime::introspect::{
    IntrospectOptions, ShadowError, ShadowOptions, introspect, introspect_with_report,
    shadow_metadata, shadow_metadata_with,
};
use migration_runtime::schema::{Metadata, QualifiedName};
use migration_runtime::url::DatabaseUrl;

use crate::support::{admin_url, database, options, shadow};

fn table_names(metadata: &Metadata) -> Vec<String> {
    metadata
        .tables
        .keys()
        .map(QualifiedName::to_string)
        .collect()
}

#[tokio::test]
async fn extension_members_and_the_version_table_are_left_out() {
    let (_db, client) = database(
        "extension_members",
        "CREATE EXTENSION IF NOT EXISTS citext;
         CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY);
         ALTER EXTENSION citext ADD TABLE spatial_ref_sys;
         CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
         CREATE SCHEMA app;
         CREATE TABLE app.versions (version_num varchar(32) PRIMARY KEY);
         CREATE TABLE app.alembic_version (version_num varchar(32) PRIMARY KEY);
         CREATE TABLE place (id integer PRIMARY KEY, name citext);",
    )
    .await;
    let read = introspect(&client, &options()).await.unwrap();
    assert_eq!(
        table_names(&read),
        ["place", "app.alembic_version", "app.versions"]
    );

    let all = introspect(
        &client,
        &IntrospectOptions {
            include_extension_objects: true,
            ..options().version_table("versions", Some("app"))
        },
    )
    .await
    .unwrap();
    assert_eq!(
        table_names(&all),
        [
            "alembic_version",
            "place",
            "spatial_ref_sys",
            "app.alembic_version"
        ]
    );
}

#[tokio::test]
async fn all_schemas_reads_every_user_schema() {
    let (_db, client) = database(
        "all_schemas",
        "CREATE SCHEMA billing; CREATE SCHEMA crm;
         CREATE TABLE billing.invoice (id integer); CREATE TABLE crm.lead (id integer);
         CREATE TABLE t (id integer);",
    )
    .await;
    let only_public = introspect(&client, &IntrospectOptions::default())
        .await
        .unwrap();
    assert_eq!(table_names(&only_public), ["t"]);
    let all = introspect(
        &client,
        &IntrospectOptions {
            all_schemas: true,
            ..IntrospectOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(table_names(&all), ["t", "billing.invoice", "crm.lead"]);
    assert_eq!(all.schemas.iter().collect::<Vec<_>>(), ["billing", "crm"]);
}

#[tokio::test]
async fn what_the_model_cannot_hold_is_reported() {
    let (_db, client) = database(
        "skipped",
        "CREATE TABLE measurement (at date NOT NULL, value numeric) PARTITION BY RANGE (at);
         CREATE TABLE box (
             id integer PRIMARY KEY,
             w integer, h integer,
             area integer GENERATED ALWAYS AS (w * h) STORED,
             during tstzrange,
             EXCLUDE USING gist (during WITH &&)
         );
         CREATE INDEX box_w_idx ON box (w) WITH (fillfactor = 70);",
    )
    .await;
    let report = introspect_with_report(&client, &options()).await.unwrap();
    assert_eq!(table_names(&report.metadata), ["box"]);
    let skipped = report.skipped.join("\n");
    for expected in [
        "table public.measurement: partitioned tables and partitions are not compared",
        "column box.area: generated column read as a plain column",
        "exclusion constraint box_during_excl on box: not compared",
        "index box_w_idx on box: storage parameters (WITH ...) are not compared",
    ] {
        assert!(skipped.contains(expected), "{expected}\nnot in\n{skipped}");
    }
}

#[tokio::test]
async fn a_failing_statement_is_named_with_its_line_and_the_shadow_database_dropped() {
    let admin = admin_url();
    let (client, connection) = admin.config().connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let created = Arc::new(Mutex::new(String::new()));
    let seen = created.clone();
    let sql = "CREATE TABLE a (id integer);\n\n-- a comment\nCREATE TABLE b (\n    id integer REFERENCES nowhere (id)\n);\nCREATE TABLE c (id integer);";
    let err = shadow_metadata_with(
        &client,
        |name| {
            *seen.lock().unwrap() = name.clone();
            let mut config = admin.config().clone();
            config.dbname(&name);
            async move {
                let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
                tokio::spawn(connection);
                Ok::<_, tokio_postgres::Error>(client)
            }
        },
        sql,
        &options(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 4: ERROR: relation \"nowhere\" does not exist\n    in: CREATE TABLE b ( …"
    );
    assert!(matches!(err, ShadowError::Statement { line: 4, .. }));
    let name = created.lock().unwrap().clone();
    assert!(name.starts_with("alembic_shadow_"), "{name}");
    let rows = client
        .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap();
    assert!(rows.is_empty(), "{name} was left behind");
}

#[tokio::test]
async fn a_given_shadow_database_is_used_and_left_empty() {
    let (db, _client) = database("given_shadow", "").await;
    let options = ShadowOptions {
        introspect: options(),
        shadow_url: Some(DatabaseUrl::parse(db.url()).unwrap()),
    };
    let metadata = shadow_metadata(
        &admin_url(),
        "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (id integer PRIMARY KEY, m mood);",
        &options,
    )
    .await
    .unwrap();
    assert_eq!(table_names(&metadata), ["t"]);
    assert_eq!(
        db.query_strings_async("SELECT count(*) FROM pg_class WHERE relname = 't'")
            .await,
        ["0"]
    );

    db.execute_async("CREATE TABLE existing (id integer)").await;
    let err = shadow_metadata(&admin_url(), "CREATE TABLE t (id integer)", &options)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is not empty: it holds table existing"),
        "{err}"
    );
}

/// Filters: schemas, ignored tables (names and globs), and the object hook.
#[tokio::test]
async fn filters_leave_objects_alone() {
    let current = shadow(
        "CREATE SCHEMA app;
         CREATE TABLE keep (id integer PRIMARY KEY, legacy text);
         CREATE TABLE spatial_ref_sys (srid integer);
         CREATE TABLE tmp_import_1 (x text);
         CREATE TABLE app.other (id integer);",
    )
    .await;
    let target = shadow("CREATE SCHEMA app; CREATE TABLE keep (id integer PRIMARY KEY);").await;

    let everything = compare(&current, &target, &CompareOptions::default());
    let summary: Vec<String> = everything.upgrade.iter().map(describe).collect();
    assert_eq!(
        summary,
        [
            // Tables go in the reverse of the order they would be created in.
            "remove_table 'app.other'",
            "remove_table 'tmp_import_1'",
            "remove_table 'spatial_ref_sys'",
            "remove_column 'keep.legacy'",
        ]
    );
    assert_eq!(everything.warnings.len(), 4, "{:#?}", everything.warnings);

    let filtered = compare(
        &current,
        &target,
        &CompareOptions::default()
            .include_schemas(["public"])
            .ignore_tables(["spatial_ref_sys", "tmp_*"])
            .include_object(|object| {
                !(object.kind == ObjectKind::Column && object.name == "legacy")
            }),
    );
    assert!(filtered.is_empty(), "{:#?}", filtered.upgrade);
}

/// The same schemas give the same operations, whatever order the metadata was built in.
#[tokio::test]
async fn the_comparison_is_deterministic() {
    let sql =
        std::fs::read_to_string(crate::support::cases_dir().join("realistic/schema.sql")).unwrap();
    let target = shadow(&sql).await;
    let mut reversed = Metadata::new();
    for table in target.tables.values().rev() {
        reversed.add_table(table.clone());
    }
    for enum_type in target.enums.values().rev() {
        reversed.add_enum(enum_type.clone());
    }
    for sequence in target.sequences.values().rev() {
        reversed.add_sequence(sequence.clone());
    }
    let empty = Metadata::new();
    let first = compare(&empty, &target, &CompareOptions::default());
    let second = compare(&empty, &reversed, &CompareOptions::default());
    assert_eq!(first, second);
}

//! Databases and targets the graph cannot take as they are: a version table naming a
//! revision this build does not contain, `downgrade -1` with several heads, and the
//! `stamp --purge` that repairs the first.

use alembic_test_support::TestDb;
use migration_runtime::graph::GraphError;
use migration_runtime::migrate::MigrateError;

use crate::graph::{BRANCHED, LINEAR, migrations, rows, tables};

#[tokio::test]
async fn unknown_revision_in_the_table_suggests_stamp_purge() {
    let db = TestDb::new_async(module_path!(), "unknown_revision").await;
    let mut client = db.client().await;
    let m = migrations(LINEAR);
    m.upgrade(&mut client, "ae1027a6acf").await.unwrap();
    // A newer build, or another branch, applied a revision this build does not have.
    db.execute_async("UPDATE alembic_version SET version_num = 'f00dfeed0001'")
        .await;

    for err in [
        m.upgrade(&mut client, "head").await.unwrap_err(),
        m.downgrade(&mut client, "base").await.unwrap_err(),
        m.stamp(&mut client, &["head"], false).await.unwrap_err(),
    ] {
        assert!(
            matches!(err, MigrateError::UnknownRevision { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the version table alembic_version holds 'f00dfeed0001', which this build of the \
             migrations does not contain\n\
             help: the database was migrated by a newer build or another branch; build from that \
             revision, or if the revision was deleted on purpose, reset the table with \
             `stamp --purge <revision>`"
        );
    }
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["f00dfeed0001"]
    );

    // What the help says works: every row is replaced.
    let report = m.stamp(&mut client, &["ae1027a6acf"], true).await.unwrap();
    assert_eq!(report.heads, ["ae1027a6acf"]);
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["ae1027a6acf"]);
    // And the history continues from there.
    let report = m.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(report.steps, ["upgrade ae1027a6acf -> 27c6a30d7c24, third"]);
}

#[tokio::test]
async fn stamp_purge_replaces_known_rows_too() {
    let db = TestDb::new_async(module_path!(), "stamp_purge").await;
    let mut client = db.client().await;
    let m = migrations(BRANCHED);
    m.stamp(&mut client, &["cccc03", "dddd04"], false)
        .await
        .unwrap();
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["cccc03", "dddd04"]
    );
    // Stamps run no revision.
    assert_eq!(tables(&db).await, ["alembic_version"]);

    m.stamp(&mut client, &["aaaa01"], true).await.unwrap();
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["aaaa01"]);
    m.stamp(&mut client, &["base"], true).await.unwrap();
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn downgrade_minus_one_from_two_heads_names_the_branch_syntax() {
    let db = TestDb::new_async(module_path!(), "ambiguous_downgrade").await;
    let mut client = db.client().await;
    let m = migrations(BRANCHED);
    m.upgrade(&mut client, "cccc03").await.unwrap();
    m.upgrade(&mut client, "dddd04").await.unwrap();

    let err = m.downgrade(&mut client, "-1").await.unwrap_err();
    assert!(
        matches!(
            err,
            MigrateError::Graph(GraphError::AmbiguousRelativeDowngrade { .. })
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text == "downgrade -1 from multiple heads is ambiguous; current heads are cccc03, dddd04; \
                 use '<branchname>@-1' or '<rev>@-1' to choose the branch"
            || text
                == "downgrade -1 from multiple heads is ambiguous; current heads are dddd04, cccc03; \
                    use '<branchname>@-1' or '<rev>@-1' to choose the branch",
        "{text}"
    );
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["cccc03", "dddd04"]
    );

    // What the message suggests.
    m.downgrade(&mut client, "dddd04@-1").await.unwrap();
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["cccc03"]);
    assert!(!tables(&db).await.contains(&"t_dddd04".to_owned()));

    // `head` with two heads is Alembic's error too.
    m.upgrade(&mut client, "dddd04").await.unwrap();
    let m2 = migrations(&BRANCHED[..5]);
    let err = m2.upgrade(&mut client, "head").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or 'heads' \
         for all heads"
    );
}

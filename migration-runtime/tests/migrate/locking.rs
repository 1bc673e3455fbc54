//! The migration lock: not taken at all when the database is at head, serialising eight
//! concurrent migrators, released on every path (a failing statement, a panicking revision,
//! a dropped future), and a timeout that names who holds it.

use std::time::Duration;

use alembic_test_support::TestDb;
use migration_runtime::Migrations;
use migration_runtime::embed::{Body, EmbeddedConfig, EmbeddedRevision};
use migration_runtime::migrate::MigrateError;
use migration_runtime::ops::Op;

use crate::graph::{
    DEFAULT_CONFIG, LINEAR, SqlRev, advisory_locks, backend_pid, client_named, default_lock_key,
    in_transaction_block, migrations, rev, rows, tables,
};

/// The version table's physical rows and the table's catalog row: any write to either, or
/// DDL on the table, changes them.
async fn version_table_fingerprint(db: &TestDb) -> Vec<String> {
    let mut facts = db
        .query_strings_async("SELECT version_num, xmin, ctid FROM alembic_version ORDER BY 1")
        .await;
    facts.extend(
        db.query_strings_async(
            "SELECT xmin, relfilenode FROM pg_class WHERE oid = 'alembic_version'::regclass",
        )
        .await,
    );
    facts
}

#[tokio::test]
async fn upgrade_at_head_takes_no_lock_and_writes_nothing() {
    let db = TestDb::new_async(module_path!(), "fast_path").await;
    let mut client = db.client().await;
    let m = migrations(LINEAR);
    m.upgrade(&mut client, "head").await.unwrap();
    let before = version_table_fingerprint(&db).await;

    // Another session holds the migration lock for as long as this test runs.
    let holder = db.client().await;
    let key = default_lock_key();
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .unwrap();
    let holder_pid = backend_pid(&holder).await;

    // A migrator that needed the lock would wait for it, and time out.
    let err = m
        .migrator()
        .lock_timeout(Some(Duration::from_millis(100)))
        .stamp(&mut client, &["head"], false)
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::LockTimeout { .. }), "{err}");

    // At head, `upgrade head` and `upgrade heads` return at once, with nothing done. The
    // outer timeout only turns a hang (the bug) into a failure; it is not measured.
    for target in ["head", "heads"] {
        let report = tokio::time::timeout(Duration::from_secs(60), m.upgrade(&mut client, target))
            .await
            .expect("upgrade at head waited for the migration lock")
            .unwrap();
        assert!(report.is_empty(), "{report:?}");
        assert_eq!(report.heads, ["27c6a30d7c24"]);
    }
    assert_eq!(version_table_fingerprint(&db).await, before);
    assert_eq!(
        advisory_locks(&db, key).await,
        [format!("{holder_pid} | t")]
    );
}

/// Every revision records itself in `applied`: a revision run twice shows up twice. The
/// concurrent index build is what made waiting migrators deadlock with the one holding
/// the lock, when they waited inside `pg_advisory_lock`.
const COUNTED: &[SqlRev] = &[
    rev(
        "c1",
        &[],
        "",
        &[
            "CREATE TABLE applied (rev text)",
            "INSERT INTO applied VALUES ('c1')",
        ],
        &[],
    ),
    rev(
        "c2",
        &["c1"],
        "",
        &[
            "CREATE TABLE c2_t (id int)",
            "INSERT INTO applied VALUES ('c2')",
            // Waits for every older snapshot: a waiting migrator must not hold one.
            "CREATE INDEX CONCURRENTLY ix_applied_rev ON applied (rev)",
        ],
        &[],
    ),
    rev(
        "c3",
        &["c2"],
        "",
        &["INSERT INTO applied VALUES ('c3')"],
        &[],
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_migrators_at_once_apply_each_revision_once() {
    let db = TestDb::new_async(module_path!(), "eight_at_once").await;
    let m = migrations(COUNTED);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let url = db.url().to_owned();
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            start.wait().await;
            m.upgrade(&mut client, "head").await
        }));
    }
    let mut applied_steps = Vec::new();
    for task in tasks {
        let report = task.await.unwrap().unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(report.heads, ["c3"]);
        applied_steps.extend(report.steps);
    }
    // One migrator did the work; the others found the database at head.
    applied_steps.sort();
    assert_eq!(
        applied_steps,
        ["upgrade  -> c1", "upgrade c1 -> c2", "upgrade c2 -> c3"]
    );
    assert_eq!(
        db.query_strings_async("SELECT rev, count(*) FROM applied GROUP BY rev ORDER BY rev")
            .await,
        ["c1 | 1", "c2 | 1", "c3 | 1"]
    );
    assert_eq!(rows(&db, "alembic_version").await.unwrap(), ["c3"]);
    assert_eq!(
        advisory_locks(&db, default_lock_key()).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn the_lock_is_released_after_a_failing_statement() {
    let db = TestDb::new_async(module_path!(), "lock_after_error").await;
    let mut client = db.client().await;
    let m = migrations(&[
        rev("e1", &[], "", &["CREATE TABLE e (id int)"], &[]),
        rev("e2", &["e1"], "", &["INSERT INTO e VALUES ('x')"], &[]),
    ]);
    let err = m.upgrade(&mut client, "head").await.unwrap_err();
    assert!(
        err.to_string().starts_with(
            "revision e2 (versions/e2_rev.sql:10) failed: invalid input syntax for type integer: \"x\""
        ),
        "{err}"
    );
    assert_eq!(
        advisory_locks(&db, default_lock_key()).await,
        Vec::<String>::new()
    );
    assert!(!in_transaction_block(&client).await);

    // Another migrator gets the lock at once, and so does this one.
    let mut other = db.client().await;
    m.migrator()
        .lock_timeout(Some(Duration::from_secs(30)))
        .upgrade(&mut other, "e1")
        .await
        .unwrap();
    assert_eq!(m.current(&mut client).await.unwrap(), ["e1"]);
    m.upgrade(&mut client, "e2").await.unwrap_err();
    assert_eq!(
        advisory_locks(&db, default_lock_key()).await,
        Vec::<String>::new()
    );
}

fn panics(_op: &mut Op) {
    panic!("the revision is broken");
}

fn creates_table(op: &mut Op) {
    op.execute("CREATE TABLE never (id int)");
}

fn nothing(_op: &mut Op) {}

static CONFIG: EmbeddedConfig = DEFAULT_CONFIG;

/// A SQL revision, then a Rust revision whose `upgrade` panics: what the generated registry
/// would declare for `versions/p1_create.sql` and `versions/p2_broken.rs`.
static PANICKING: [EmbeddedRevision; 3] = [
    EmbeddedRevision {
        id: "p1",
        down_revisions: &[],
        branch_labels: &[],
        depends_on: &[],
        longdoc: "create",
        create_date: None,
        path: "versions/p1_create.sql",
        body: Body::Sql {
            upgrade: "CREATE TABLE p1_t (id int);\n",
            upgrade_line: 9,
            downgrade: "DROP TABLE p1_t;\n",
            downgrade_line: 12,
        },
    },
    EmbeddedRevision {
        id: "p2",
        down_revisions: &["p1"],
        branch_labels: &[],
        depends_on: &[],
        longdoc: "works",
        create_date: None,
        path: "versions/p2_works.rs",
        body: Body::Rust {
            upgrade: creates_table,
            downgrade: nothing,
        },
    },
    EmbeddedRevision {
        id: "p3",
        down_revisions: &["p2"],
        branch_labels: &[],
        depends_on: &[],
        longdoc: "broken",
        create_date: None,
        path: "versions/p3_broken.rs",
        body: Body::Rust {
            upgrade: panics,
            downgrade: nothing,
        },
    },
];

static PANICKING_HEADS: [&str; 1] = ["p3"];

static PANICKING_MIGRATIONS: Migrations =
    Migrations::new(&PANICKING, &PANICKING_HEADS, true, &CONFIG);

#[tokio::test]
async fn a_panicking_revision_is_an_error_and_releases_the_lock() {
    let db = TestDb::new_async(module_path!(), "lock_after_panic").await;
    let mut client = db.client().await;
    let err = PANICKING_MIGRATIONS
        .upgrade(&mut client, "head")
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::Panicked { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "revision p3: upgrade() panicked: the revision is broken"
    );
    // The whole run was one transaction: p1 and p2 are gone with it.
    assert_eq!(tables(&db).await, Vec::<String>::new());
    assert_eq!(
        advisory_locks(&db, default_lock_key()).await,
        Vec::<String>::new()
    );
    assert!(!in_transaction_block(&client).await);
    PANICKING_MIGRATIONS
        .upgrade(&mut client, "p2")
        .await
        .unwrap();
    assert_eq!(tables(&db).await, ["alembic_version", "never", "p1_t"]);
}

/// Waits until backend `pid` waits for a heavyweight lock.
async fn blocked_on_a_lock(db: &TestDb, pid: i32) {
    let sql = format!("SELECT wait_event_type FROM pg_stat_activity WHERE pid = {pid}");
    while db.query_strings_async(&sql).await != ["Lock"] {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn dropping_the_upgrade_future_releases_the_lock() {
    let db = TestDb::new_async(module_path!(), "lock_after_drop").await;
    db.execute_async("CREATE TABLE blocker (id int)").await;
    let m = migrations(&[rev(
        "d1",
        &[],
        "waits",
        &[
            "CREATE TABLE made (id int)",
            "LOCK TABLE blocker IN SHARE MODE",
        ],
        &[],
    )]);
    let key = default_lock_key();

    // Another session holds `blocker`, so the revision blocks in its second statement.
    let blocking = db.client().await;
    blocking
        .batch_execute("BEGIN; LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let mut client = db.client().await;
    let pid = backend_pid(&client).await;
    tokio::select! {
        result = m.upgrade(&mut client, "head") => panic!("the upgrade ended while blocked: {result:?}"),
        () = blocked_on_a_lock(&db, pid) => {}
    }
    // The upgrade future is gone, its statement still running on the server: the rollback
    // and the unlock are queued behind it on the same connection.
    assert_eq!(advisory_locks(&db, key).await, [format!("{pid} | t")]);

    blocking.batch_execute("COMMIT").await.unwrap();
    // A second migrator waits for the queued unlock, then applies the revision itself: the
    // first run was rolled back.
    let mut second = db.client().await;
    let report = m.upgrade(&mut second, "head").await.unwrap();
    assert_eq!(report.steps, ["upgrade  -> d1, waits"]);
    assert_eq!(
        db.query_strings_async("SELECT count(*) FROM made").await,
        ["0"]
    );
    assert_eq!(advisory_locks(&db, key).await, Vec::<String>::new());
    // The first connection is idle and usable.
    assert!(!in_transaction_block(&client).await);
    assert_eq!(m.current(&mut client).await.unwrap(), ["d1"]);
}

#[tokio::test]
async fn lock_timeout_names_the_holder() {
    let db = TestDb::new_async(module_path!(), "lock_timeout").await;
    let key = default_lock_key();
    // Advisory locks belong to a database: the same key held in another one (another
    // application's migrator on the same server) neither blocks us nor is our holder.
    let elsewhere = TestDb::new_async(module_path!(), "lock_timeout_elsewhere").await;
    let other_app = client_named(&elsewhere, "other-database").await;
    other_app
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .unwrap();
    let holder = client_named(&db, "lock-holder").await;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .unwrap();
    let holder_pid = backend_pid(&holder).await;
    let since = db
        .query_strings_async(&format!(
            "SELECT to_char(state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')
             FROM pg_stat_activity WHERE pid = {holder_pid}"
        ))
        .await
        .remove(0);

    let m = migrations(LINEAR);
    let mut client = db.client().await;
    let err = m
        .migrator()
        .lock_timeout(Some(Duration::from_millis(200)))
        .upgrade(&mut client, "head")
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::LockTimeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "timed out after 200ms waiting for the migration lock on alembic_version, \
             held by pid {holder_pid} (lock-holder), since {since}"
        )
    );
    // The abandoned wait was cancelled: only the holder is left in pg_locks, and nothing ran.
    assert_eq!(
        advisory_locks(&db, key).await,
        [format!("{holder_pid} | t")]
    );
    assert_eq!(tables(&db).await, Vec::<String>::new());

    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .await
        .unwrap();
    m.migrator()
        .lock_timeout(Some(Duration::from_secs(30)))
        .upgrade(&mut client, "head")
        .await
        .unwrap();
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["27c6a30d7c24"]
    );
}

/// Waits until backend `pid` has just begun an attempt at the lock: it is sleeping in the
/// attempt's `pg_sleep`, which started less than 10ms ago, so most of the attempt is left.
async fn attempt_just_started(watcher: &tokio_postgres::Client, pid: i32) {
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = {pid} AND wait_event = 'PgSleep'
           AND query LIKE '%pg_try_advisory_lock%'
           AND clock_timestamp() - query_start < interval '10 milliseconds'"
    );
    while watcher.query_one(&sql, &[]).await.unwrap().get::<_, i64>(0) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn dropping_a_migrator_that_waits_for_the_lock_leaves_no_lock_behind() {
    let db = TestDb::new_async(module_path!(), "drop_while_waiting").await;
    let key = default_lock_key();
    let holder = db.client().await;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .unwrap();
    let watcher = db.client().await;
    let m = migrations(LINEAR);
    let mut client = db.client().await;
    let pid = backend_pid(&client).await;
    tokio::select! {
        result = m.upgrade(&mut client, "head") => panic!("the upgrade ended while waiting: {result:?}"),
        () = attempt_just_started(&watcher, pid) => {}
    }
    // The holder lets go while the dropped migrator's last attempt is still on the server:
    // that attempt is granted, to a migrator that no longer exists.
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .await
        .unwrap();
    // A statement sent now runs after whatever the drop queued on the connection.
    assert!(!in_transaction_block(&client).await);
    assert_eq!(advisory_locks(&db, key).await, Vec::<String>::new());
    assert_eq!(tables(&db).await, Vec::<String>::new());
    // Others, and the same connection, migrate as usual.
    let mut other = db.client().await;
    m.upgrade(&mut other, "ae1027a6acf").await.unwrap();
    m.upgrade(&mut client, "head").await.unwrap();
    assert_eq!(
        rows(&db, "alembic_version").await.unwrap(),
        ["27c6a30d7c24"]
    );
}

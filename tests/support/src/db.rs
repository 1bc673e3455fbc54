//! [`TestDb`]: one throwaway PostgreSQL database per test.

use std::error::Error;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

use crate::url::{redact_password, with_database};

/// The prefix of every database a [`TestDb`] creates.
///
/// `cargo xtask test` sweeps leftover databases by this prefix before a run.
pub const DATABASE_PREFIX: &str = "alembic_t_";

/// The start of the comment put on every test database; the creating process id follows.
///
/// The sweep in `cargo xtask test` skips databases whose process is still alive, so one
/// engineer's run never drops the databases of another run on the same server.
pub const OWNER_COMMENT_PREFIX: &str = "alembic-test-support pid=";

/// What to do when no server is configured or reachable.
const HINT: &str = "set DATABASE_URL or run `cargo xtask test`";

/// PostgreSQL's limit on identifier length, in bytes (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Tells databases created by one process apart, even for the same test name.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A PostgreSQL database that exists for the lifetime of one test.
///
/// [`TestDb::new`] connects to the admin URL in `DATABASE_URL` and creates
/// `alembic_t_<hash>_<sanitised test name>`, at most 63 bytes. The hash covers the module
/// path, the test name, the process id and a per-process counter, so tests running in
/// parallel, in one process or in several, never share a database.
///
/// Dropping the value runs `DROP DATABASE IF EXISTS "…" WITH (FORCE)` on a thread and
/// runtime of its own, never the test's. If that fails the drop panics, unless the thread
/// is already unwinding from a test failure, in which case the failure is only printed.
///
/// Every method panics with a descriptive message on failure: this is test support, and
/// a panic is how a test fails.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// Creates a fresh database for the test `test_name` in module `module_path`.
    ///
    /// Call it as `TestDb::new(module_path!(), "test_name")`. Works with or without a
    /// running tokio runtime, as the work happens on a thread and runtime of its own.
    ///
    /// # Panics
    ///
    /// If `DATABASE_URL` is unset or the server cannot be reached (the message says to
    /// set `DATABASE_URL` or run `cargo xtask test`), or if `CREATE DATABASE` fails.
    #[track_caller]
    pub fn new(module_path: &str, test_name: &str) -> TestDb {
        let db = TestDb::unborn(module_path, test_name);
        let created = on_own_runtime(create_database(&db.admin_url, &db.name));
        db.born_or_panic(created)
    }

    /// Like [`TestDb::new`], but runs on the caller's tokio runtime.
    ///
    /// # Panics
    ///
    /// As [`TestDb::new`].
    pub async fn new_async(module_path: &str, test_name: &str) -> TestDb {
        let db = TestDb::unborn(module_path, test_name);
        let created = create_database(&db.admin_url, &db.name).await;
        db.born_or_panic(created)
    }

    /// The database's name, unquoted.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection string for this database: the admin URL's host, port, user, password
    /// and options, with the database name replaced.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Connects to this database on the caller's tokio runtime.
    ///
    /// The connection's task is spawned on the same runtime and ends with the client.
    ///
    /// # Panics
    ///
    /// If the connection fails or there is no current tokio runtime.
    pub async fn client(&self) -> Client {
        connect(&self.url)
            .await
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// Runs `sql`, which may hold several statements, in this database.
    ///
    /// # Panics
    ///
    /// If a statement fails; the message holds the SQL and the server's error.
    #[track_caller]
    pub fn execute(&self, sql: &str) {
        unwrap_or_panic(on_own_runtime(execute(&self.url, sql)));
    }

    /// Like [`TestDb::execute`], on the caller's tokio runtime.
    ///
    /// # Panics
    ///
    /// As [`TestDb::execute`].
    pub async fn execute_async(&self, sql: &str) {
        unwrap_or_panic(execute(&self.url, sql).await);
    }

    /// Runs a query and returns each row as one string, for assertions.
    ///
    /// The values are PostgreSQL's text output. A row with several columns is joined with
    /// `" | "`, and NULL is shown as `NULL`, as in `psql`. Use [`TestDb::query_rows`] to
    /// tell NULL from the string `'NULL'`.
    ///
    /// # Panics
    ///
    /// If the query fails.
    #[track_caller]
    pub fn query_strings(&self, sql: &str) -> Vec<String> {
        rows_to_strings(self.query_rows(sql))
    }

    /// Like [`TestDb::query_strings`], on the caller's tokio runtime.
    ///
    /// # Panics
    ///
    /// As [`TestDb::query_strings`].
    pub async fn query_strings_async(&self, sql: &str) -> Vec<String> {
        rows_to_strings(self.query_rows_async(sql).await)
    }

    /// Runs a query and returns every row's values in PostgreSQL's text output, with
    /// `None` for NULL.
    ///
    /// # Panics
    ///
    /// If the query fails.
    #[track_caller]
    pub fn query_rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        unwrap_or_panic(on_own_runtime(query_rows(&self.url, sql)))
    }

    /// Like [`TestDb::query_rows`], on the caller's tokio runtime.
    ///
    /// # Panics
    ///
    /// As [`TestDb::query_rows`].
    pub async fn query_rows_async(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        unwrap_or_panic(query_rows(&self.url, sql).await)
    }

    /// Names the database and reads the admin URL, without touching the server.
    #[track_caller]
    fn unborn(module_path: &str, test_name: &str) -> TestDb {
        let admin_url = unwrap_or_panic(admin_url_from(database_url_env()));
        let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let name = database_name(module_path, test_name, std::process::id(), sequence);
        TestDb {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }

    /// Returns the database once created, or panics without running the drop.
    #[track_caller]
    fn born_or_panic(self, created: Result<(), String>) -> TestDb {
        match created {
            Ok(()) => self,
            Err(err) => {
                // Nothing to drop: skip `Drop`, which would mask this error with its own.
                std::mem::forget(self);
                panic!("{err}")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Err(err) = on_own_runtime(drop_database(&self.admin_url, &self.name)) else {
            return;
        };
        if std::thread::panicking() {
            // A second panic while unwinding would abort the whole test binary and hide
            // the test's own failure, so only log (diesel's `try_drop!`).
            report_cleanup_failure(&err);
        } else {
            panic!("{err}");
        }
    }
}

#[expect(
    clippy::print_stderr,
    reason = "the test is already failing; stderr is the only place left to report to"
)]
fn report_cleanup_failure(err: &str) {
    eprintln!("warning: {err}");
}

#[expect(
    clippy::disallowed_methods,
    reason = "test support cannot depend on migration_runtime::config; this is its one read of the environment"
)]
fn database_url_env() -> Option<String> {
    std::env::var("DATABASE_URL").ok()
}

/// The admin URL, or the error a test shows when there is none.
fn admin_url_from(var: Option<String>) -> Result<String, String> {
    match var {
        Some(url) if !url.trim().is_empty() => Ok(url),
        _ => Err(format!("DATABASE_URL is not set: {HINT}")),
    }
}

/// `alembic_t_<10 hex digits>_<sanitised test name>`, cut to 63 bytes.
fn database_name(module_path: &str, test_name: &str, pid: u32, sequence: u64) -> String {
    let key = format!("{module_path}::{test_name}\0{pid}\0{sequence}");
    let hash = fnv1a_64(key.as_bytes()) & 0xff_ffff_ffff;
    let mut name = format!("{DATABASE_PREFIX}{hash:010x}_");
    let room = MAX_IDENTIFIER_BYTES - name.len();
    name.extend(
        test_name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(room),
    );
    name
}

/// FNV-1a: stable across Rust releases and platforms, unlike `DefaultHasher`.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Quotes an identifier for SQL.
fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Runs `future` to completion on a new current-thread runtime on a new thread.
///
/// A thread of its own makes this safe to call from inside another runtime (including
/// from `Drop` during an async test), where `block_on` would panic.
fn on_own_runtime<T, F>(future: F) -> Result<T, String>
where
    F: Future<Output = Result<T, String>> + Send,
    T: Send,
{
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| format!("cannot start a tokio runtime: {err}"))?
                .block_on(future)
        });
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[track_caller]
fn unwrap_or_panic<T>(result: Result<T, String>) -> T {
    // A `match`, not `unwrap_or_else`: a closure would report its own location.
    match result {
        Ok(value) => value,
        Err(err) => panic!("{err}"),
    }
}

/// Renders an error with its chain of causes, as `a: b: c`.
fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Connects and spawns the connection's task on the current runtime.
async fn connect(url: &str) -> Result<Client, String> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(|err| {
        format!(
            "cannot connect to `{}`: {}; {HINT}",
            redact_password(url),
            chain(&err)
        )
    })?;
    tokio::spawn(async move {
        // Errors on the connection also fail the client's pending and later calls, which
        // is where the test sees them.
        let _ = connection.await;
    });
    Ok(client)
}

async fn create_database(admin_url: &str, name: &str) -> Result<(), String> {
    let admin = connect(admin_url).await?;
    let quoted = quote_ident(name);
    // template0 is never connected to, so concurrent creates cannot fail with "source
    // database is being accessed by other users", and it holds nothing a developer may
    // have added to template1.
    let create = format!("CREATE DATABASE {quoted} TEMPLATE template0");
    admin.batch_execute(&create).await.map_err(|err| {
        format!(
            "failed to create test database: `{create}`: {}",
            chain(&err)
        )
    })?;
    let comment = format!(
        "COMMENT ON DATABASE {quoted} IS '{OWNER_COMMENT_PREFIX}{}'",
        std::process::id()
    );
    admin
        .batch_execute(&comment)
        .await
        .map_err(|err| format!("failed to mark test database: `{comment}`: {}", chain(&err)))
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), String> {
    let admin = connect(admin_url).await?;
    let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
    admin
        .batch_execute(&drop)
        .await
        .map_err(|err| format!("failed to drop test database: `{drop}`: {}", chain(&err)))
}

async fn execute(url: &str, sql: &str) -> Result<(), String> {
    let client = connect(url).await?;
    client
        .batch_execute(sql)
        .await
        .map_err(|err| format!("SQL failed: `{sql}`: {}", chain(&err)))
}

async fn query_rows(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let client = connect(url).await?;
    let messages = client
        .simple_query(sql)
        .await
        .map_err(|err| format!("SQL failed: `{sql}`: {}", chain(&err)))?;
    Ok(messages
        .iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

fn rows_to_strings(rows: Vec<Vec<Option<String>>>) -> Vec<String> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|value| value.unwrap_or_else(|| "NULL".to_owned()))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{
        DATABASE_PREFIX, HINT, TestDb, admin_url_from, database_name, database_url_env,
        on_own_runtime, query_rows,
    };

    /// Whether the server has a database called `name`, asked from the admin database.
    fn exists(name: &str) -> bool {
        let admin_url = admin_url_from(database_url_env()).unwrap();
        let sql = format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'");
        on_own_runtime(query_rows(&admin_url, &sql)).unwrap() == [[Some("1".to_owned())]]
    }

    #[test]
    fn database_name_is_prefixed_sanitised_and_fits_in_an_identifier() {
        let name = database_name("alembic_test_support::db::tests", "Create Use-Drop", 7, 0);
        assert!(name.starts_with(DATABASE_PREFIX), "{name}");
        assert!(name.ends_with("_create_use_drop"), "{name}");
        assert_eq!(
            name.len(),
            DATABASE_PREFIX.len() + 10 + 1 + "create_use_drop".len()
        );

        let long = database_name("m", &"é".repeat(100), 7, 0);
        assert_eq!(long.len(), 63, "{long}");
        assert!(
            long.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        );
    }

    #[test]
    fn database_name_differs_by_module_test_process_and_sequence() {
        let base = database_name("m", "t", 1, 0);
        assert_eq!(base, database_name("m", "t", 1, 0));
        for other in [
            database_name("n", "t", 1, 0),
            database_name("m", "u", 1, 0),
            database_name("m", "t", 2, 0),
            database_name("m", "t", 1, 1),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn missing_database_url_says_what_to_do() {
        for var in [None, Some(String::new()), Some("  ".to_owned())] {
            let err = admin_url_from(var).unwrap_err();
            assert!(err.contains(HINT), "{err}");
        }
    }

    #[test]
    fn create_use_drop() {
        let db = TestDb::new(module_path!(), "create_use_drop");
        let name = db.name().to_owned();
        assert!(exists(&name), "{name} was not created");
        assert!(db.url().contains(&name), "{}", db.url());

        db.execute(
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
             INSERT INTO alembic_version VALUES ('b'), ('a');",
        );
        assert_eq!(
            db.query_strings("SELECT version_num FROM alembic_version ORDER BY 1"),
            ["a", "b"]
        );
        assert_eq!(
            db.query_strings("SELECT current_database(), NULL::text"),
            [format!("{name} | NULL")]
        );
        assert_eq!(
            db.query_rows("SELECT 1, NULL"),
            [[Some("1".to_owned()), None]]
        );

        drop(db);
        assert!(!exists(&name), "{name} is still there after drop");
    }

    #[test]
    fn databases_are_not_shared() {
        let a = TestDb::new(module_path!(), "same_name");
        let b = TestDb::new(module_path!(), "same_name");
        assert_ne!(a.name(), b.name());
        a.execute("CREATE TABLE only_in_a ()");
        assert_eq!(
            b.query_strings("SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"),
            ["0"]
        );
    }

    #[tokio::test]
    async fn async_api_runs_on_the_callers_runtime() {
        let db = TestDb::new_async(module_path!(), "async_api").await;
        let client = db.client().await;
        client
            .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)")
            .await
            .unwrap();
        assert_eq!(db.query_strings_async("SELECT sum(x) FROM t").await, ["3"]);
        // The sync helpers also work inside a runtime.
        assert_eq!(db.query_strings("SELECT count(*) FROM t"), ["2"]);
        db.execute_async("DROP TABLE t").await;
        // Dropping inside the runtime, with a client still connected, must not hang.
        let name = db.name().to_owned();
        drop(db);
        assert!(!exists(&name));
        assert!(client.is_closed() || client.simple_query("SELECT 1").await.is_err());
    }
}

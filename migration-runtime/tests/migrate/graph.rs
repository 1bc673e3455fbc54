//! Revision graphs for the tests, built the way the generated registry builds them, and the
//! same graphs as a Python Alembic project for the oracle tests.
//!
//! SQL revisions are data ([`SqlRev`]): one list of statements per direction. The
//! `Migrations` gets them joined into one SQL section, as a `.sql` revision file holds them;
//! the Python project gets one `op.execute(...)` per statement, with the statements our
//! splitter runs outside a transaction wrapped in `autocommit_block()`, which is how a
//! Python Alembic user has to write them.

use std::path::Path;
use std::process::Command;

use alembic_test_support::TestDb;
use migration_runtime::Migrations;
use migration_runtime::dialect::{VersionTable, split_statements};
use migration_runtime::embed::{Body, EmbeddedConfig, EmbeddedRevision};
use migration_runtime::migrate::lock_key;

/// A SQL revision.
#[derive(Debug, Clone, Copy)]
pub struct SqlRev {
    pub id: &'static str,
    pub down: &'static [&'static str],
    pub doc: &'static str,
    pub upgrade: &'static [&'static str],
    pub downgrade: &'static [&'static str],
}

/// Shorthand for a [`SqlRev`].
pub const fn rev(
    id: &'static str,
    down: &'static [&'static str],
    doc: &'static str,
    upgrade: &'static [&'static str],
    downgrade: &'static [&'static str],
) -> SqlRev {
    SqlRev {
        id,
        down,
        doc,
        upgrade,
        downgrade,
    }
}

/// The configuration a scaffolded `alembic.toml` embeds.
pub const DEFAULT_CONFIG: EmbeddedConfig = EmbeddedConfig {
    version_table: "alembic_version",
    version_table_schema: None,
    transaction_per_migration: false,
    url: None,
};

/// The migrations of `revs` with the default configuration.
pub fn migrations(revs: &[SqlRev]) -> &'static Migrations {
    migrations_with(revs, DEFAULT_CONFIG)
}

/// The migrations of `revs`, in this load order, with `config` embedded. Leaked: the
/// registry's `Migrations` is a static, and so is this one, in effect.
pub fn migrations_with(revs: &[SqlRev], config: EmbeddedConfig) -> &'static Migrations {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let embedded: Vec<EmbeddedRevision> = revs
        .iter()
        .map(|r| EmbeddedRevision {
            id: r.id,
            down_revisions: r.down,
            branch_labels: &[],
            depends_on: &[],
            longdoc: r.doc,
            create_date: None,
            path: leak(format!("versions/{}_rev.sql", r.id)),
            body: Body::Sql {
                upgrade: leak(sql_section(r.upgrade)),
                upgrade_line: 10,
                downgrade: leak(sql_section(r.downgrade)),
                downgrade_line: 20,
            },
        })
        .collect();
    // What build.rs computes: with no `depends_on`, the rows at `heads` are the graph's
    // heads (revisions nobody revises), sorted.
    let mut heads: Vec<&'static str> = revs
        .iter()
        .filter(|r| !revs.iter().any(|other| other.down.contains(&r.id)))
        .map(|r| r.id)
        .collect();
    heads.sort_unstable();
    let single_head = heads.len() == 1;
    Box::leak(Box::new(Migrations::new(
        Box::leak(embedded.into_boxed_slice()),
        Box::leak(heads.into_boxed_slice()),
        single_head,
        Box::leak(Box::new(config)),
    )))
}

/// The statements as a `.sql` revision's section holds them.
fn sql_section(statements: &[&str]) -> String {
    statements
        .iter()
        .map(|s| format!("{s};\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes a Python Alembic project for `revs` into `dir`: `alembic.ini`, an `env.py` that
/// takes `-x per_migration=1`, `-x version_table=...`, `-x version_table_schema=...` and
/// `-x url=...`, and one revision file per revision.
pub fn python_project(revs: &[SqlRev], dir: &Path) {
    let versions = dir.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = postgresql://\n",
    )
    .unwrap();
    std::fs::write(dir.join("migrations/env.py"), ENV_PY).unwrap();
    for r in revs {
        let down = match r.down {
            [] => "None".to_owned(),
            [one] => format!("{one:?}"),
            many => format!(
                "({})",
                many.iter()
                    .map(|d| format!("{d:?}, "))
                    .collect::<String>()
                    .trim_end()
            ),
        };
        let text = format!(
            "\"\"\"{doc}\n\nRevision ID: {id}\nRevises: {revises}\n\"\"\"\nfrom alembic import op\n\n\
             revision = {id:?}\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n\
             def upgrade():\n{up}\n\n\ndef downgrade():\n{downgrade}\n",
            doc = r.doc,
            id = r.id,
            revises = r.down.join(", "),
            up = python_body(r.upgrade),
            downgrade = python_body(r.downgrade),
        );
        std::fs::write(versions.join(format!("{}_rev.py", r.id)), text).unwrap();
    }
}

const ENV_PY: &str = r#"from alembic import context

config = context.config
x = context.get_x_argument(as_dictionary=True)
opts = dict(
    transaction_per_migration=x.get("per_migration") == "1",
    version_table=x.get("version_table", "alembic_version"),
    version_table_schema=x.get("version_table_schema") or None,
)
url = x.get("url") or config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **opts)
    with context.begin_transaction():
        context.run_migrations()
else:
    from sqlalchemy import create_engine, pool

    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            context.run_migrations()
"#;

/// `op.execute(...)` per statement; runs of statements PostgreSQL refuses in a transaction
/// go in one `autocommit_block()`.
fn python_body(statements: &[&str]) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for statement in statements {
        assert!(
            statement.is_ascii() && !statement.contains(':'),
            "{statement}"
        );
        let transactional = split_statements(statement)
            .first()
            .is_none_or(|piece| piece.transactional);
        if !transactional && !in_block {
            out.push_str("    with op.get_context().autocommit_block():\n");
            in_block = true;
        } else if transactional {
            in_block = false;
        }
        let indent = if in_block { "        " } else { "    " };
        out.push_str(&format!("{indent}op.execute({statement:?})\n"));
    }
    if out.is_empty() {
        out.push_str("    pass\n");
    }
    out.trim_end().to_owned()
}

/// Runs `python3 -m alembic <args>` in `dir` and returns stdout; panics with both streams
/// on failure.
pub fn py_alembic(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("python3")
        .args(["-m", "alembic"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_python_alembic(&stderr);
    assert!(
        output.status.success(),
        "alembic {args:?} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

fn assert_python_alembic(stderr: &str) {
    assert!(
        !stderr.contains("No module named alembic"),
        "Python Alembic is the oracle of these tests: pip install alembic sqlalchemy psycopg2-binary"
    );
}

/// Runs several `alembic` commands in one Python process (start-up dominates a command's
/// time) and returns each command's stdout. `seed` is `PYTHONHASHSEED`: where Alembic
/// iterates a set of revision ids, it decides the order.
pub fn py_alembic_batch(dir: &Path, commands: &[Vec<String>], seed: u32) -> Vec<String> {
    let mut args: Vec<&str> = vec!["-c", BATCH_PY];
    for (i, command) in commands.iter().enumerate() {
        if i > 0 {
            args.push("--next--");
        }
        args.extend(command.iter().map(String::as_str));
    }
    let output = Command::new("python3")
        .args(&args)
        .current_dir(dir)
        .env("PYTHONHASHSEED", seed.to_string())
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_python_alembic(&stderr);
    assert!(output.status.success(), "{stderr}");
    (0..commands.len())
        .map(|i| std::fs::read_to_string(dir.join(format!("out_{i}.sql"))).unwrap())
        .collect()
}

const BATCH_PY: &str = r#"import contextlib, io, sys
from alembic.config import main

commands = [[]]
for arg in sys.argv[1:]:
    if arg == "--next--":
        commands.append([])
    else:
        commands[-1].append(arg)
for i, argv in enumerate(commands):
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            main(argv=argv, prog="alembic")
    except SystemExit as e:
        if e.code:
            sys.exit("alembic %s failed:\n%s" % (" ".join(argv), buf.getvalue()))
    with open("out_%d.sql" % i, "w", newline="") as f:
        f.write(buf.getvalue())
"#;

/// The version table's rows, sorted; `None` when the table does not exist.
pub async fn rows(db: &TestDb, table: &str) -> Option<Vec<String>> {
    if !exists(db, table).await {
        return None;
    }
    Some(
        db.query_strings_async(&format!("SELECT version_num FROM {table} ORDER BY 1"))
            .await,
    )
}

/// Whether a relation exists.
pub async fn exists(db: &TestDb, relation: &str) -> bool {
    db.query_strings_async(&format!("SELECT to_regclass('{relation}') IS NOT NULL"))
        .await
        == ["t"]
}

/// The migration lock's key for the default version table.
pub fn default_lock_key() -> i64 {
    lock_key(&VersionTable::default())
}

/// The backends holding or awaiting an advisory lock with `key` in this database, as
/// `pid | granted`.
pub async fn advisory_locks(db: &TestDb, key: i64) -> Vec<String> {
    let bits = u64::from_ne_bytes(key.to_ne_bytes());
    let (high, low) = (bits >> 32, bits & 0xffff_ffff);
    db.query_strings_async(&format!(
        "SELECT pid, granted FROM pg_locks
         WHERE locktype = 'advisory' AND classid::bigint = {high} AND objid::bigint = {low} AND objsubid = 1
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         ORDER BY pid"
    ))
    .await
}

/// A connection to `db` with `application_name` set.
pub async fn client_named(db: &TestDb, application_name: &str) -> tokio_postgres::Client {
    let separator = if db.url().contains('?') { '&' } else { '?' };
    let (client, connection) = tokio_postgres::connect(
        &format!("{}{separator}application_name={application_name}", db.url()),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    client
}

/// A backend's pid.
pub async fn backend_pid(client: &tokio_postgres::Client) -> i32 {
    client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

/// Three revisions in a line, as in the reference's offline examples: a table, a column and
/// an update, and an empty revision.
pub const LINEAR: &[SqlRev] = &[
    rev(
        "1975ea83b712",
        &[],
        "create account table",
        &[
            "CREATE TABLE account (\n    id SERIAL NOT NULL,\n    name VARCHAR(50) NOT NULL,\n    description VARCHAR(200),\n    PRIMARY KEY (id)\n)",
        ],
        &["DROP TABLE account"],
    ),
    rev("27c6a30d7c24", &["ae1027a6acf"], "third", &[], &[]),
    rev(
        "ae1027a6acf",
        &["1975ea83b712"],
        "add a column",
        &[
            "ALTER TABLE account ADD COLUMN last_transaction_date TIMESTAMP WITHOUT TIME ZONE",
            "UPDATE account SET name = 'x' WHERE name IS NULL",
        ],
        &["ALTER TABLE account DROP COLUMN last_transaction_date"],
    ),
];

/// The reference's branch-and-merge graph: `1a -> aaaa01 -> bbbb02 -> {cccc03, dddd04} ->
/// eeee05`. Every revision creates a table named after it.
pub const BRANCHED: &[SqlRev] = &[
    rev(
        "1a",
        &[],
        "create account",
        &["CREATE TABLE t_1a (id int)"],
        &["DROP TABLE t_1a"],
    ),
    rev(
        "aaaa01",
        &["1a"],
        "base",
        &["CREATE TABLE t_aaaa01 (id int)"],
        &["DROP TABLE t_aaaa01"],
    ),
    rev(
        "bbbb02",
        &["aaaa01"],
        "second",
        &["CREATE TABLE t_bbbb02 (id int)"],
        &["DROP TABLE t_bbbb02"],
    ),
    rev(
        "cccc03",
        &["bbbb02"],
        "branch one",
        &["CREATE TABLE t_cccc03 (id int)"],
        &["DROP TABLE t_cccc03"],
    ),
    rev(
        "dddd04",
        &["bbbb02"],
        "branch two",
        &["CREATE TABLE t_dddd04 (id int)"],
        &["DROP TABLE t_dddd04"],
    ),
    rev(
        "eeee05",
        &["cccc03", "dddd04"],
        "merge it",
        &["CREATE TABLE t_eeee05 (id int)"],
        &["DROP TABLE t_eeee05"],
    ),
];

/// The tables of the public schema, sorted, for "what did the run leave behind".
pub async fn tables(db: &TestDb) -> Vec<String> {
    db.query_strings_async(
        "SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' ORDER BY 1",
    )
    .await
}

/// Whether the session is inside a transaction block: there `now()` is the block's start,
/// outside it the start of this (simple-protocol) statement. Fails if the block is aborted.
pub async fn in_transaction_block(client: &tokio_postgres::Client) -> bool {
    let messages = client
        .simple_query("SELECT now() <> statement_timestamp()")
        .await
        .unwrap();
    messages.iter().any(|message| {
        matches!(message, tokio_postgres::SimpleQueryMessage::Row(row) if row.get(0) == Some("t"))
    })
}

//! Python Alembic and a cargo-alembic binary take turns on one database: the same revision
//! ids and statements on both sides, the same `alembic_version` table in between.

use std::path::Path;
use std::process::Command;

use alembic_test_support::TestDb;
use snapbox::str;

use super::write_sql_revision;
use crate::project::{AssertAll, TestProject};

/// `(id, down, message, upgrade, downgrade)` of each revision.
const REVISIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "1975ea83b712",
        "",
        "create account table",
        "CREATE TABLE account (id SERIAL NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY (id))",
        "DROP TABLE account",
    ),
    (
        "ae1027a6acf",
        "1975ea83b712",
        "add a column",
        "ALTER TABLE account ADD COLUMN last_transaction_date TIMESTAMP WITHOUT TIME ZONE",
        "ALTER TABLE account DROP COLUMN last_transaction_date",
    ),
    (
        "27c6a30d7c24",
        "ae1027a6acf",
        "third",
        "CREATE TABLE audit (id int)",
        "DROP TABLE audit",
    ),
];

const ENV_PY: &str = r#"from alembic import context
from sqlalchemy import create_engine, pool

url = context.get_x_argument(as_dictionary=True)["url"]
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
"#;

/// A Python Alembic project with the same revisions, each doing `op.execute(...)`.
fn python_project(dir: &Path) {
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\n",
    )
    .unwrap();
    std::fs::write(dir.join("migrations/env.py"), ENV_PY).unwrap();
    for (id, down, message, upgrade, downgrade) in REVISIONS {
        let down = if down.is_empty() {
            "None".to_owned()
        } else {
            format!("{down:?}")
        };
        std::fs::write(
            dir.join(format!("migrations/versions/{id}_rev.py")),
            format!(
                "\"\"\"{message}\"\"\"\nfrom alembic import op\n\nrevision = {id:?}\n\
                 down_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n\
                 def upgrade():\n    op.execute({upgrade:?})\n\n\n\
                 def downgrade():\n    op.execute({downgrade:?})\n"
            ),
        )
        .unwrap();
    }
}

/// `python3 -m alembic -x url=<db> <args>`; returns stdout, asserting success.
fn python(dir: &Path, db: &TestDb, args: &[&str]) -> String {
    let url = db
        .url()
        .replacen("postgres://", "postgresql+psycopg2://", 1);
    let output = Command::new("python3")
        .args(["-m", "alembic", "-x", &format!("url={url}")])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    crate::project::show(&output);
    assert!(
        output.status.success(),
        "alembic {args:?} failed (Python Alembic and psycopg2 are needed: pip install alembic sqlalchemy psycopg2-binary)"
    );
    String::from_utf8(output.stdout).unwrap()
}

fn version_rows(db: &TestDb) -> Vec<String> {
    db.query_strings("SELECT version_num FROM alembic_version ORDER BY 1")
}

fn tables(db: &TestDb) -> Vec<String> {
    db.query_strings(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
}

#[test]
fn python_alembic_and_the_binary_continue_each_others_work() {
    let p = TestProject::new();
    p.init("migrations", "m_compat");
    for (id, down, message, upgrade, downgrade) in REVISIONS {
        write_sql_revision(
            &p,
            "migrations",
            (id, down, message),
            &format!("{upgrade};"),
            &format!("{downgrade};"),
        );
    }
    let py = tempfile::tempdir().unwrap();
    python_project(py.path());

    // Python first, then the binary: only the rest is applied.
    let db = TestDb::new(module_path!(), "python_then_rust");
    python(py.path(), &db, &["upgrade", "ae1027a6acf"]);
    assert_eq!(version_rows(&db), ["ae1027a6acf"]);
    p.alembic(&["upgrade", "head"])
        .env("DATABASE_URL", db.url())
        .assert()
        .all(
            0,
            "",
            str![[r#"
...
INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.
INFO  [alembic.runtime.migration] Running upgrade ae1027a6acf -> 27c6a30d7c24, third

"#]],
        );
    p.alembic(&["-q", "current"])
        .env("DATABASE_URL", db.url())
        .assert()
        .all(0, "27c6a30d7c24 (head)\n", "");
    assert_eq!(version_rows(&db), ["27c6a30d7c24"]);
    assert_eq!(tables(&db), ["account", "alembic_version", "audit"]);

    // The binary first, then Python: it reads our table and continues in both directions.
    let db = TestDb::new(module_path!(), "rust_then_python");
    p.alembic(&["-q", "upgrade", "head"])
        .env("DATABASE_URL", db.url())
        .assert()
        .all(0, "", "");
    assert_eq!(
        python(py.path(), &db, &["current"]),
        "27c6a30d7c24 (head)\n"
    );
    python(py.path(), &db, &["downgrade", "-1"]);
    assert_eq!(version_rows(&db), ["ae1027a6acf"]);
    assert_eq!(tables(&db), ["account", "alembic_version"]);
    python(py.path(), &db, &["upgrade", "head"]);
    assert_eq!(version_rows(&db), ["27c6a30d7c24"]);
    assert_eq!(tables(&db), ["account", "alembic_version", "audit"]);
    // And back to the binary, all the way down; Python sees the empty table.
    p.alembic(&["-q", "downgrade", "base"])
        .env("DATABASE_URL", db.url())
        .assert()
        .all(0, "", "");
    assert_eq!(tables(&db), ["alembic_version"]);
    assert_eq!(python(py.path(), &db, &["current"]), "");
}

//! `cargo alembic revision --autogenerate` and `cargo alembic check` against a real database.

use alembic_test_support::TestDb;
use snapbox::str;

use crate::project::{AssertAll, TestProject, show};

const SCHEMA: &str = "\
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(200) NOT NULL UNIQUE,
    mood mood
);
CREATE TABLE post (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    body text
);
CREATE INDEX ix_post_account_id ON post (account_id);
";

#[test]
fn autogenerate_writes_a_revision_that_makes_check_clean() {
    let p = TestProject::new();
    p.init("migrations", "m_autogen");
    let db = TestDb::new(module_path!(), "autogenerate_cycle");
    let run = |args: &[&str]| {
        let output = p
            .alembic(args)
            .env("DATABASE_URL", db.url())
            .output()
            .unwrap();
        show(&output);
        output
    };

    // No target schema yet: a clear error naming the file.
    let output = run(&["check"]);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("error: failed to read the target schema `migrations/schema.sql`"),
    );

    p.write("migrations/schema.sql", SCHEMA);
    let output = run(&["check"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "check fails while operations are pending"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("New upgrade operations detected:\n  add_enum 'mood'\n"),
        "{stderr}"
    );
    assert!(stderr.contains("  add_table 'account'\n"), "{stderr}");

    let output = run(&[
        "revision",
        "--autogenerate",
        "-m",
        "initial",
        "--rev-id",
        "000000000001",
    ]);
    assert!(output.status.success());
    let revision = p.read("migrations/versions/000000000001_initial.rs");
    assert!(
        revision.contains("op.create_enum(\"mood\", [\"happy\", \"sad\"]);"),
        "{revision}"
    );
    assert!(revision.contains("op.drop_enum(\"mood\");"), "{revision}");

    assert!(run(&["upgrade", "head"]).status.success());
    assert_eq!(
        db.query_strings("SELECT version_num FROM alembic_version"),
        ["000000000001"]
    );
    assert_eq!(
        db.query_strings(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY 1"
        ),
        ["account", "alembic_version", "post"]
    );
    p.alembic(&["check", "-q"])
        .env("DATABASE_URL", db.url())
        .assert()
        .all(0, "No new upgrade operations detected.\n", str![[""]]);

    // Nothing changed: no file unless asked for.
    let before = p.files("migrations/versions");
    let output = run(&["revision", "--autogenerate", "-m", "nothing", "-q"]);
    assert!(output.status.success());
    assert_eq!(p.files("migrations/versions"), before);
    assert!(
        run(&[
            "revision",
            "--autogenerate",
            "-m",
            "empty",
            "--allow-empty",
            "--rev-id",
            "000000000002"
        ])
        .status
        .success()
    );
    assert!(
        p.path()
            .join("migrations/versions/000000000002_empty.rs")
            .is_file()
    );

    // The downgrade takes the database back to empty, and a database behind head is refused.
    assert!(run(&["downgrade", "base"]).status.success());
    assert_eq!(
        db.query_strings(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> 'alembic_version'"
        ),
        ["0"]
    );
    assert_eq!(
        db.query_strings("SELECT count(*) FROM pg_type WHERE typname = 'mood'"),
        ["0"]
    );
    let output = run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("error: Target database is not up to date.")
    );
}

//! The example application (`examples/app`), built in release and run as it would be
//! deployed: the binary alone in an empty directory, migrating its database at start-up,
//! once, again (nothing to do), and as eight copies starting at the same time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alembic_test_support::TestDb;

use crate::project::{repo_root, shared_target_dir, show};

const FIRST: &str = "df794ac49c4a";
const SECOND: &str = "1bd4b1c175f1";

/// `cargo build --release -p example-app` into the shared target directory; returns the
/// binary.
fn build_release() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--release", "-p", "example-app"])
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .output()
        .unwrap();
    show(&output);
    assert!(
        output.status.success(),
        "the example application does not build"
    );
    let binary = shared_target_dir()
        .join("release")
        .join(format!("example-app{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{}", binary.display());
    binary
}

fn run(binary: &Path, url: &str) -> Command {
    let mut cmd = Command::new(binary);
    cmd.current_dir(binary.parent().unwrap())
        .env("DATABASE_URL", url);
    cmd
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn schema(db: &TestDb) -> Vec<String> {
    let mut facts = db.query_strings(
        "SELECT table_name || '.' || column_name || ' ' || data_type
         FROM information_schema.columns WHERE table_schema = 'public'
         ORDER BY table_name, ordinal_position",
    );
    facts.extend(db.query_strings(
        "SELECT indexname || ' ' || indexdef FROM pg_indexes
         WHERE schemaname = 'public' ORDER BY indexname",
    ));
    facts
}

#[test]
fn release_binary_migrates_alone_again_and_as_eight_copies() {
    let built = build_release();
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join(built.file_name().unwrap());
    std::fs::copy(&built, &binary).unwrap();
    let name = binary.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(files(dir.path()), std::slice::from_ref(&name));

    // Alone: every revision applied, from the binary only.
    let db = TestDb::new(module_path!(), "example_app_alone");
    let output = run(&binary, db.url()).output().unwrap();
    show(&output);
    assert!(output.status.success());
    assert_eq!(
        stdout(&output),
        format!(
            "applied: upgrade  -> {FIRST}, create account\n\
             applied: upgrade {FIRST} -> {SECOND}, add plan\n\
             database is at {SECOND}\n\
             plans available: 2\n"
        )
    );
    assert_eq!(
        db.query_strings("SELECT version_num FROM alembic_version"),
        [SECOND]
    );
    let expected_schema = [
        "account.id bigint",
        "account.email text",
        "account.created_at timestamp with time zone",
        "account.plan text",
        "alembic_version.version_num character varying",
        "plan.name text",
        "plan.monthly_cents integer",
        "alembic_version_pkc CREATE UNIQUE INDEX alembic_version_pkc ON public.alembic_version USING btree (version_num)",
        "account_pkey CREATE UNIQUE INDEX account_pkey ON public.account USING btree (id)",
        "ix_account_email CREATE UNIQUE INDEX ix_account_email ON public.account USING btree (lower(email))",
        "pk_plan CREATE UNIQUE INDEX pk_plan ON public.plan USING btree (name)",
    ];
    let mut actual_schema = schema(&db);
    actual_schema[7..].sort();
    let mut expected_sorted = expected_schema.map(str::to_owned).to_vec();
    expected_sorted[7..].sort();
    assert_eq!(actual_schema, expected_sorted);
    assert_eq!(
        db.query_strings(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_account_email'::regclass"
        ),
        ["t"]
    );

    // Again: already at head, nothing applied.
    let output = run(&binary, db.url()).output().unwrap();
    show(&output);
    assert!(output.status.success());
    assert_eq!(
        stdout(&output),
        format!("database is up to date at {SECOND}\nplans available: 2\n")
    );
    // It wrote nothing beside itself.
    assert_eq!(files(dir.path()), [name]);

    // A database it cannot reach: exit 1, the error on stderr, nothing on stdout.
    let missing = db.url().replace(db.name(), "alembic_t_no_such_database");
    let output = run(&binary, &missing).output().unwrap();
    show(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: db error\n  caused by: FATAL: database \"alembic_t_no_such_database\" does not exist\n"
    );

    // Eight copies at once on a fresh database: all succeed, each revision applied once.
    let db = TestDb::new(module_path!(), "example_app_eight");
    let children: Vec<_> = (0..8)
        .map(|_| {
            run(&binary, db.url())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    let mut applied = Vec::new();
    for output in &outputs {
        show(output);
        assert!(output.status.success());
        applied.extend(
            stdout(output)
                .lines()
                .filter(|line| line.starts_with("applied: "))
                .map(str::to_owned),
        );
    }
    applied.sort();
    assert_eq!(
        applied,
        [
            format!("applied: upgrade  -> {FIRST}, create account"),
            format!("applied: upgrade {FIRST} -> {SECOND}, add plan"),
        ]
    );
    assert_eq!(
        db.query_strings("SELECT version_num FROM alembic_version"),
        [SECOND]
    );
    assert_eq!(db.query_strings("SELECT count(*) FROM plan"), ["2"]);
    let mut actual_schema = schema(&db);
    actual_schema[7..].sort();
    assert_eq!(actual_schema, expected_sorted);
}

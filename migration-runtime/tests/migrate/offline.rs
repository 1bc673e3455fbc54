//! `--sql` scripts compared byte for byte with what Python Alembic 1.20 prints for the same
//! graph: the same revision ids, and revisions doing `op.execute(...)` of the same
//! statements (in `autocommit_block()` where PostgreSQL requires it, which our migrator
//! works out on its own).
//!
//! One normalisation, documented in the README's differences from Alembic: SQLAlchemy ends
//! the column line of `CREATE TABLE alembic_version` with `", "`, a trailing space we do not
//! print. It is removed from Python's output, only on that line, before comparing.

use migration_runtime::Migrations;
use migration_runtime::migrate::Migrator;

use crate::graph::{BRANCHED, LINEAR, SqlRev, migrations, py_alembic_batch, python_project};
use crate::nontransactional::ONLINE_DDL;

/// An offline command, as Python's command line spells it.
enum Cmd {
    Upgrade(&'static str),
    Downgrade(&'static str),
    /// A downgrade through a merge: Alembic picks the row to UPDATE (the others are
    /// INSERTed) from a Python set, so its output depends on the hash seed (reference
    /// §2.6). Ours, in `down_revision` order, must be one of the outputs Python prints.
    Unmerge(&'static str),
    Stamp(&'static [&'static str]),
}

/// Python's `x` options for a migrator configured like ours.
struct Options {
    per_migration: bool,
    table: Option<(&'static str, Option<&'static str>)>,
}

const DEFAULTS: Options = Options {
    per_migration: false,
    table: None,
};

fn ours(migrator: &Migrator<'_>, cmd: &Cmd) -> String {
    match cmd {
        Cmd::Upgrade(target) => migrator.upgrade_sql(target),
        Cmd::Downgrade(range) | Cmd::Unmerge(range) => migrator.downgrade_sql(range),
        Cmd::Stamp(targets) => migrator.stamp_sql(targets, false),
    }
    .unwrap_or_else(|err| panic!("{err}"))
}

/// Runs every command through both and compares; collects all mismatches before failing.
fn check(revs: &[SqlRev], options: &Options, commands: &[Cmd]) {
    let m: &Migrations = migrations(revs);
    let mut migrator = m
        .migrator()
        .transaction_per_migration(options.per_migration);
    let mut x: Vec<String> = Vec::new();
    if options.per_migration {
        x.push("per_migration=1".to_owned());
    }
    if let Some((name, schema)) = options.table {
        migrator = migrator.version_table(name, schema);
        x.push(format!("version_table={name}"));
        if let Some(schema) = schema {
            x.push(format!("version_table_schema={schema}"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    python_project(revs, dir.path());

    let argv: Vec<Vec<String>> = commands
        .iter()
        .map(|cmd| {
            let mut args: Vec<String> = Vec::new();
            for option in &x {
                args.extend(["-x".to_owned(), option.clone()]);
            }
            match cmd {
                Cmd::Upgrade(target) => args.extend(["upgrade".into(), (*target).into()]),
                Cmd::Downgrade(range) | Cmd::Unmerge(range) => {
                    args.extend(["downgrade".into(), (*range).into()]);
                }
                Cmd::Stamp(targets) => {
                    args.push("stamp".into());
                    args.extend(targets.iter().map(|t| (*t).to_owned()));
                }
            }
            args.push("--sql".into());
            args
        })
        .collect();
    let python = py_alembic_batch(dir.path(), &argv, 0);

    let mut failures = Vec::new();
    for ((cmd, args), expected) in commands.iter().zip(&argv).zip(python) {
        let expected = normalise(&expected);
        let actual = ours(&migrator, cmd);
        eprintln!("--- alembic {}\n{actual}", args.join(" "));
        if actual == expected {
            continue;
        }
        if matches!(cmd, Cmd::Unmerge(_))
            && (1..16).any(|seed| {
                normalise(&py_alembic_batch(dir.path(), std::slice::from_ref(args), seed)[0])
                    == actual
            })
        {
            continue;
        }
        failures.push(format!(
            "alembic {}:\n--- Python Alembic\n{expected}--- ours\n{actual}---",
            args.join(" ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Python's script with the one known difference taken out: the trailing space SQLAlchemy
/// leaves after `NOT NULL,` in `CREATE TABLE alembic_version`.
fn normalise(python: &str) -> String {
    assert!(
        python.matches("VARCHAR(32) NOT NULL, \n").count() <= 1,
        "{python}"
    );
    python.replacen("VARCHAR(32) NOT NULL, \n", "VARCHAR(32) NOT NULL,\n", 1)
}

#[test]
fn linear_scripts_equal_python_alembics() {
    check(
        LINEAR,
        &DEFAULTS,
        &[
            Cmd::Upgrade("head"),
            Cmd::Upgrade("1975ea83b712:head"),
            Cmd::Upgrade("ae1027a6acf:27c6a30d7c24"),
            Cmd::Upgrade("base:+1"),
            Cmd::Downgrade("27c6a30d7c24:base"),
            Cmd::Downgrade("27c6a30d7c24:1975ea83b712"),
            Cmd::Stamp(&["head"]),
            Cmd::Stamp(&["ae1027a6acf:head"]),
            Cmd::Stamp(&["27c6a30d7c24:base"]),
            Cmd::Stamp(&["base"]),
            Cmd::Upgrade("27c6a30d7c24:head"),
        ],
    );
}

#[test]
fn branched_and_merged_scripts_equal_python_alembics() {
    check(
        BRANCHED,
        &DEFAULTS,
        &[
            Cmd::Upgrade("heads"),
            Cmd::Upgrade("aaaa01:heads"),
            Cmd::Upgrade("bbbb02:cccc03"),
            Cmd::Upgrade("dddd04"),
            Cmd::Unmerge("eeee05:aaaa01"),
            Cmd::Unmerge("eeee05:base"),
            Cmd::Unmerge("eeee05:cccc03"),
            Cmd::Downgrade("cccc03:bbbb02"),
            Cmd::Stamp(&["heads"]),
            Cmd::Stamp(&["cccc03", "dddd04"]),
            Cmd::Stamp(&["eeee05:bbbb02"]),
        ],
    );
}

#[test]
fn transaction_per_migration_scripts_equal_python_alembics() {
    check(
        LINEAR,
        &Options {
            per_migration: true,
            table: None,
        },
        &[
            Cmd::Upgrade("head"),
            Cmd::Downgrade("27c6a30d7c24:base"),
            Cmd::Stamp(&["head"]),
            Cmd::Stamp(&["base"]),
            Cmd::Upgrade("27c6a30d7c24:head"),
        ],
    );
}

#[test]
fn autocommit_statements_and_a_configured_table_equal_python_alembics() {
    // The reference's third run: transaction_per_migration, version_table "my_version" in
    // schema "myschema", and statements that must run outside a transaction.
    for per_migration in [true, false] {
        check(
            ONLINE_DDL,
            &Options {
                per_migration,
                table: Some(("my_version", Some("myschema"))),
            },
            &[
                Cmd::Upgrade("head"),
                Cmd::Upgrade("n1:n2"),
                Cmd::Downgrade("n2:base"),
                Cmd::Stamp(&["head"]),
            ],
        );
    }
}

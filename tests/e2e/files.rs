//! The commands that need no database: `init`, `list-templates`, `revision`, `merge`,
//! `heads`, `branches`, `history`, `show`, `edit`.

use snapbox::str;

use crate::oracle::PyAlembic;
use crate::project::{AssertAll, TestProject, show};

#[test]
fn init_scaffolds_a_crate_that_builds() {
    let p = TestProject::new();
    p.alembic(&["init", "migrations", "--package", "m_init_builds"])
        .assert()
        .all(
            0,
            "",
            str![[r#"
Creating directory migrations ...  done
Generating migrations/Cargo.toml ...  done
Generating migrations/alembic.toml ...  done
Generating migrations/build.rs ...  done
Generating migrations/src/lib.rs ...  done
Generating migrations/src/main.rs ...  done
Generating migrations/versions/.gitkeep ...  done
Generating migrations/script.rs.tmpl ...  done
Generating migrations/script.sql.tmpl ...  done
Added `migrations` to the workspace members in Cargo.toml
Please edit configuration settings in migrations/alembic.toml before proceeding.

"#]],
        );
    assert_eq!(
        p.files("migrations"),
        [
            "Cargo.toml",
            "alembic.toml",
            "build.rs",
            "script.rs.tmpl",
            "script.sql.tmpl",
            "src/lib.rs",
            "src/main.rs",
            "versions/.gitkeep",
        ]
    );
    assert!(
        p.read("Cargo.toml").contains("members = [\"migrations\"]"),
        "{}",
        p.read("Cargo.toml")
    );
    let manifest = p.read("migrations/Cargo.toml");
    assert!(manifest.contains("name = \"m_init_builds\""), "{manifest}");
    assert!(
        manifest.contains("migration-runtime = { path = "),
        "{manifest}"
    );

    // Zero revisions is a valid, empty history: the crate builds and its binary runs.
    let output = p.cargo(&["build", "-p", "m_init_builds"]).output().unwrap();
    show(&output);
    assert!(output.status.success(), "the scaffold does not build");
    p.alembic(&["heads"]).assert().all(0, "", "");
    p.alembic(&["history"]).assert().all(0, "", "");
}

#[test]
fn init_refuses_a_non_empty_directory_and_unknown_templates() {
    let p = TestProject::new();
    p.write("migrations/keep.txt", "x");
    p.alembic(&["init", "migrations"]).assert().all(
        2,
        "",
        str![[r#"
error: Directory migrations already exists and is not empty

"#]],
    );
    assert_eq!(p.files("migrations"), ["keep.txt"]);
    p.alembic(&["init", "other", "--template", "nope"])
        .assert()
        .all(
            2,
            "",
            str![[r#"
error: No such template 'nope'; available templates: generic, xtask

"#]],
        );
    assert!(!p.path().join("other").exists());
}

#[test]
fn list_templates() {
    let p = TestProject::new();
    p.alembic(&["list-templates"]).assert().all(
        0,
        str![[r#"
Available templates:

generic - Generic single-database configuration.
xtask - Generic configuration plus an xtask crate: `cargo xtask migrate upgrade head`.

Templates are used via the 'init' command, e.g.:

  cargo alembic init --template generic ./migrations

"#]],
        "",
    );
}

/// The graph of the reference report: `1a -> aaaa01 -> bbbb02 -> {cccc03, dddd04}`, merged
/// by `eeee05`, built with the same commands in cargo-alembic and in Python Alembic.
const GRAPH: &[&[&str]] = &[
    &["revision", "-m", "create account", "--rev-id", "1a"],
    &["revision", "-m", "base", "--rev-id", "aaaa01"],
    &["revision", "-m", "second", "--rev-id", "bbbb02"],
    &["revision", "-m", "branch one", "--rev-id", "cccc03"],
    &[
        "revision",
        "-m",
        "branch two",
        "--rev-id",
        "dddd04",
        "--head",
        "bbbb02",
        "--splice",
    ],
];

/// Lines of `branches` children and `Branches into` come from a Python set in Alembic, in no
/// stable order; cargo-alembic sorts them. Sort both sides' child lines before comparing.
fn normalize(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut children: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("-> ") {
            children.push(line.to_owned());
            continue;
        }
        children.sort();
        out.append(&mut children);
        if let Some(list) = line.strip_prefix("Branches into: ") {
            let mut ids: Vec<&str> = list.split(", ").collect();
            ids.sort_unstable();
            out.push(format!("Branches into: {}", ids.join(", ")));
        } else if line.starts_with("Path: ") {
            out.push("Path: [PATH]".to_owned());
        } else if line.starts_with("    ") || line.trim().is_empty() {
            // The revision's header text differs by language (docstring vs comments).
        } else {
            out.push(line.to_owned());
        }
    }
    children.sort();
    out.append(&mut children);
    out.join("\n")
}

#[test]
fn listings_match_python_alembic() {
    let p = TestProject::new();
    p.init("migrations", "m_listings");
    let py_dir = p.path().join("py");
    let py = PyAlembic::init(&py_dir);
    let both = |args: &[&str]| {
        p.alembic_ok(args);
        py.run(args);
    };
    for command in GRAPH {
        both(command);
    }
    let compare = |args: &[&str]| {
        let ours = p.alembic_ok(args);
        let theirs = py.run(args);
        assert_eq!(
            normalize(&ours),
            normalize(&theirs),
            "`{args:?}` differs from Python Alembic\n--- cargo alembic\n{ours}\n--- alembic\n{theirs}"
        );
        ours
    };
    let heads = compare(&["heads"]);
    assert_eq!(heads, "cccc03 (head)\ndddd04 (head)\n");
    compare(&["heads", "-v"]);
    let history = compare(&["history"]);
    assert_eq!(
        history,
        "bbbb02 -> cccc03 (head), branch one\n\
         bbbb02 -> dddd04 (head), branch two\n\
         aaaa01 -> bbbb02 (branchpoint), second\n\
         1a -> aaaa01, base\n\
         <base> -> 1a, create account\n"
    );
    compare(&["history", "-r", "bbbb:heads"]);
    compare(&["history", "-r", ":aaaa01"]);
    compare(&["history", "-v"]);
    let branches = compare(&["branches"]);
    assert_eq!(
        branches,
        "bbbb02 (branchpoint)\n       -> cccc03 (head)\n       -> dddd04 (head)\n\n"
    );
    compare(&["branches", "-v"]);
    compare(&["show", "bbbb02"]);
    compare(&["show", "a"]);
    compare(&["show", "heads"]);

    // Merge the two heads, then label and depend across a second root.
    both(&["merge", "-m", "merge it", "--rev-id", "eeee05", "heads"]);
    both(&[
        "revision",
        "-m",
        "lib base",
        "--rev-id",
        "2000aaaa",
        "--head",
        "base",
        "--branch-label",
        "lib1",
    ]);
    both(&[
        "revision",
        "-m",
        "lib two",
        "--rev-id",
        "2001bbbb",
        "--head",
        "lib1@head",
    ]);
    both(&[
        "revision",
        "-m",
        "app depends on lib",
        "--rev-id",
        "ffff06",
        "--head",
        "eeee05",
        "--depends-on",
        "2001",
    ]);
    both(&[
        "revision",
        "-m",
        "app on label",
        "--rev-id",
        "ffff07",
        "--head",
        "ffff06",
        "--depends-on",
        "lib1",
    ]);
    compare(&["heads"]);
    compare(&["heads", "--resolve-dependencies"]);
    compare(&["heads", "-v"]);
    let history = compare(&["history"]);
    assert!(
        history.starts_with("ffff06 (lib1) -> ffff07 (head), app on label\n"),
        "{history}"
    );
    compare(&["branches"]);
    compare(&["show", "eeee05"]);
    compare(&["show", "ffff06"]);
    compare(&["show", "lib1@head"]);
    compare(&["history", "-r", "lib1@base:lib1@head"]);
    compare(&["history", "-r", "bbbb02:eeee05"]);

    // The files build: the graph with a merge, labels and dependencies compiles.
    let output = p.cargo(&["build", "-p", "m_listings"]).output().unwrap();
    show(&output);
    assert!(output.status.success());
}

#[test]
fn revision_file_is_rendered_from_the_template() {
    let p = TestProject::new();
    p.init("migrations", "m_rev_file");
    p.alembic(&[
        "revision",
        "-m",
        "Create account table!",
        "--rev-id",
        "1975ea83b712",
    ])
    .assert()
    .all(
        0,
        "",
        str![[r#"
Generating migrations/versions/1975ea83b712_create_account_table.rs ...  done

"#]],
    );
    let text = p.read("migrations/versions/1975ea83b712_create_account_table.rs");
    let text = redact_date(&text);
    snapbox::assert_data_eq!(
        text,
        str![[r#"
//! Create account table!
//!
//! Revision ID: 1975ea83b712
//! Revises:
//! Create Date: [DATE]
//! Branch Labels:
//! Depends On:

use migration_runtime::prelude::*;

/// Upgrade schema.
pub fn upgrade(op: &mut Op) {
}

/// Downgrade schema.
pub fn downgrade(op: &mut Op) {
}

"#]]
    );
    p.alembic(&[
        "revision",
        "-m",
        "add email",
        "--rev-id",
        "ae1027a6acf0",
        "--format",
        "sql",
        "--branch-label",
        "billing",
    ])
    .assert()
    .success();
    let text = redact_date(&p.read("migrations/versions/ae1027a6acf0_add_email.sql"));
    snapbox::assert_data_eq!(
        text,
        str![[r#"
-- add email
--
-- Revision ID: ae1027a6acf0
-- Revises: 1975ea83b712
-- Create Date: [DATE]
-- Branch Labels: billing
-- Depends On:

-- migrate:upgrade

-- migrate:downgrade

"#]]
    );
    p.alembic(&["history"]).assert().all(
        0,
        str![[r#"
1975ea83b712 -> ae1027a6acf0 (billing) (head), add email
<base> -> 1975ea83b712 (billing), Create account table!

"#]],
        "",
    );
}

fn redact_date(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("Create Date: ") {
            Some(pos) => format!("{}Create Date: [DATE]", &line[..pos]),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn revision_errors_change_nothing() {
    let p = TestProject::new();
    p.init("migrations", "m_rev_errors");
    for command in GRAPH {
        p.alembic_ok(command);
    }
    let before = p.files("migrations/versions");
    p.alembic(&["revision", "-m", "x"]).assert().all(
        3,
        "",
        str![[r#"
error: Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.

"#]],
    );
    p.alembic(&["revision", "-m", "x", "--head", "bbbb02"]).assert().all(
        3,
        "",
        str![[r#"
error: Revision bbbb02 is not a head revision; please specify --splice to create a new branch from this revision

"#]],
    );
    p.alembic(&[
        "revision",
        "-m",
        "x",
        "--head",
        "cccc03",
        "--depends-on",
        "invalid",
    ])
    .assert()
    .all(
        3,
        "",
        str![[r#"
error: Can't locate revision identified by 'invalid'

"#]],
    );
    p.alembic(&[
        "revision",
        "-m",
        "x",
        "--head",
        "cccc03",
        "--rev-id",
        "no@atsigns-ordashes",
    ])
    .assert()
    .all(
        3,
        "",
        str![[r#"
error: Character(s) '-, @' not allowed in revision identifier 'no@atsigns-ordashes'

"#]],
    );
    p.alembic(&[
        "revision", "-m", "x", "--head", "cccc03", "--rev-id", "aaaa01",
    ])
    .assert()
    .all(
        3,
        "",
        str![[r#"
error: Revision aaaa01 already exists in migrations/versions/aaaa01_base.rs

"#]],
    );
    p.alembic(&["show", "zzzz"]).assert().all(
        3,
        "",
        str![[r#"
error: Can't locate revision identified by 'zzzz'

"#]],
    );
    p.alembic(&["upgrade_or_typo"]).assert().code(2);
    p.alembic(&["history", "-r", "aaaa01"]).assert().all(
        3,
        "",
        str![[r#"
error: History range requires [start]:[end], [start]:, or :[end]

"#]],
    );
    assert_eq!(p.files("migrations/versions"), before);
}

#[test]
fn malformed_revision_files_are_named_with_their_line() {
    let p = TestProject::new();
    p.init("migrations", "m_malformed");
    p.alembic_ok(&["revision", "-m", "one", "--rev-id", "aaaa01"]);
    p.write(
        "migrations/versions/bbbb02_two.sql",
        "-- two\n--\n-- Revision ID: bbbb02\n-- Revises: nope0001\n\n-- migrate:upgrade\nSELECT 1;\n",
    );
    p.alembic(&["heads"]).assert().all(
        3,
        "",
        str![[r#"
error: migrations/versions/bbbb02_two.sql:3: Revision nope0001 referenced from bbbb02 is not present

"#]],
    );
    p.write(
        "migrations/versions/bbbb02_two.sql",
        "-- two\n--\n-- Revision ID: bb-02\n-- Revises: aaaa01\n",
    );
    p.alembic(&["history"]).assert().all(
        3,
        "",
        str![[r#"
error: migrations/versions/bbbb02_two.sql:3: Revision ID: Character(s) '-' not allowed in revision identifier 'bb-02'

"#]],
    );
    p.write(
        "migrations/versions/bbbb02_two.sql",
        "-- two\n--\n-- Revision ID: aaaa01\n-- Revises:\n\n-- migrate:upgrade\n",
    );
    p.alembic(&["heads"]).assert().all(
        3,
        "",
        str![[r#"
error: migrations/versions/bbbb02_two.sql:3: Revision aaaa01 is present more than once (also in migrations/versions/aaaa01_one.rs:3)

"#]],
    );
}

#[test]
fn several_environments_need_a_package() {
    let p = TestProject::new();
    p.init("db_main", "m_env_main");
    p.init("db_audit", "m_env_audit");
    p.alembic(&["heads"]).assert().all(
        4,
        "",
        str![[r#"
error: the workspace has several migrations crates: m_env_main, m_env_audit; choose one with -p/--package

"#]],
    );
    p.alembic(&[
        "revision",
        "-m",
        "audit one",
        "--rev-id",
        "a0d1",
        "-p",
        "m_env_audit",
    ])
    .assert()
    .success();
    p.alembic(&["heads", "-p", "m_env_audit"])
        .assert()
        .all(0, "a0d1 (head)\n", "");
    p.alembic(&["heads", "-p", "m_env_main"])
        .assert()
        .all(0, "", "");
    // Inside an environment's directory, that environment is the default.
    p.alembic_in("db_audit", &["heads"])
        .assert()
        .all(0, "a0d1 (head)\n", "");
    p.alembic(&["heads", "-p", "nope"]).assert().code(4);
}

#[test]
fn edit_opens_the_revision_file() {
    let p = TestProject::new();
    p.init("migrations", "m_edit");
    p.alembic_ok(&["revision", "-m", "one", "--rev-id", "aaaa01"]);
    // `touch` stands in for an editor: it proves the command ran with the file's path.
    let marker = p.path().join("edited");
    let script = p.path().join("editor.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$@\" > {}\n", marker.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p.alembic(&["edit", "aaaa"])
        .env("EDITOR", &script)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        "migrations/versions/aaaa01_one.rs\n"
    );
    p.alembic(&["edit", "aaaa"]).assert().all(
        2,
        "",
        str![[r#"
error: no editor: set $VISUAL or $EDITOR to open revision files

"#]],
    );
}

#[test]
fn xtask_template_builds_a_migrate_task() {
    let p = TestProject::new();
    p.alembic(&[
        "init",
        "--template",
        "xtask",
        "migrations",
        "--package",
        "m_xtask_build",
    ])
    .assert()
    .success();
    assert!(
        p.read("Cargo.toml")
            .contains("members = [\"migrations\", \"xtask\"]")
    );
    assert_eq!(
        p.read(".cargo/config.toml"),
        "[alias]\nxtask = \"run --package xtask --\"\n"
    );
    p.write(
        "migrations/versions/aaaa01_one.sql",
        "-- one\n--\n-- Revision ID: aaaa01\n-- Revises:\n\n-- migrate:upgrade\nCREATE TABLE xtask_one (id int);\n\n-- migrate:downgrade\nDROP TABLE xtask_one;\n",
    );
    let db = alembic_test_support::TestDb::new(module_path!(), "xtask_template");
    let output = p
        .cargo(&["xtask", "migrate", "upgrade", "head"])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    show(&output);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("INFO  [alembic.runtime.migration] Running upgrade  -> aaaa01, one")
    );
    assert_eq!(
        db.query_strings("SELECT version_num FROM alembic_version"),
        ["aaaa01"]
    );
    assert_eq!(db.query_strings("SELECT count(*) FROM xtask_one"), ["0"]);
    // Existing files are kept: a second init in the same workspace does not touch the xtask.
    let main_rs = p.read("xtask/src/main.rs");
    p.alembic(&[
        "init",
        "--template",
        "xtask",
        "other",
        "--package",
        "m_xtask_other",
    ])
    .assert()
    .success();
    assert_eq!(p.read("xtask/src/main.rs"), main_rs);
}

/// Through cargo's own dispatch: `cargo alembic ...` finds `cargo-alembic` on PATH and runs
/// it as `cargo-alembic alembic ...`.
#[test]
fn cargo_dispatches_to_cargo_alembic() {
    let p = TestProject::new();
    let bin = p.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(
        snapbox::cmd::cargo_bin!("cargo-alembic-e2e"),
        bin.join("cargo-alembic"),
    )
    .unwrap();
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let cargo_with = |first: &str| {
        let mut cmd = p.cargo(&[first]);
        cmd.env("PATH", &path).env(
            "CARGO_ALEMBIC_RUNTIME_PATH",
            crate::project::repo_root().join("migration-runtime"),
        );
        cmd
    };
    let cargo = || cargo_with("alembic");
    let output = cargo()
        .args(["init", "migrations", "--package", "m_dispatch"])
        .output()
        .unwrap();
    show(&output);
    assert!(output.status.success());
    let output = cargo()
        .args(["revision", "-m", "first", "--rev-id", "aaaa01"])
        .output()
        .unwrap();
    show(&output);
    assert!(output.status.success());
    let output = cargo().args(["heads"]).output().unwrap();
    show(&output);
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "aaaa01 (head)\n");
    let output = cargo_with("help").arg("alembic").output().unwrap();
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("Alembic-style schema migrations for Rust"),
        "cargo help alembic shows our help"
    );
}

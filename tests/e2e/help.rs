//! `--help` of every command, as snapshots: a change to the command line shows up in review.
//! Update with `SNAPSHOTS=overwrite cargo nextest run -p alembic-e2e help`.

use crate::project::TestProject;

const COMMANDS: &[&str] = &[
    "",
    "init",
    "list-templates",
    "revision",
    "merge",
    "heads",
    "branches",
    "history",
    "show",
    "edit",
    "upgrade",
    "downgrade",
    "current",
    "stamp",
    "check",
];

#[test]
fn help_of_every_command() {
    let p = TestProject::new();
    for command in COMMANDS {
        let mut args: Vec<&str> = Vec::new();
        if !command.is_empty() {
            args.push(command);
        }
        args.push("--help");
        let name = if command.is_empty() {
            "alembic"
        } else {
            command
        };
        p.alembic(&args)
            .env("COLUMNS", "100")
            .assert()
            .code(0)
            .stderr_eq("")
            .stdout_eq(snapbox::Data::read_from(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("e2e/snapshots/help/{name}.txt")),
                None,
            ));
    }
}

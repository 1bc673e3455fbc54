//! Workspace tasks, run with `cargo xtask <task>`.
//!
//! `cargo xtask migrate <command>` runs the migrations embedded in `{{package}}`: the same
//! commands as `cargo alembic upgrade|downgrade|current|stamp|history|heads|show`, e.g.
//! `cargo xtask migrate upgrade head`.

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(task) if task == "migrate" => {
            let forwarded = std::iter::once(OsString::from("cargo xtask migrate"))
                .chain(args)
                .collect();
            migration_runtime::cli::main_with_args(&{{crate_name}}::MIGRATIONS, forwarded)
        }
        _ => {
            eprintln!("usage: cargo xtask migrate <upgrade|downgrade|current|stamp|history|heads|show> [ARGS]");
            ExitCode::from(2)
        }
    }
}

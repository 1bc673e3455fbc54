//! `cargo alembic`: Alembic-style schema migrations for Rust.
//!
//! Commands that only read or write revision files (`init`, `revision`, `merge`, `heads`,
//! `branches`, `history`, `show`, `edit`, `list-templates`) run here, from the files, with no
//! compile. Commands that touch a database build the environment's binary with cargo and run
//! it, so development runs exactly what production ships.

pub mod cargo;
pub mod cli;
pub mod commands;
pub mod error;
pub mod output;
pub mod process;
pub mod workspace;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cargo, Command};
use crate::error::CliError;
use crate::output::Output;

/// Runs `cargo alembic` with the process's arguments.
pub fn main() -> ExitCode {
    main_with_args(std::env::args_os().collect())
}

/// Runs `cargo alembic` with the given arguments (the first is the program name).
pub fn main_with_args(mut args: Vec<OsString>) -> ExitCode {
    // Cargo runs `cargo-alembic alembic <command>`; run directly, the `alembic` is missing.
    if args.get(1).is_none_or(|arg| arg != "alembic") {
        args.insert(1.min(args.len()), OsString::from("alembic"));
    }
    let Cargo::Alembic(cli) = match Cargo::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                error::exit_codes::USAGE
            } else {
                error::exit_codes::SUCCESS
            };
            // Help and version go to stdout, usage errors to stderr, as clap prints them.
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let out = Output::new(cli.quiet, cli.color);
    match run(cli.command, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Child(code)) => ExitCode::from(code),
        Err(err) => {
            out.error(&err);
            err.exit()
        }
    }
}

fn run(command: Command, out: &Output) -> Result<(), CliError> {
    use crate::commands::*;
    match command {
        Command::Init(args) => init::run(&args, out),
        Command::ListTemplates => init::list_templates(out),
        Command::Revision(args) => revision::run(&args, out),
        Command::Merge(args) => revision::merge(&args, out),
        Command::Heads(args) => listing::heads(&args, out),
        Command::Branches(args) => listing::branches(&args, out),
        Command::History(args) => listing::history(&args, out),
        Command::Show(args) => listing::show(&args, out),
        Command::Edit(args) => listing::edit(&args, out),
        Command::Upgrade(args) => database::upgrade(&args, out),
        Command::Downgrade(args) => database::downgrade(&args, out),
        Command::Current(args) => database::current(&args, out),
        Command::Stamp(args) => database::stamp(&args, out),
        Command::Check(args) => database::check(&args, out),
    }
}

//! Subprocesses: the one place that creates a `std::process::Command`, so every failure
//! names the command and its exit status.

use std::ffi::OsStr;
use std::process::{Command, ExitStatus};

use crate::error::CliError;

/// A command for `program`.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the helper other modules use"
    )]
    Command::new(program)
}

/// Runs `cmd` with inherited stdio and returns its status.
pub fn status(cmd: &mut Command) -> Result<ExitStatus, CliError> {
    cmd.status().map_err(|err| CliError::Process {
        message: format!("failed to run `{}`: {err}", describe(cmd)),
        stderr: String::new(),
    })
}

/// The command line, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

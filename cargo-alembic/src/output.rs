//! The only place that writes to the terminal: stdout carries data (listings, SQL), stderr
//! carries status lines and errors.

#![expect(
    clippy::print_stderr,
    reason = "this module is the one writer of stderr"
)]

use std::io::{IsTerminal, Write};

use crate::cli::ColorChoice;
use crate::error::CliError;

/// Where a command writes.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    quiet: bool,
    color: bool,
}

impl Output {
    /// An output honouring `--quiet` and `--color`.
    pub fn new(quiet: bool, color: ColorChoice) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal(),
        };
        Self { quiet, color }
    }

    /// Whether `--quiet` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Writes one line of data to stdout. A closed pipe (`cargo alembic history | head`)
    /// ends the process quietly with success, as other Unix tools do.
    pub fn data(&self, line: &str) {
        let mut stdout = std::io::stdout().lock();
        if let Err(err) = writeln!(stdout, "{line}")
            && err.kind() == std::io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }

    /// Writes lines of data to stdout in one write: a listing of ten thousand revisions is
    /// one system call, not ten thousand.
    pub fn data_lines(&self, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        let mut stdout = std::io::stdout().lock();
        let written = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
        if written.is_err_and(|err| err.kind() == std::io::ErrorKind::BrokenPipe) {
            std::process::exit(0);
        }
    }

    /// Writes a status line to stderr unless `--quiet`.
    pub fn status(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// Writes an error and its causes to stderr.
    pub fn error(&self, err: &CliError) {
        let prefix = if self.color {
            "\x1b[1;31merror\x1b[0m"
        } else {
            "error"
        };
        eprintln!("{prefix}: {err}");
        let mut source = std::error::Error::source(err);
        if source.is_some() {
            eprintln!();
            eprintln!("Caused by:");
        }
        while let Some(cause) = source {
            eprintln!("    {cause}");
            source = cause.source();
        }
        if let CliError::Process { stderr, .. } = err
            && !stderr.trim().is_empty()
        {
            eprintln!("--- stderr");
            eprintln!("{}", stderr.trim_end());
        }
    }

    /// Writes a warning to stderr (even with `--quiet`: warnings are about data at risk).
    pub fn warn(&self, line: &str) {
        let prefix = if self.color {
            "\x1b[1;33mwarning\x1b[0m"
        } else {
            "warning"
        };
        eprintln!("{prefix}: {line}");
    }
}

//! `CliError` and its exit codes (documented in [`migration_runtime::exit_codes`]).

use std::path::PathBuf;
use std::process::ExitCode;

use migration_runtime::{config::ConfigError, graph::GraphError, script::LoadError};

/// Exit codes, shared with the migrations crate's binary, whose code is passed through.
pub use migration_runtime::exit_codes;

/// Everything `cargo alembic` can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An error in revision files or the revision graph.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A revision target or graph error, worded as Alembic's commands word it. Not a
    /// `source`: the command-level text replaces the graph-level one.
    #[error("{}", .0.clone().into_command())]
    Graph(GraphError),
    /// A revision-level error the command itself detected.
    #[error("{0}")]
    Revision(String),
    /// A configuration error.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No environment, or an ambiguous choice of environment.
    #[error("{0}")]
    Environment(String),
    /// A filesystem operation failed.
    #[error("failed to {action} `{}`", path.display())]
    Io {
        /// What was being done: "read", "write", "create directory", ...
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A subprocess could not be started or failed.
    #[error("{message}")]
    Process {
        /// The command and what went wrong.
        message: String,
        /// The captured stderr, if any.
        stderr: String,
    },
    /// `cargo build` of the environment failed.
    #[error("failed to build environment `{package}` ({status})")]
    Build {
        /// The migrations package.
        package: String,
        /// The exit status.
        status: String,
    },
    /// The environment binary was ended by a signal.
    #[error("{message}")]
    Signal {
        /// What happened.
        message: String,
        /// 128 + the signal number.
        code: u8,
    },
    /// The environment binary exited non-zero; its code is passed through.
    #[error("environment binary exited with code {0}")]
    Child(u8),
    /// `cargo metadata` failed.
    #[error("failed to read the workspace with `cargo metadata`")]
    Metadata(#[source] cargo_metadata::Error),
    /// Invalid input the command rejects, such as a bad template name.
    #[error("{0}")]
    Usage(String),
}

impl From<GraphError> for CliError {
    fn from(err: GraphError) -> Self {
        Self::Graph(err)
    }
}

impl CliError {
    /// The exit code this error maps to.
    pub fn exit_code(&self) -> u8 {
        use exit_codes::*;
        match self {
            Self::Load(LoadError::Io { .. }) => IO,
            Self::Load(_) | Self::Graph(_) | Self::Revision(_) => REVISION,
            Self::Config(_) | Self::Environment(_) | Self::Metadata(_) => CONFIG,
            Self::Io { .. } | Self::Process { .. } => IO,
            Self::Build { .. } => BUILD,
            Self::Child(code) | Self::Signal { code, .. } => *code,
            Self::Usage(_) => USAGE,
        }
    }

    /// The process exit code.
    pub fn exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

/// Adds the path and the action to an I/O error.
pub(crate) fn io(
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> CliError {
    let path = path.to_owned();
    move |source| CliError::Io {
        action,
        path,
        source,
    }
}

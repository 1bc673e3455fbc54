//! Building an environment's binary with cargo and running it.
//!
//! Commands that touch the database run the migrations crate's own binary, so development
//! runs exactly what production ships. Cargo's diagnostics stream to the terminal as they
//! happen; the binary inherits stdio and its exit code is passed through.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;

use crate::error::CliError;
use crate::output::Output;
use crate::process;
use crate::workspace::Environment;

/// How to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// `--release`.
    pub release: bool,
}

/// Builds the environment's binary and returns its path.
pub fn build(env: &Environment, options: BuildOptions, out: &Output) -> Result<PathBuf, CliError> {
    // Cargo tells a subcommand which cargo ran it.
    let cargo = migration_runtime::config::env_var("CARGO").unwrap_or_else(|| "cargo".to_owned());
    let mut cmd = process::command(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(&env.manifest)
        .arg("--bin")
        .arg(&env.package)
        .arg("--message-format=json-render-diagnostics");
    if options.release {
        cmd.arg("--release");
    }
    if out.is_quiet() {
        cmd.arg("--quiet");
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().map_err(|err| CliError::Process {
        message: format!("failed to run `{}`: {err}", process::describe(&cmd)),
        stderr: String::new(),
    })?;
    let mut executable = None;
    if let Some(stdout) = child.stdout.take() {
        let reader = std::io::BufReader::new(stdout);
        for message in cargo_metadata::Message::parse_stream(reader) {
            let Ok(cargo_metadata::Message::CompilerArtifact(artifact)) = message else {
                continue;
            };
            if artifact.target.name == env.package
                && let Some(path) = artifact.executable
            {
                executable = Some(path.into_std_path_buf());
            }
        }
    }
    let status = child.wait().map_err(|err| CliError::Process {
        message: format!("failed to wait for `{}`: {err}", process::describe(&cmd)),
        stderr: String::new(),
    })?;
    if !status.success() {
        return Err(CliError::Build {
            package: env.package.clone(),
            status: status.to_string(),
        });
    }
    executable.ok_or_else(|| CliError::Process {
        message: format!(
            "`cargo build` of `{}` produced no binary named `{}`; does its Cargo.toml still declare [[bin]] name = \"{}\"?",
            env.package, env.package, env.package
        ),
        stderr: String::new(),
    })
}

/// Builds the environment's binary and runs it with `args`, inheriting stdio.
pub fn run(
    env: &Environment,
    options: BuildOptions,
    args: &[OsString],
    out: &Output,
) -> Result<(), CliError> {
    let binary = build(env, options, out)?;
    let mut cmd = process::command(&binary);
    cmd.args(args);
    // Not `process::status`: its message shows the arguments, and `--url` or `-x url=`
    // may carry a password.
    let status = cmd.status().map_err(|err| CliError::Process {
        message: format!("failed to run `{}`: {err}", describe_masked(&cmd)),
        stderr: String::new(),
    })?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(CliError::Child(u8::try_from(code).unwrap_or(u8::MAX))),
        None => Err(CliError::Signal {
            message: format!("`{}` was terminated: {status}", describe_masked(&cmd)),
            code: signal_exit_code(status),
        }),
    }
}

/// The command line with any password in a URL argument replaced by `***`.
fn describe_masked(cmd: &std::process::Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(
        cmd.get_args()
            .map(|arg| migration_runtime::url::mask_password(&arg.to_string_lossy())),
    );
    parts.join(" ")
}

/// 128 + the signal number, as shells report a process a signal ended.
fn signal_exit_code(status: std::process::ExitStatus) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(u8::MAX);
        }
    }
    let _ = status;
    crate::error::exit_codes::IO
}

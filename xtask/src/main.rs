//! cargo-alembic's development tasks, run as `cargo xtask <task>` (the alias is in
//! `.cargo/config.toml`; see <https://github.com/matklad/cargo-xtask>).
//!
//! - `cargo xtask test [-- ARGS]` finds a PostgreSQL server, or starts one, exports
//!   `DATABASE_URL`, sweeps test databases left over by earlier runs, and runs
//!   `cargo nextest run --workspace ARGS` (`cargo test --workspace ARGS` when nextest is
//!   not installed). It is the README's test command.
//! - `cargo xtask ci [-- ARGS]` runs `cargo fmt --all --check`, `cargo clippy --workspace
//!   --all-targets -- -D warnings`, then the same as `test`.
//! - `cargo xtask pg start|stop|url` starts or stops the throwaway cluster, or prints the
//!   URL that `test` would use (finding or starting a server as `test` does).
//! - `cargo xtask bench [CASE...]` builds in release, times each benchmark case (or the
//!   named ones) several times against a real PostgreSQL and records the medians in
//!   `docs/BENCHMARKS.md`; see [`bench`].
//!
//! The server is looked for in this order (see [`pg`]):
//!
//! 1. `DATABASE_URL`, if set and not empty; it must accept connections.
//! 2. `127.0.0.1:5432` as user `postgres` without a password (`XTASK_PG_PROBE_PORT`
//!    overrides the port, to test the fallbacks).
//! 3. A local cluster that `pg_lsclusters` shows as down, started with `pg_ctlcluster`.
//! 4. A throwaway cluster in `target/pg-cluster`: `initdb -A trust`, then `pg_ctl start`
//!    on a free port with a private socket directory. If the server binaries are missing
//!    and we are root on Debian, `apt-get install postgresql` first. As root, the cluster
//!    runs as the `postgres` user (or a new system user `alembic-pg`), since `initdb`
//!    refuses to run as root. `test` stops a cluster that it started itself; one started
//!    with `pg start` keeps running until `pg stop`.
//!
//! Every command is printed to stderr before it runs. Errors are `Box<dyn Error>`.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a developer tool: stderr narrates what runs, stdout carries `pg url`'s answer"
)]

mod bench;
mod cmd;
mod pg;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The error type of every task.
pub type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// cargo-alembic's development tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about, long_about = None)]
enum Task {
    /// Run the test suite against a real PostgreSQL (found or started for you).
    Test {
        /// Passed on to `cargo nextest run` (or `cargo test`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// What CI runs: fmt --check, clippy -D warnings, then `test`.
    Ci {
        /// Passed on to `cargo nextest run` (or `cargo test`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Manage the throwaway PostgreSQL cluster in `target/pg-cluster`.
    Pg {
        #[command(subcommand)]
        action: PgAction,
    },
    /// Build in release, time the benchmark cases, record medians in docs/BENCHMARKS.md.
    Bench {
        /// The cases to run (default: all): heads-history, upgrade, startup, upgrade-sql,
        /// autogenerate.
        cases: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PgAction {
    /// Start the throwaway cluster (or reuse the running one) and print its URL.
    Start,
    /// Stop the throwaway cluster, if it is running.
    Stop,
    /// Print the DATABASE_URL that `cargo xtask test` would use.
    Url,
}

fn main() -> ExitCode {
    let result = match Task::parse() {
        Task::Test { args } => test(&args),
        Task::Ci { args } => ci(&args),
        Task::Pg { action } => match action {
            PgAction::Start => pg::Cluster::locate().and_then(|cluster| {
                let port = cluster.start_or_reuse()?;
                println!("{}", pg::local_url(port));
                Ok(())
            }),
            PgAction::Stop => pg::Cluster::locate().and_then(|cluster| cluster.stop()),
            // `url` only answers: a cluster it had to start stays up for the caller.
            PgAction::Url => {
                pg::find_or_start().map(|server| println!("{}", server.keep_running()))
            }
        },
        Task::Bench { cases } => bench::run(&cases),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask test`: find a server, sweep, run the suite.
fn test(args: &[String]) -> Result<()> {
    let server = pg::find_or_start()?;
    eprintln!("xtask: DATABASE_URL={}", cmd::redact_password(&server.url));
    pg::sweep(&server.url)?;
    let runner = if cmd::Cmd::cargo().args(["nextest", "--version"]).probe() {
        let mut runner = cmd::Cmd::cargo().args(["nextest", "run", "--workspace"]);
        let has_profile = args
            .iter()
            .any(|arg| arg.starts_with("--profile") || arg == "-P");
        if cmd::env("CI").is_some_and(|ci| !ci.is_empty() && ci != "false") && !has_profile {
            runner = runner.args(["--profile", "ci"]);
        }
        runner
    } else {
        eprintln!("xtask: cargo-nextest is not installed; using `cargo test`");
        cmd::Cmd::cargo().args(["test", "--workspace"])
    };
    let result = runner
        .args(args)
        .env("DATABASE_URL", &server.url)
        .current_dir(&project_root())
        .run();
    // `server` drops here, stopping a cluster that this run started.
    drop(server);
    result
}

/// `cargo xtask ci`: the checks `.ci/run` needs, then the tests.
fn ci(args: &[String]) -> Result<()> {
    let root = project_root();
    cmd::Cmd::cargo()
        .args(["fmt", "--all", "--check"])
        .current_dir(&root)
        .run()?;
    cmd::Cmd::cargo()
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&root)
        .run()?;
    test(args)
}

/// The workspace root: the parent of this package's directory.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, or `target/` in the workspace.
pub fn target_dir() -> PathBuf {
    match cmd::env("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => project_root().join(dir),
        _ => project_root().join("target"),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli() {
        super::Task::command().debug_assert();
    }

    #[test]
    fn test_takes_runner_args_after_double_dash() {
        use clap::Parser;
        let task =
            super::Task::parse_from(["xtask", "test", "--", "-E", "test(x)", "--no-capture"]);
        let super::Task::Test { args } = task else {
            panic!("parsed as {task:?}");
        };
        assert_eq!(args, ["-E", "test(x)", "--no-capture"]);
    }
}

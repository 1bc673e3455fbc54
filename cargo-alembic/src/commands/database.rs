//! `upgrade`, `downgrade`, `current`, `stamp`, `check`, and the database forms of `history`
//! and `show`: build the environment's binary and run it with the same arguments.

use std::ffi::OsString;

use crate::cargo::{self, BuildOptions};
use crate::cli::{CheckArgs, CurrentArgs, DbArgs, MigrateArgs, StampArgs};
use crate::error::CliError;
use crate::output::Output;
use crate::workspace::{self, Environment};

/// The arguments for the binary: the subcommand, its options and the shared database
/// options, then `--` and the positional arguments, so that a target such as `-1` is never
/// mistaken for an option.
pub struct Invocation {
    args: Vec<OsString>,
    positionals: Vec<OsString>,
}

impl Invocation {
    /// Starts with the subcommand name.
    pub fn new(command: &str) -> Self {
        Self {
            args: vec![command.into()],
            positionals: Vec::new(),
        }
    }

    /// Adds a positional argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.positionals.push(arg.into());
        self
    }

    /// Adds an option and its value.
    pub fn option(mut self, name: &str, value: impl Into<OsString>) -> Self {
        self.args.push(name.into());
        self.args.push(value.into());
        self
    }

    /// Adds a flag when `on`.
    pub fn flag(mut self, on: bool, flag: &str) -> Self {
        if on {
            self.args.push(flag.into());
        }
        self
    }

    /// Builds the environment `db` selects and runs its binary.
    pub fn run(self, db: &DbArgs, out: &Output) -> Result<(), CliError> {
        let env = workspace::find(&db.manifest)?;
        self.run_in(&env, db, out)
    }

    /// Adds the target schema settings of `env`'s alembic.toml, for `check` and
    /// `autogenerate`.
    pub fn target(mut self, env: &Environment) -> Self {
        let config = &env.config;
        self = self.option("--schema-file", env.dir.join(&config.schema_file));
        if let Some(shadow) = &config.shadow_url {
            self = self.option("--shadow-url", shadow);
        }
        for schema in &config.include_schemas {
            self = self.option("--include-schema", schema);
        }
        for table in &config.ignore_tables {
            self = self.option("--ignore-table", table);
        }
        self
    }

    /// Builds `env` and runs its binary.
    pub fn run_in(mut self, env: &Environment, db: &DbArgs, out: &Output) -> Result<(), CliError> {
        if let Some(url) = &db.url {
            self.args.push("--url".into());
            self.args.push(url.into());
        }
        for x in &db.x {
            self.args.push("-x".into());
            self.args.push(x.into());
        }
        if db.transaction_per_migration {
            self.args.push("--transaction-per-migration".into());
        }
        if let Some(timeout) = db.lock_timeout {
            self.args.push("--lock-timeout".into());
            self.args.push(timeout.to_string().into());
        }
        if out.is_quiet() {
            self.args.push("--quiet".into());
        }
        if !self.positionals.is_empty() {
            self.args.push("--".into());
            self.args.append(&mut self.positionals);
        }
        cargo::run(
            env,
            BuildOptions {
                release: db.release,
            },
            &self.args,
            out,
        )
    }
}

/// `cargo alembic upgrade`.
pub fn upgrade(args: &MigrateArgs, out: &Output) -> Result<(), CliError> {
    Invocation::new("upgrade")
        .arg(&args.revision)
        .flag(args.sql, "--sql")
        .run(&args.db, out)
}

/// `cargo alembic downgrade`.
pub fn downgrade(args: &MigrateArgs, out: &Output) -> Result<(), CliError> {
    Invocation::new("downgrade")
        .arg(&args.revision)
        .flag(args.sql, "--sql")
        .run(&args.db, out)
}

/// `cargo alembic current`.
pub fn current(args: &CurrentArgs, out: &Output) -> Result<(), CliError> {
    Invocation::new("current")
        .flag(args.verbose, "--verbose")
        .flag(args.check_heads, "--check-heads")
        .run(&args.db, out)
}

/// `cargo alembic stamp`.
pub fn stamp(args: &StampArgs, out: &Output) -> Result<(), CliError> {
    let mut invocation = Invocation::new("stamp")
        .flag(args.sql, "--sql")
        .flag(args.purge, "--purge");
    for revision in &args.revisions {
        invocation = invocation.arg(revision);
    }
    invocation.run(&args.db, out)
}

/// `cargo alembic check`.
pub fn check(args: &CheckArgs, out: &Output) -> Result<(), CliError> {
    let env = workspace::find(&args.db.manifest)?;
    Invocation::new("check")
        .target(&env)
        .run_in(&env, &args.db, out)
}

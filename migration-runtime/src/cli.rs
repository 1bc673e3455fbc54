//! The command line of a migrations crate's binary: the counterpart of Alembic's `env.py`.
//!
//! `cargo alembic upgrade head` builds this binary and runs it with the same arguments; in
//! production the same binary, or the application's own `MIGRATIONS.upgrade(...)`, applies
//! the embedded revisions with no file beside it.

#![expect(clippy::print_stderr, reason = "the binary's one writer of stderr")]

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::config;
use crate::dialect::Postgres;
use crate::embed::Migrations;
use crate::exit_codes;
use crate::graph::GraphError;
use crate::listing::Listing;
use crate::migrate::{LOG_TARGET, MigrateError, Migrator};
use crate::url::DatabaseUrl;

/// The migration commands of this crate's embedded revisions.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None, styles = clap::builder::styling::Styles::plain())]
struct Cli {
    /// The database URL [default: -x url=..., DATABASE_URL, then url in alembic.toml].
    #[arg(long, global = true, value_name = "URL")]
    url: Option<String>,

    /// Extra settings, as Alembic's `-x`: `-x url=postgres://...` overrides the URL.
    #[arg(short = 'x', global = true, value_name = "KEY=VALUE")]
    x: Vec<String>,

    /// Commit each revision in its own transaction.
    #[arg(long, global = true)]
    transaction_per_migration: bool,

    /// Give up waiting for the migration lock after this many seconds.
    #[arg(long, global = true, value_name = "SECONDS")]
    lock_timeout: Option<f64>,

    /// Print no status lines.
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Upgrade to a later revision.
    Upgrade(UpgradeArgs),
    /// Revert to a previous revision.
    Downgrade(UpgradeArgs),
    /// Show the database's current revision(s).
    Current(CurrentArgs),
    /// Set the version table to the given revision(s) without running migrations.
    Stamp(StampArgs),
    /// List revisions, newest first.
    History(HistoryArgs),
    /// Show the head revisions.
    Heads(HeadsArgs),
    /// Show the branch points.
    Branches(VerboseArgs),
    /// Show the revision(s) a target names.
    Show(ShowArgs),
    /// Check that the database is at head and matches the target schema.
    Check(TargetArgs),
    /// Compare the database with the target schema and write the operations' code into a
    /// directory (what `cargo alembic revision --autogenerate` runs).
    Autogenerate(AutogenerateArgs),
}

/// Where the target schema comes from, and what to compare.
#[derive(Debug, Args)]
struct TargetArgs {
    /// The declarative schema (SQL) the database should match.
    #[arg(long, value_name = "PATH")]
    schema_file: std::path::PathBuf,
    /// An empty database to apply the schema file in, instead of a temporary one.
    #[arg(long, value_name = "URL")]
    shadow_url: Option<String>,
    /// A schema to compare (repeatable) [default: public].
    #[arg(long = "include-schema", value_name = "SCHEMA")]
    include_schemas: Vec<String>,
    /// A table to leave alone: a name or a glob (repeatable).
    #[arg(long = "ignore-table", value_name = "PATTERN")]
    ignore_tables: Vec<String>,
}

#[derive(Debug, Args)]
struct AutogenerateArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The directory to write `upgrade` and `downgrade` into; nothing is written when the
    /// schemas match.
    #[arg(long, value_name = "DIR")]
    out: std::path::PathBuf,
    /// The revision format the code is for.
    #[arg(long, value_name = "FORMAT", default_value = "rs")]
    format: String,
}

#[derive(Debug, Args)]
struct UpgradeArgs {
    /// The target: `head`, `heads`, an id, `+1`, `-1`, `base`, `label@head`; with --sql a
    /// range `start:end`.
    #[arg(allow_hyphen_values = true)]
    revision: String,
    /// Print the SQL instead of running it; no database connection is made.
    #[arg(long)]
    sql: bool,
}

#[derive(Debug, Args)]
struct CurrentArgs {
    /// Show the full entry of each revision.
    #[arg(short, long)]
    verbose: bool,
    /// Fail (exit 1) unless the database is at every head.
    #[arg(short = 'c', long)]
    check_heads: bool,
}

#[derive(Debug, Args)]
struct StampArgs {
    /// The target revision(s); with --sql each may be `start:end`.
    #[arg(required = true)]
    revisions: Vec<String>,
    /// Print the SQL instead of running it.
    #[arg(long)]
    sql: bool,
    /// Delete every row of the version table first.
    #[arg(long)]
    purge: bool,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// A range `[start]:[end]`; `current` stands for the database's revisions.
    #[arg(short = 'r', long, allow_hyphen_values = true)]
    rev_range: Option<String>,
    /// Show the full entry of each revision.
    #[arg(short, long)]
    verbose: bool,
    /// Mark the database's current revisions.
    #[arg(short, long)]
    indicate_current: bool,
}

#[derive(Debug, Args)]
struct HeadsArgs {
    /// Show the full entry of each head.
    #[arg(short, long)]
    verbose: bool,
    /// Leave out heads other revisions depend on.
    #[arg(long)]
    resolve_dependencies: bool,
}

#[derive(Debug, Args)]
struct VerboseArgs {
    /// Show full entries.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The revision target, or `current`.
    #[arg(allow_hyphen_values = true)]
    rev: String,
}

/// An error of the binary: a message and an exit code.
#[derive(Debug)]
struct Failure {
    message: String,
    code: u8,
}

impl From<MigrateError> for Failure {
    fn from(err: MigrateError) -> Self {
        let code = match &err {
            MigrateError::Graph(_) | MigrateError::UnknownRevision { .. } => exit_codes::REVISION,
            MigrateError::Operation { .. } | MigrateError::Panicked { .. } => exit_codes::REVISION,
            MigrateError::Invalid(_) => exit_codes::REVISION,
            _ => exit_codes::DATABASE,
        };
        Self {
            message: err.to_string(),
            code,
        }
    }
}

impl From<GraphError> for Failure {
    fn from(err: GraphError) -> Self {
        Self {
            message: err.into_command().to_string(),
            code: exit_codes::REVISION,
        }
    }
}

fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        code,
    }
}

/// Runs the command line with the process's arguments.
pub fn main(migrations: &'static Migrations) -> ExitCode {
    main_with_args(migrations, std::env::args_os().collect())
}

/// Runs the command line with the given arguments (the first is the program name).
pub fn main_with_args(migrations: &'static Migrations, args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() {
                exit_codes::USAGE
            } else {
                exit_codes::SUCCESS
            });
        }
    };
    init_logging(cli.quiet);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: failed to start the async runtime: {err}");
            return ExitCode::from(exit_codes::IO);
        }
    };
    match runtime.block_on(run(migrations, cli)) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(migrations: &'static Migrations, cli: Cli) -> Result<u8, Failure> {
    let map = migrations
        .map()
        .map_err(|err| fail(exit_codes::REVISION, err.to_string()))?;
    let mut migrator = migrations
        .migrator()
        .lock_timeout(cli.lock_timeout.map(Duration::from_secs_f64));
    if cli.transaction_per_migration {
        migrator = migrator.transaction_per_migration(true);
    }
    let out = Stdout;
    match &cli.command {
        Command::Heads(args) => {
            for line in Listing::new(map).heads(args.verbose, args.resolve_dependencies) {
                out.line(&line);
            }
            return Ok(exit_codes::SUCCESS);
        }
        Command::Branches(args) => {
            for entry in Listing::new(map).branches(args.verbose)? {
                out.line(&entry);
            }
            return Ok(exit_codes::SUCCESS);
        }
        Command::Show(args) if args.rev != "current" => {
            for entry in Listing::new(map).show(&args.rev)? {
                out.line(&entry);
            }
            return Ok(exit_codes::SUCCESS);
        }
        Command::History(args)
            if !args.indicate_current
                && !args
                    .rev_range
                    .as_deref()
                    .is_some_and(|r| r.contains("current")) =>
        {
            let range = check_range(args.rev_range.as_deref())?;
            for line in Listing::new(map).history(range, args.verbose)? {
                out.line(&line);
            }
            return Ok(exit_codes::SUCCESS);
        }
        Command::Upgrade(args) if args.sql => {
            announce(true);
            out.raw(&migrator.upgrade_sql(&args.revision)?);
            return Ok(exit_codes::SUCCESS);
        }
        Command::Downgrade(args) if args.sql => {
            announce(true);
            out.raw(&migrator.downgrade_sql(&args.revision)?);
            return Ok(exit_codes::SUCCESS);
        }
        Command::Stamp(args) if args.sql => {
            announce(true);
            let targets: Vec<&str> = args.revisions.iter().map(String::as_str).collect();
            out.raw(&migrator.stamp_sql(&targets, args.purge)?);
            return Ok(exit_codes::SUCCESS);
        }
        _ => {}
    }

    let url = resolve_url(migrations, &cli)?;
    let mut client = connect(&url).await?;
    announce(false);
    run_online(migrations, &migrator, &mut client, &cli.command, &url, &out).await
}

async fn run_online(
    migrations: &'static Migrations,
    migrator: &Migrator<'_>,
    client: &mut tokio_postgres::Client,
    command: &Command,
    url: &DatabaseUrl,
    out: &Stdout,
) -> Result<u8, Failure> {
    let map = migrations
        .map()
        .map_err(|err| fail(exit_codes::REVISION, err.to_string()))?;
    match command {
        Command::Upgrade(args) => {
            migrator.upgrade(client, &args.revision).await?;
        }
        Command::Downgrade(args) => {
            migrator.downgrade(client, &args.revision).await?;
        }
        Command::Stamp(args) => {
            let targets: Vec<&str> = args.revisions.iter().map(String::as_str).collect();
            migrator.stamp(client, &targets, args.purge).await?;
        }
        Command::Current(args) => {
            let rows = migrator.current(client).await?;
            let ids = known_ids(map, &rows)?;
            if args.verbose {
                out.line(&format!("Current revision(s) for {url}:"));
            }
            if args.check_heads && !map.at_all_heads(&ids) {
                {
                    return Err(fail(
                        exit_codes::CHECK_FAILED,
                        "Database is not on all head revisions",
                    ));
                }
            }
            for line in Listing::new(map).current(&ids, args.verbose)? {
                out.line(&line);
            }
        }
        Command::Show(_) => {
            let rows = migrator.current(client).await?;
            let ids = known_ids(map, &rows)?;
            let listing = Listing::new(map);
            for id in map.expand_heads(&ids)? {
                if let Some(rev) = map.get(id.as_str()) {
                    out.line(&listing.log_entry(rev));
                }
            }
        }
        Command::History(args) => {
            let rows = migrator.current(client).await?;
            let ids = known_ids(map, &rows)?;
            let range = check_range(args.rev_range.as_deref())?;
            let listing = if args.indicate_current {
                Listing::new(map).with_current(&ids)
            } else {
                Listing::new(map)
            };
            let range = range.map(|r| expand_current(r, &ids));
            for line in listing.history(range.as_deref(), args.verbose)? {
                out.line(&line);
            }
        }
        Command::Check(target) => {
            let diff = target_diff(migrations, migrator, client, url, target).await?;
            if diff.is_empty() {
                out.line("No new upgrade operations detected.");
            } else {
                let lines: Vec<String> = diff
                    .upgrade
                    .iter()
                    .map(|op| format!("  {}", crate::autogenerate::describe(op)))
                    .collect();
                return Err(fail(
                    exit_codes::CHECK_FAILED,
                    format!("New upgrade operations detected:\n{}", lines.join("\n")),
                ));
            }
        }
        Command::Autogenerate(args) => {
            let diff = target_diff(migrations, migrator, client, url, &args.target).await?;
            for op in &diff.upgrade {
                tracing::info!(
                    target: "alembic.autogenerate.compare",
                    "Detected {}",
                    crate::autogenerate::describe(op)
                );
            }
            for warning in &diff.warnings {
                tracing::warn!(target: "alembic.autogenerate.compare", "{warning}");
            }
            if !diff.is_empty() {
                let (upgrade, downgrade) = match args.format.as_str() {
                    "sql" => (
                        crate::autogenerate::render_sql(&diff.upgrade, &diff.notes, &Postgres)
                            .map_err(|err| fail(exit_codes::REVISION, err.to_string()))?,
                        crate::autogenerate::render_sql(
                            &diff.downgrade,
                            &diff.downgrade_notes,
                            &Postgres,
                        )
                        .map_err(|err| fail(exit_codes::REVISION, err.to_string()))?,
                    ),
                    _ => (
                        crate::autogenerate::render_rust(&diff.upgrade, &diff.notes),
                        crate::autogenerate::render_rust(&diff.downgrade, &diff.downgrade_notes),
                    ),
                };
                for (name, text) in [("upgrade", upgrade), ("downgrade", downgrade)] {
                    let path = args.out.join(name);
                    std::fs::write(&path, text).map_err(|err| {
                        fail(
                            exit_codes::IO,
                            format!("failed to write `{}`: {err}", path.display()),
                        )
                    })?;
                }
            }
        }
        Command::Heads(_) | Command::Branches(_) => {}
    }
    Ok(exit_codes::SUCCESS)
}

/// Compares the database, which must be at its heads, with the target schema.
async fn target_diff(
    migrations: &'static Migrations,
    migrator: &Migrator<'_>,
    client: &mut tokio_postgres::Client,
    url: &DatabaseUrl,
    args: &TargetArgs,
) -> Result<crate::autogenerate::Diff, Failure> {
    use crate::autogenerate::{CompareOptions, compare};
    use crate::introspect::{IntrospectOptions, ShadowOptions, introspect, shadow_metadata};

    let map = migrations
        .map()
        .map_err(|err| fail(exit_codes::REVISION, err.to_string()))?;
    let rows = migrator.current(client).await?;
    let ids = known_ids(map, &rows)?;
    if !map.at_all_heads(&ids) {
        return Err(fail(
            exit_codes::CHECK_FAILED,
            "Target database is not up to date.",
        ));
    }
    let config = migrations.config();
    let mut options = IntrospectOptions::default()
        .version_table(config.version_table, config.version_table_schema);
    if !args.include_schemas.is_empty() {
        options = options.schemas(args.include_schemas.iter().cloned());
    }
    let current = introspect(&*client, &options)
        .await
        .map_err(|err| fail(exit_codes::DATABASE, err.to_string()))?;
    let sql = std::fs::read_to_string(&args.schema_file).map_err(|err| {
        fail(
            exit_codes::CONFIG,
            format!(
                "failed to read the target schema `{}`: {err}\n\
                 help: write the schema the database should have in that file (CREATE TABLE ...); \
                 autogenerate compares the database with it (schema_file in alembic.toml)",
                args.schema_file.display()
            ),
        )
    })?;
    let shadow_url = match &args.shadow_url {
        Some(raw) => {
            Some(DatabaseUrl::parse(raw).map_err(|err| fail(exit_codes::CONFIG, err.to_string()))?)
        }
        None => None,
    };
    let shadow = ShadowOptions {
        introspect: options,
        shadow_url,
    };
    let target = shadow_metadata(url, &sql, &shadow).await.map_err(|err| {
        fail(
            exit_codes::DATABASE,
            format!("{}: {err}", args.schema_file.display()),
        )
    })?;
    let mut compare_options = CompareOptions::default();
    if !args.include_schemas.is_empty() {
        compare_options = compare_options.include_schemas(args.include_schemas.iter().cloned());
    }
    if !args.ignore_tables.is_empty() {
        compare_options = compare_options.ignore_tables(args.ignore_tables.iter().cloned());
    }
    Ok(compare(&current, &target, &compare_options))
}

/// `current` in a history range stands for the database's heads.
fn expand_current(range: &str, ids: &[crate::RevisionId]) -> String {
    let current = match ids {
        [] => "base".to_owned(),
        [one] => one.to_string(),
        _ => "heads".to_owned(),
    };
    let (start, end) = range.split_once(':').unwrap_or((range, ""));
    let fix = |side: &str| {
        if side == "current" {
            current.clone()
        } else {
            side.to_owned()
        }
    };
    format!("{}:{}", fix(start), fix(end))
}

fn check_range(range: Option<&str>) -> Result<Option<&str>, Failure> {
    match range {
        Some(range) if !range.contains(':') => Err(fail(
            exit_codes::REVISION,
            "History range requires [start]:[end], [start]:, or :[end]",
        )),
        other => Ok(other),
    }
}

fn known_ids(
    map: &crate::graph::RevisionMap,
    rows: &[String],
) -> Result<Vec<crate::RevisionId>, Failure> {
    let unknown: Vec<String> = rows
        .iter()
        .filter(|r| map.get(r).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(MigrateError::UnknownRevision {
            table: "the version table".to_owned(),
            ids: unknown,
        }
        .into());
    }
    Ok(rows
        .iter()
        .filter_map(|r| crate::RevisionId::new(r).ok())
        .collect())
}

fn announce(offline: bool) {
    tracing::info!(target: LOG_TARGET, "Context impl PostgresqlImpl.");
    if offline {
        tracing::info!(target: LOG_TARGET, "Generating static SQL");
    }
    tracing::info!(target: LOG_TARGET, "Will assume transactional DDL.");
}

/// The URL, first found: `-x url=`, `--url`, `DATABASE_URL`, then `url` in alembic.toml.
fn resolve_url(migrations: &Migrations, cli: &Cli) -> Result<DatabaseUrl, Failure> {
    let _ = dotenvy::dotenv();
    let from_x = cli
        .x
        .iter()
        .filter_map(|x| x.split_once('='))
        .find(|(key, _)| *key == "url")
        .map(|(_, value)| value.to_owned());
    let raw = match from_x
        .or_else(|| cli.url.clone())
        .or_else(|| config::env_var("DATABASE_URL"))
    {
        Some(url) => url,
        None => match migrations.config().url {
            Some(setting) => config::interpolate(setting, "url in alembic.toml", config::env_var)
                .map_err(|err| {
                fail(
                    exit_codes::CONFIG,
                    format!("{err}\nhelp: set DATABASE_URL, or pass --url or -x url=..."),
                )
            })?,
            None => {
                return Err(fail(
                    exit_codes::CONFIG,
                    "no database URL: set DATABASE_URL, pass --url or -x url=..., or set url in alembic.toml",
                ));
            }
        },
    };
    DatabaseUrl::parse(&raw).map_err(|err| fail(exit_codes::CONFIG, err.to_string()))
}

async fn connect(url: &DatabaseUrl) -> Result<tokio_postgres::Client, Failure> {
    crate::url::connect(url)
        .await
        .map_err(|err| fail(exit_codes::DATABASE, err.to_string()))
}

/// The binary's stdout: data only.
struct Stdout;

impl Stdout {
    fn line(&self, text: &str) {
        self.raw(&format!("{text}\n"));
    }

    fn raw(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let written = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
        if written.is_err_and(|err| err.kind() == std::io::ErrorKind::BrokenPipe) {
            std::process::exit(0);
        }
    }
}

fn init_logging(quiet: bool) {
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
    use tracing_subscriber::registry::LookupSpan;

    /// Alembic's log format: `INFO  [alembic.runtime.migration] message`.
    struct AlembicFormat;

    impl<S, N> FormatEvent<S, N> for AlembicFormat
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        fn format_event(
            &self,
            ctx: &FmtContext<'_, S, N>,
            mut writer: Writer<'_>,
            event: &tracing::Event<'_>,
        ) -> std::fmt::Result {
            let meta = event.metadata();
            write!(writer, "{:<5} [{}] ", meta.level().as_str(), meta.target())?;
            ctx.field_format().format_fields(writer.by_ref(), event)?;
            writeln!(writer)
        }
    }

    let level = if quiet {
        tracing::Level::WARN
    } else {
        tracing::Level::INFO
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .event_format(AlembicFormat)
        .try_init();
}

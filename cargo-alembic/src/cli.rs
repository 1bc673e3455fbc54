//! The command line: clap types only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Invoked by cargo as `cargo-alembic alembic <command>`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::styling::Styles::plain())]
pub enum Cargo {
    /// Alembic-style schema migrations for Rust.
    Alembic(AlembicArgs),
}

/// Alembic-style schema migrations for Rust.
#[derive(Debug, Args)]
#[command(version, about, long_about = None)]
pub struct AlembicArgs {
    /// Print no status lines, only data and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Coloring: auto, always, never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stderr is a terminal.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Which environment (migrations crate) a command works on.
#[derive(Debug, Clone, Default, Args)]
pub struct ManifestArgs {
    /// Path to Cargo.toml of the workspace or of the migrations crate.
    #[arg(long, value_name = "PATH", help_heading = "Manifest Options")]
    pub manifest_path: Option<PathBuf>,

    /// The migrations crate to use, when the workspace has several.
    #[arg(short, long, value_name = "SPEC", help_heading = "Package Selection")]
    pub package: Option<String>,
}

/// The `cargo alembic` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new migrations crate from a template.
    Init(InitArgs),
    /// List the templates `init` can use.
    ListTemplates,
    /// Create a new revision file.
    Revision(RevisionArgs),
    /// Merge two or more revisions into one, ending a branch.
    Merge(MergeArgs),
    /// Show the current head revisions.
    Heads(HeadsArgs),
    /// Show the branch points.
    Branches(BranchesArgs),
    /// List revisions in chronological order, newest first.
    History(HistoryArgs),
    /// Show the revision(s) a target names.
    Show(ShowArgs),
    /// Open revision file(s) in $EDITOR.
    Edit(EditArgs),
    /// Upgrade the database to a later revision.
    Upgrade(MigrateArgs),
    /// Revert the database to a previous revision.
    Downgrade(MigrateArgs),
    /// Show the database's current revision(s).
    Current(CurrentArgs),
    /// Set the version table to the given revision(s) without running migrations.
    Stamp(StampArgs),
    /// Check that the database is at head and no new operations would be generated.
    Check(CheckArgs),
}

/// Options of the commands that build and run the environment's binary.
#[derive(Debug, Clone, Default, Args)]
pub struct DbArgs {
    /// The database URL [default: -x url=..., DATABASE_URL, then url in alembic.toml].
    #[arg(long, value_name = "URL", help_heading = "Database Options")]
    pub url: Option<String>,

    /// Extra settings, as Alembic's -x; `-x url=postgres://...` sets the URL.
    #[arg(
        short = 'x',
        value_name = "KEY=VALUE",
        help_heading = "Database Options"
    )]
    pub x: Vec<String>,

    /// Commit each revision in its own transaction.
    #[arg(long, help_heading = "Database Options")]
    pub transaction_per_migration: bool,

    /// Give up waiting for the migration lock after this many seconds.
    #[arg(long, value_name = "SECONDS", help_heading = "Database Options")]
    pub lock_timeout: Option<f64>,

    /// Build the environment's binary in release mode.
    #[arg(long, help_heading = "Compilation Options")]
    pub release: bool,

    #[command(flatten)]
    pub manifest: ManifestArgs,
}

/// Arguments of `upgrade` and `downgrade`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The target: head, heads, base, an id or prefix, +1, -1, label@head; with --sql a
    /// range start:end.
    #[arg(allow_hyphen_values = true)]
    pub revision: String,

    /// Print the SQL instead of running it; no database connection is made.
    #[arg(long)]
    pub sql: bool,

    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `current`.
#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Show the full entry of each revision.
    #[arg(short, long)]
    pub verbose: bool,

    /// Fail (exit 1) unless the database is at every head.
    #[arg(short = 'c', long)]
    pub check_heads: bool,

    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `stamp`.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// The target revision(s); with --sql each may be start:end.
    #[arg(required = true)]
    pub revisions: Vec<String>,

    /// Print the SQL instead of running it.
    #[arg(long)]
    pub sql: bool,

    /// Delete every row of the version table first.
    #[arg(long)]
    pub purge: bool,

    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory of the new migrations crate.
    pub directory: PathBuf,

    /// The template to use (see `cargo alembic list-templates`).
    #[arg(short, long, default_value = "generic")]
    pub template: String,

    /// The new crate's package name [default: the directory's name].
    #[arg(short, long, value_name = "NAME")]
    pub package: Option<String>,

    /// Depend on migration-runtime at this path instead of by version.
    ///
    /// For building against a checkout of cargo-alembic.
    #[arg(
        long,
        value_name = "PATH",
        env = "CARGO_ALEMBIC_RUNTIME_PATH",
        hide_env_values = true
    )]
    pub runtime_path: Option<PathBuf>,
}

/// Arguments of `revision`.
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The revision's message.
    #[arg(short, long)]
    pub message: Option<String>,

    /// Use this revision id instead of a random one.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,

    /// The revision the new one follows: a head, `base` for a new root, or with --splice any
    /// revision.
    #[arg(long, value_name = "REV", default_value = "head")]
    pub head: String,

    /// Allow a non-head revision as --head, starting a new branch.
    #[arg(long)]
    pub splice: bool,

    /// A branch label for the new revision.
    #[arg(long, value_name = "LABEL")]
    pub branch_label: Vec<String>,

    /// A revision the new one depends on (repeatable).
    #[arg(long, value_name = "REV")]
    pub depends_on: Vec<String>,

    /// The version location to write into.
    #[arg(long, value_name = "DIR")]
    pub version_path: Option<PathBuf>,

    /// The file format [default: revision_format in alembic.toml, else rs].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Compare the database with the target schema (schema_file in alembic.toml) and write
    /// the operations that take it there.
    #[arg(long)]
    pub autogenerate: bool,

    /// With --autogenerate, write the revision even when nothing changed.
    #[arg(long, requires = "autogenerate")]
    pub allow_empty: bool,

    #[command(flatten)]
    pub db: DbArgs,
}

/// The revision file format on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Rust operations.
    Rs,
    /// SQL sections.
    Sql,
}

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The revisions to merge, or `heads`.
    #[arg(required = true, value_name = "REVISIONS")]
    pub revisions: Vec<String>,

    /// The merge revision's message.
    #[arg(short, long)]
    pub message: Option<String>,

    /// Use this revision id instead of a random one.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,

    /// A branch label for the merge revision.
    #[arg(long, value_name = "LABEL")]
    pub branch_label: Vec<String>,

    /// The file format [default: revision_format in alembic.toml, else rs].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    #[command(flatten)]
    pub manifest: ManifestArgs,
}

/// Arguments of `heads`.
#[derive(Debug, Args)]
pub struct HeadsArgs {
    /// Show the full entry of each head.
    #[arg(short, long)]
    pub verbose: bool,

    /// Leave out heads that other revisions depend on.
    #[arg(long)]
    pub resolve_dependencies: bool,

    #[command(flatten)]
    pub manifest: ManifestArgs,
}

/// Arguments of `branches`.
#[derive(Debug, Args)]
pub struct BranchesArgs {
    /// Show the full entry of each branch point.
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub manifest: ManifestArgs,
}

/// Arguments of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A range `[start]:[end]`; either end may be any target.
    #[arg(short = 'r', long, value_name = "RANGE", allow_hyphen_values = true)]
    pub rev_range: Option<String>,

    /// Show the full entry of each revision.
    #[arg(short, long)]
    pub verbose: bool,

    /// Mark the database's current revisions (connects to the database).
    #[arg(short, long)]
    pub indicate_current: bool,

    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The revision target: an id, a prefix, head, heads, label@head, or current (connects
    /// to the database).
    #[arg(allow_hyphen_values = true)]
    pub rev: String,

    #[command(flatten)]
    pub db: DbArgs,
}

/// Arguments of `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The revision target.
    #[arg(allow_hyphen_values = true)]
    pub rev: String,

    #[command(flatten)]
    pub manifest: ManifestArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cargo::command().debug_assert();
    }
}

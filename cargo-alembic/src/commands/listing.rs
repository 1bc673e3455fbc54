//! `heads`, `branches`, `history`, `show` and `edit`: read the revision files, print.

use migration_runtime::listing::Listing;

use crate::cli::{BranchesArgs, EditArgs, HeadsArgs, HistoryArgs, ShowArgs};
use crate::commands::database::Invocation;
use crate::error::CliError;
use crate::output::Output;
use crate::workspace;

/// `cargo alembic heads`.
pub fn heads(args: &HeadsArgs, out: &Output) -> Result<(), CliError> {
    let (_, map) = workspace::find(&args.manifest)?.load()?;
    out.data_lines(&Listing::new(&map).heads(args.verbose, args.resolve_dependencies));
    Ok(())
}

/// `cargo alembic branches`.
pub fn branches(args: &BranchesArgs, out: &Output) -> Result<(), CliError> {
    let (_, map) = workspace::find(&args.manifest)?.load()?;
    out.data_lines(&Listing::new(&map).branches(args.verbose)?);
    Ok(())
}

/// `cargo alembic history`.
pub fn history(args: &HistoryArgs, out: &Output) -> Result<(), CliError> {
    let range = args.rev_range.as_deref();
    if let Some(range) = range
        && !range.contains(':')
    {
        return Err(CliError::Revision(
            "History range requires [start]:[end], [start]:, or :[end]".to_owned(),
        ));
    }
    if args.indicate_current || range.is_some_and(|r| r.contains("current")) {
        let mut invocation = Invocation::new("history").flag(args.verbose, "--verbose");
        invocation = invocation.flag(args.indicate_current, "--indicate-current");
        if let Some(range) = range {
            invocation = invocation.option("--rev-range", range);
        }
        return invocation.run(&args.db, out);
    }
    let (_, map) = workspace::find(&args.db.manifest)?.load()?;
    out.data_lines(&Listing::new(&map).history(range, args.verbose)?);
    Ok(())
}

/// `cargo alembic show`.
pub fn show(args: &ShowArgs, out: &Output) -> Result<(), CliError> {
    if args.rev == "current" {
        return Invocation::new("show").arg("current").run(&args.db, out);
    }
    let (_, map) = workspace::find(&args.db.manifest)?.load()?;
    out.data_lines(&Listing::new(&map).show(&args.rev)?);
    Ok(())
}

/// `cargo alembic edit`: opens the revision files a target names in `$VISUAL` or `$EDITOR`.
pub fn edit(args: &EditArgs, _out: &Output) -> Result<(), CliError> {
    let (_, map) = workspace::find(&args.manifest)?.load()?;
    let ids = map.resolve(&args.rev)?;
    let paths: Vec<_> = ids
        .iter()
        .filter_map(|id| map.get(id.as_str())?.path.clone())
        .collect();
    if paths.is_empty() {
        return Err(CliError::Revision(format!(
            "No revision files indicated by symbol '{}'",
            args.rev
        )));
    }
    let editor = migration_runtime::config::env_var("VISUAL")
        .or_else(|| migration_runtime::config::env_var("EDITOR"))
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| {
            CliError::Usage("no editor: set $VISUAL or $EDITOR to open revision files".to_owned())
        })?;
    // $EDITOR may carry arguments ("code --wait").
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or_default();
    let mut cmd = crate::process::command(program);
    cmd.args(words).args(&paths);
    let status = crate::process::status(&mut cmd)?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::Process {
            message: format!("`{}` failed ({status})", crate::process::describe(&cmd)),
            stderr: String::new(),
        })
    }
}

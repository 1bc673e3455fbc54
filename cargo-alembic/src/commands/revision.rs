//! `cargo alembic revision` and `cargo alembic merge`: writing new revision files.

use std::path::{Path, PathBuf};

use migration_runtime::config::RevisionFormat;
use migration_runtime::graph::{GraphError, RevisionMap};
use migration_runtime::revision::{self, Format, ParsedFile, RevisionId};
use migration_runtime::script::{self, CreateDate, DEFAULT_RS_TEMPLATE, DEFAULT_SQL_TEMPLATE};

use crate::cli::{FormatArg, MergeArgs, RevisionArgs};
use crate::commands::database::Invocation;
use crate::error::{CliError, io};
use crate::output::Output;
use crate::workspace::{self, Environment};

/// What a new revision file holds.
pub struct NewRevision<'a> {
    /// `--rev-id`, or a random id.
    pub rev_id: Option<&'a str>,
    /// `-m`.
    pub message: Option<&'a str>,
    /// The down revisions, as targets to resolve (`head`, `heads`, ids, `base`).
    pub heads: &'a [String],
    /// Allow non-head parents.
    pub splice: bool,
    /// `--branch-label`.
    pub branch_labels: &'a [String],
    /// `--depends-on`.
    pub depends_on: &'a [String],
    /// `--version-path`.
    pub version_path: Option<&'a Path>,
    /// `--format`.
    pub format: Option<FormatArg>,
    /// The error text when `head` matches several heads.
    pub multiple_heads_message: &'static str,
    /// Generated operation bodies, already rendered, for autogenerate.
    pub upgrades: &'a str,
    /// Generated downgrade bodies.
    pub downgrades: &'a str,
}

const MULTIPLE_HEADS: &str = "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.";

/// `cargo alembic revision`.
pub fn run(args: &RevisionArgs, out: &Output) -> Result<(), CliError> {
    let env = workspace::find(&args.db.manifest)?;
    let heads = [args.head.clone()];
    let (upgrades, downgrades) = if args.autogenerate {
        match autogenerate(&env, args, out)? {
            Some(bodies) => bodies,
            None if args.allow_empty => (String::new(), String::new()),
            None => {
                out.status("No changes in schema detected.");
                return Ok(());
            }
        }
    } else {
        (String::new(), String::new())
    };
    write(
        &env,
        &NewRevision {
            rev_id: args.rev_id.as_deref(),
            message: args.message.as_deref(),
            heads: &heads,
            splice: args.splice,
            branch_labels: &args.branch_label,
            depends_on: &args.depends_on,
            version_path: args.version_path.as_deref(),
            format: args.format,
            multiple_heads_message: MULTIPLE_HEADS,
            upgrades: &upgrades,
            downgrades: &downgrades,
        },
        out,
    )?;
    Ok(())
}

/// Runs the environment's binary to compare the database with the target schema; returns
/// the rendered upgrade and downgrade bodies, or `None` when nothing differs.
fn autogenerate(
    env: &Environment,
    args: &RevisionArgs,
    out: &Output,
) -> Result<Option<(String, String)>, CliError> {
    // Validate the revision files before connecting: a broken graph fails fast.
    env.load()?;
    let dir = tempfile::tempdir().map_err(io("create directory", &std::env::temp_dir()))?;
    let format = match args.format {
        Some(FormatArg::Sql) => "sql",
        Some(FormatArg::Rs) => "rs",
        None => match env.config.revision_format {
            RevisionFormat::Sql => "sql",
            RevisionFormat::Rs => "rs",
        },
    };
    Invocation::new("autogenerate")
        .target(env)
        .option("--out", dir.path())
        .option("--format", format)
        .run_in(env, &args.db, out)?;
    let read = |name: &str| -> Result<Option<String>, CliError> {
        let path = dir.path().join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io("read", &path)(err)),
        }
    };
    match (read("upgrade")?, read("downgrade")?) {
        (Some(upgrade), Some(downgrade)) => Ok(Some((upgrade, downgrade))),
        _ => Ok(None),
    }
}

/// `cargo alembic merge`.
pub fn merge(args: &MergeArgs, out: &Output) -> Result<(), CliError> {
    let env = workspace::find(&args.manifest)?;
    write(
        &env,
        &NewRevision {
            rev_id: args.rev_id.as_deref(),
            message: args.message.as_deref(),
            heads: &args.revisions,
            splice: false,
            branch_labels: &args.branch_label,
            depends_on: &[],
            version_path: None,
            format: args.format,
            multiple_heads_message: MULTIPLE_HEADS,
            upgrades: "",
            downgrades: "",
        },
        out,
    )?;
    Ok(())
}

/// Writes a new revision file and returns its path.
pub fn write(env: &Environment, new: &NewRevision<'_>, out: &Output) -> Result<PathBuf, CliError> {
    let (files, map) = env.load()?;

    let id = match new.rev_id {
        Some(id) => RevisionId::new(id).map_err(|err| CliError::Revision(err.to_string()))?,
        None => script::new_revision_id(),
    };
    if let Some(existing) = map.get(id.as_str()) {
        let at = existing
            .path
            .as_ref()
            .map(|p| format!(" in {}", p.display()))
            .unwrap_or_default();
        return Err(CliError::Revision(format!(
            "Revision {id} already exists{at}"
        )));
    }

    let mut down: Vec<RevisionId> = Vec::new();
    for target in new.heads {
        let resolved = map.resolve(target).map_err(|err| match err {
            GraphError::MultipleHeads { .. } => {
                CliError::Revision(new.multiple_heads_message.to_owned())
            }
            other => locate(other),
        })?;
        for rev in resolved {
            if down.contains(rev) {
                return Err(CliError::Revision(
                    "Duplicate head revisions specified".to_owned(),
                ));
            }
            down.push(rev.clone());
        }
    }
    if !new.splice {
        for rev in &down {
            if !map.is_head(rev.as_str()) {
                return Err(CliError::Revision(format!(
                    "Revision {rev} is not a head revision; please specify --splice to create a new branch from this revision"
                )));
            }
        }
    }

    let mut depends_on = Vec::new();
    for dep in new.depends_on {
        let resolved = map.resolve(dep).map_err(locate)?;
        let [rev] = resolved.as_slice() else {
            return Err(CliError::Revision(format!(
                "--depends-on '{dep}' must name exactly one revision"
            )));
        };
        // A branch label stays a label; a partial id is written out in full.
        let declares_label = map
            .get(rev.as_str())
            .is_some_and(|r| r.branch_labels.iter().any(|l| l == dep));
        depends_on.push(if declares_label {
            dep.clone()
        } else {
            rev.to_string()
        });
    }

    let format = match new.format {
        Some(FormatArg::Rs) => Format::Rust,
        Some(FormatArg::Sql) => Format::Sql,
        None => match env.config.revision_format {
            RevisionFormat::Rs => Format::Rust,
            RevisionFormat::Sql => Format::Sql,
        },
    };

    let locations = env.version_locations();
    let dir = choose_location(env, &locations, new.version_path, &down, &files)?;

    let date = CreateDate::now();
    let message = new.message.unwrap_or("empty message");
    let slug = script::slugify(new.message.unwrap_or(""), env.config.truncate_slug_length);
    let stem = script::render_file_name(&env.config.file_template, &id, &slug, date)
        .map_err(|err| CliError::Usage(err.to_string()))?;
    let path = dir.join(format!("{stem}.{}", format.extension()));
    if path.exists() {
        return Err(CliError::Revision(format!(
            "{} already exists",
            path.display()
        )));
    }

    let (template_path, default_template) = match format {
        Format::Rust => (&env.config.script_template, DEFAULT_RS_TEMPLATE),
        Format::Sql => (&env.config.sql_script_template, DEFAULT_SQL_TEMPLATE),
    };
    let template = if template_path.is_file() {
        std::fs::read_to_string(template_path).map_err(io("read", template_path))?
    } else {
        default_template.to_owned()
    };
    let down_text = down
        .iter()
        .map(RevisionId::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let date_text = date.to_string();
    let labels = new.branch_labels.join(", ");
    let depends = depends_on.join(", ");
    let text = script::render_template(
        &template,
        template_path,
        &[
            ("message", message),
            ("up_revision", id.as_str()),
            ("down_revision", &down_text),
            ("create_date", &date_text),
            ("branch_labels", &labels),
            ("depends_on", &depends),
            ("upgrades", new.upgrades),
            ("downgrades", new.downgrades),
        ],
    )
    .map_err(|err| CliError::Usage(err.to_string()))?;

    // The file must read back as what was asked for; a template that loses a header field
    // is caught here rather than at the next build.
    let parsed = revision::parse_as(&path, &text, format).map_err(|err| {
        CliError::Revision(format!(
            "the revision rendered from {} is not valid: {err}",
            template_path.display()
        ))
    })?;
    check_rendered(
        &parsed,
        &id,
        &down,
        new.branch_labels,
        &depends_on,
        template_path,
    )?;
    if format == Format::Rust
        && let Err(err) = syn::parse_file(&text)
    {
        let line = err.span().start().line;
        return Err(CliError::Revision(format!(
            "the revision rendered from {} is not valid Rust: line {line}: {err}",
            template_path.display()
        )));
    }
    // Adding the revision must keep the graph valid (a branch label already in use, say).
    let mut revisions: Vec<_> = map.revisions().cloned().collect();
    revisions.push(parsed.revision.clone());
    RevisionMap::new(revisions).map_err(locate)?;

    std::fs::create_dir_all(&dir).map_err(io("create directory", &dir))?;
    std::fs::write(&path, &text).map_err(io("write", &path))?;
    out.status(&format!("Generating {} ...  done", path.display()));
    Ok(path)
}

fn check_rendered(
    parsed: &ParsedFile,
    id: &RevisionId,
    down: &[RevisionId],
    labels: &[String],
    depends_on: &[String],
    template: &Path,
) -> Result<(), CliError> {
    let rev = &parsed.revision;
    let missing = if rev.id != *id {
        Some("Revision ID")
    } else if rev.down_revisions != down {
        Some("Revises")
    } else if rev.branch_labels != labels {
        Some("Branch Labels")
    } else if rev.depends_on != depends_on {
        Some("Depends On")
    } else {
        None
    };
    match missing {
        Some(field) => Err(CliError::Revision(format!(
            "the template {} does not write the '{field}:' header field as given; \
             does it have a '{field}: ${{...}}' line?",
            template.display()
        ))),
        None => Ok(()),
    }
}

fn choose_location(
    env: &Environment,
    locations: &[PathBuf],
    version_path: Option<&Path>,
    down: &[RevisionId],
    files: &[ParsedFile],
) -> Result<PathBuf, CliError> {
    if let Some(path) = version_path {
        let wanted = env.dir.join(path);
        let found = locations
            .iter()
            .find(|loc| same_path(loc, &wanted) || same_path(loc, path));
        return match found {
            Some(loc) => Ok(loc.clone()),
            None => Err(CliError::Usage(format!(
                "Path {} is not represented in current version locations",
                path.display()
            ))),
        };
    }
    if locations.len() == 1 {
        return Ok(locations[0].clone());
    }
    // With several locations, a child goes where its first parent lives.
    for parent in down {
        let file = files.iter().find(|f| f.revision.id == *parent);
        if let Some(dir) = file.and_then(|f| f.revision.path.as_ref()?.parent()) {
            return Ok(dir.to_owned());
        }
    }
    Err(CliError::Usage(
        "Multiple version locations present, please specify --version-path".to_owned(),
    ))
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// A graph error as the CLI reports it (CliError::Graph words it at the command level).
fn locate(err: GraphError) -> CliError {
    CliError::Graph(err)
}

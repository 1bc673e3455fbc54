//! Finding environments: migrations crates, which are packages with an `alembic.toml` beside
//! their `Cargo.toml`.
//!
//! The common cases never run `cargo metadata` (about 100 ms): the current directory or one
//! of its ancestors is the environment, or the workspace root lists its members as plain
//! paths. Only glob members send the search through cargo.

use std::path::{Path, PathBuf};

use migration_runtime::config::{self, Config};
use migration_runtime::graph::RevisionMap;
use migration_runtime::revision::ParsedFile;

use crate::cli::ManifestArgs;
use crate::error::{CliError, io};

/// A migrations crate.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The package name.
    pub package: String,
    /// The crate's directory, relative to the current directory when below it.
    pub dir: PathBuf,
    /// Its `Cargo.toml`.
    pub manifest: PathBuf,
    /// Its `alembic.toml`.
    pub config: Config,
}

impl Environment {
    /// The version locations, in load order.
    pub fn version_locations(&self) -> Vec<PathBuf> {
        self.config
            .version_locations
            .iter()
            .map(|location| self.dir.join(location))
            .collect()
    }

    /// Reads every revision file and builds the graph.
    pub fn load(&self) -> Result<(Vec<ParsedFile>, RevisionMap), CliError> {
        let files = migration_runtime::script::load(
            &self.version_locations(),
            self.config.recursive_version_locations,
        )?;
        let revisions = files.iter().map(|file| file.revision.clone()).collect();
        let map = RevisionMap::new(revisions).map_err(|err| locate_graph_error(err, &files))?;
        Ok((files, map))
    }
}

/// Points a graph error at the file of the revision it names, when it names one.
fn locate_graph_error(err: migration_runtime::graph::GraphError, files: &[ParsedFile]) -> CliError {
    let Some(id) = err.revision() else {
        return CliError::Graph(err);
    };
    let Some(file) = files.iter().find(|file| file.revision.id.as_str() == id) else {
        return CliError::Graph(err);
    };
    match &file.revision.path {
        Some(path) => CliError::Revision(format!("{}:{}: {err}", path.display(), file.id_line)),
        None => CliError::Graph(err),
    }
}

/// Finds the environment a command should use.
pub fn find(args: &ManifestArgs) -> Result<Environment, CliError> {
    let cwd = std::env::current_dir().map_err(io("read", Path::new(".")))?;
    let start = match &args.manifest_path {
        Some(path) => {
            let path = cwd.join(path);
            if path.file_name().is_none_or(|name| name != "Cargo.toml") {
                return Err(CliError::Usage(format!(
                    "the manifest-path must be a path to a Cargo.toml file: `{}`",
                    path.display()
                )));
            }
            if !path.is_file() {
                return Err(CliError::Environment(format!(
                    "manifest path `{}` does not exist",
                    path.display()
                )));
            }
            path.parent().map(Path::to_owned).unwrap_or_default()
        }
        None => cwd.clone(),
    };

    // The start directory or an ancestor below the workspace root may be the environment.
    let mut dir = Some(start.as_path());
    let mut workspace_root = None;
    while let Some(current) = dir {
        let manifest = current.join("Cargo.toml");
        if manifest.is_file() {
            let text = read(&manifest)?;
            let parsed = parse_manifest(&manifest, &text)?;
            if current.join(config::FILE_NAME).is_file()
                && let Some(name) = &parsed.package
                && args.package.as_deref().is_none_or(|p| p == name)
            {
                return environment(&cwd, current, name.clone());
            }
            if parsed.workspace_members.is_some() {
                workspace_root = Some((current.to_owned(), parsed));
                break;
            }
            if args.manifest_path.is_some() && current == start {
                // An explicit manifest outside any workspace: search no further up.
                if parsed.package.is_some() {
                    workspace_root = Some((current.to_owned(), parsed));
                    break;
                }
            }
        }
        dir = current.parent();
    }

    let Some((root, parsed)) = workspace_root else {
        return Err(CliError::Environment(format!(
            "could not find a migrations crate (a package with an {}) in `{}` or any parent directory\n\
             help: create one with `cargo alembic init migrations`",
            config::FILE_NAME,
            start.display()
        )));
    };
    let candidates = workspace_environments(&root, &parsed)?;
    select(&cwd, &root, candidates, args.package.as_deref())
}

fn select(
    cwd: &Path,
    root: &Path,
    candidates: Vec<(PathBuf, String)>,
    package: Option<&str>,
) -> Result<Environment, CliError> {
    let matching: Vec<&(PathBuf, String)> = candidates
        .iter()
        .filter(|(_, name)| package.is_none_or(|p| p == name))
        .collect();
    match matching.as_slice() {
        [(dir, name)] => environment(cwd, dir, name.clone()),
        [] => {
            if let Some(package) = package {
                let names: Vec<&str> = candidates.iter().map(|(_, n)| n.as_str()).collect();
                Err(CliError::Environment(format!(
                    "package `{package}` is not a migrations crate of the workspace at `{}`{}",
                    root.display(),
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!("; migrations crates: {}", names.join(", "))
                    }
                )))
            } else {
                Err(CliError::Environment(format!(
                    "the workspace at `{}` has no migrations crate (a package with an {})\n\
                     help: create one with `cargo alembic init migrations`",
                    root.display(),
                    config::FILE_NAME
                )))
            }
        }
        several => {
            let names: Vec<&str> = several.iter().map(|(_, n)| n.as_str()).collect();
            Err(CliError::Environment(format!(
                "the workspace has several migrations crates: {}; choose one with -p/--package",
                names.join(", ")
            )))
        }
    }
}

fn environment(cwd: &Path, dir: &Path, package: String) -> Result<Environment, CliError> {
    let config = Config::load(&dir.join(config::FILE_NAME))?;
    let shown = match dir.strip_prefix(cwd) {
        Ok(relative) => relative.to_owned(),
        Err(_) => dir.to_owned(),
    };
    let mut config = config;
    // Paths in alembic.toml are relative to the file.
    config.script_template = shown.join(&config.script_template);
    config.sql_script_template = shown.join(&config.sql_script_template);
    Ok(Environment {
        package,
        manifest: dir.join("Cargo.toml"),
        dir: shown,
        config,
    })
}

/// What cargo-alembic needs of a `Cargo.toml`.
#[derive(Debug, Default)]
pub struct ManifestInfo {
    /// `[package] name`.
    pub package: Option<String>,
    /// `[workspace] members`, when the manifest has a `[workspace]` table.
    pub workspace_members: Option<Vec<String>>,
}

/// Reads the package name and workspace members of a manifest.
pub fn parse_manifest(path: &Path, text: &str) -> Result<ManifestInfo, CliError> {
    let value: toml::Table = toml::from_str(text).map_err(|err| {
        CliError::Environment(format!(
            "failed to parse `{}`: {}",
            path.display(),
            err.message()
        ))
    })?;
    let package = value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    let workspace_members = value.get("workspace").map(|ws| {
        ws.get("members")
            .and_then(|m| m.as_array())
            .map(|members| {
                members
                    .iter()
                    .filter_map(|m| m.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    });
    Ok(ManifestInfo {
        package,
        workspace_members,
    })
}

fn workspace_environments(
    root: &Path,
    parsed: &ManifestInfo,
) -> Result<Vec<(PathBuf, String)>, CliError> {
    let members = parsed.workspace_members.clone().unwrap_or_default();
    if members.iter().any(|m| m.contains(['*', '?', '['])) {
        return metadata_environments(root);
    }
    let mut out = Vec::new();
    if let Some(name) = &parsed.package
        && root.join(config::FILE_NAME).is_file()
    {
        out.push((root.to_owned(), name.clone()));
    }
    for member in members {
        let dir = root.join(&member);
        if !dir.join(config::FILE_NAME).is_file() {
            continue;
        }
        let manifest = dir.join("Cargo.toml");
        let text = read(&manifest)?;
        if let Some(name) = parse_manifest(&manifest, &text)?.package {
            out.push((dir, name));
        }
    }
    Ok(out)
}

fn metadata_environments(root: &Path) -> Result<Vec<(PathBuf, String)>, CliError> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .map_err(CliError::Metadata)?;
    let mut out = Vec::new();
    for package in metadata.workspace_packages() {
        let Some(dir) = package.manifest_path.parent() else {
            continue;
        };
        let dir = dir.as_std_path();
        if dir.join(config::FILE_NAME).is_file() {
            out.push((dir.to_owned(), package.name.to_string()));
        }
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(io("read", path))
}

//! `cargo alembic init` and `cargo alembic list-templates`.

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};
use migration_runtime::script::{DEFAULT_RS_TEMPLATE, DEFAULT_SQL_TEMPLATE};

use crate::cli::InitArgs;
use crate::error::{CliError, io};
use crate::output::Output;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The version of migration-runtime a scaffold depends on.
const RUNTIME_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The migration-runtime crate beside the cargo-alembic this binary was built from, when it
/// was built from a checkout (`cargo install --path cargo-alembic`): scaffolds then depend on
/// the same runtime by path. Installed from crates.io, the sibling directory does not exist
/// and scaffolds depend on the published version.
fn checkout_runtime() -> Option<PathBuf> {
    let candidate = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migration-runtime");
    candidate
        .join("Cargo.toml")
        .is_file()
        .then(|| normalize(&candidate))
}

/// `cargo alembic list-templates`.
pub fn list_templates(out: &Output) -> Result<(), CliError> {
    out.data("Available templates:");
    out.data("");
    let mut templates: Vec<&Dir<'_>> = TEMPLATES.dirs().collect();
    templates.sort_by_key(|dir| dir.path());
    for dir in templates {
        let name = dir.path().display().to_string();
        let synopsis = dir
            .get_file(dir.path().join("README"))
            .and_then(|f| f.contents_utf8())
            .and_then(|text| text.lines().next())
            .unwrap_or("");
        out.data(&format!("{name} - {synopsis}"));
    }
    out.data("");
    out.data("Templates are used via the 'init' command, e.g.:");
    out.data("");
    out.data("  cargo alembic init --template generic ./migrations");
    Ok(())
}

/// `cargo alembic init`.
pub fn run(args: &InitArgs, out: &Output) -> Result<(), CliError> {
    let Some(template) = TEMPLATES.get_dir(&args.template) else {
        let names: Vec<String> = TEMPLATES
            .dirs()
            .map(|d| d.path().display().to_string())
            .collect();
        return Err(CliError::Usage(format!(
            "No such template '{}'; available templates: {}",
            args.template,
            names.join(", ")
        )));
    };
    let cwd = std::env::current_dir().map_err(io("read", Path::new(".")))?;
    let target = normalize(&cwd.join(&args.directory));
    let shown = args.directory.clone();

    if target.exists() {
        let mut entries = std::fs::read_dir(&target).map_err(io("read", &shown))?;
        if entries.next().is_some() {
            return Err(CliError::Usage(format!(
                "Directory {} already exists and is not empty",
                shown.display()
            )));
        }
    }
    let package = match &args.package {
        Some(name) => name.clone(),
        None => target
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "cannot derive a package name from `{}`; pass --package NAME",
                    shown.display()
                ))
            })?,
    };
    validate_package_name(&package)?;

    let runtime = match &args.runtime_path {
        Some(path) => {
            let absolute = normalize(&cwd.join(path));
            if !absolute.join("Cargo.toml").is_file() {
                return Err(CliError::Usage(format!(
                    "--runtime-path `{}` does not contain a Cargo.toml (expected the migration-runtime crate)",
                    path.display()
                )));
            }
            Some(absolute)
        }
        None => checkout_runtime(),
    };
    let scaffold = Scaffold {
        crate_name: package.replace('-', "_"),
        package,
        runtime,
        target: target.clone(),
    };

    // A template may extend another: its files are written over the base's.
    let mut files = Vec::new();
    if let Some(base) = template
        .get_file(template.path().join("EXTENDS"))
        .and_then(|f| f.contents_utf8())
        .and_then(|name| TEMPLATES.get_dir(name.trim()))
    {
        collect_files(base, base.path(), &mut files);
    }
    collect_files(template, template.path(), &mut files);
    let (workspace_files, crate_files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(relative, _)| relative.starts_with(WORKSPACE_DIR));

    create_dir(&target, &shown, out)?;
    for (relative, file) in crate_files {
        let contents = scaffold.render(file.contents(), &target);
        write_new(
            &target.join(&relative),
            &shown.join(&relative),
            &contents,
            out,
        )?;
    }
    for (name, contents) in [
        ("script.rs.tmpl", DEFAULT_RS_TEMPLATE),
        ("script.sql.tmpl", DEFAULT_SQL_TEMPLATE),
    ] {
        if !target.join(name).exists() {
            write_new(&target.join(name), &shown.join(name), contents, out)?;
        }
    }

    let root = add_to_workspace(&target, out)?;
    if !workspace_files.is_empty() {
        let root = root.unwrap_or_else(|| target.parent().unwrap_or(&target).to_owned());
        write_workspace_files(&scaffold, &root, &cwd, workspace_files, out)?;
    }
    out.status(&format!(
        "Please edit configuration settings in {} before proceeding.",
        shown.join("alembic.toml").display()
    ));
    Ok(())
}

/// Files of a template directory that init writes: paths relative to the template, with a
/// trailing `.in` removed (so no `Cargo.toml` inside this package makes cargo see a nested
/// package). Later entries for the same path replace earlier ones.
fn collect_files<'a>(
    dir: &'a Dir<'a>,
    root: &Path,
    out: &mut Vec<(PathBuf, &'a include_dir::File<'a>)>,
) {
    for file in dir.files() {
        let relative = file.path().strip_prefix(root).unwrap_or(file.path());
        if relative == Path::new("README") || relative == Path::new("EXTENDS") {
            continue;
        }
        let relative = match relative.to_str().and_then(|s| s.strip_suffix(".in")) {
            Some(stripped) => PathBuf::from(stripped),
            None => relative.to_owned(),
        };
        out.retain(|(existing, _)| *existing != relative);
        out.push((relative, file));
    }
    for sub in dir.dirs() {
        collect_files(sub, root, out);
    }
}

/// Template files under this directory go to the workspace root rather than the new crate.
const WORKSPACE_DIR: &str = "workspace";

/// What a scaffold's template files are rendered with.
struct Scaffold {
    package: String,
    crate_name: String,
    /// The migration-runtime checkout to depend on by path; `None` depends by version.
    runtime: Option<PathBuf>,
    /// The new migrations crate.
    target: PathBuf,
}

impl Scaffold {
    /// Substitutes `{{package}}`, `{{crate_name}}`, `{{runtime}}` and `{{migrations_path}}`
    /// for a file that will live in `dir`.
    fn render(&self, contents: &[u8], dir: &Path) -> String {
        let runtime = match &self.runtime {
            Some(absolute) => format!(
                "path = {}",
                toml_string(&to_slash(&relative_path(dir, absolute)))
            ),
            None => format!("version = \"{RUNTIME_VERSION}\""),
        };
        let migrations_path = to_slash(&relative_path(dir, &self.target));
        String::from_utf8_lossy(contents)
            .replace("{{package}}", &self.package)
            .replace("{{crate_name}}", &self.crate_name)
            .replace("{{runtime}}", &runtime)
            .replace("{{migrations_path}}", &migrations_path)
    }
}

/// Writes a template's workspace files (an xtask crate, a cargo alias) at the workspace
/// root, never over an existing file, and adds new crates to the workspace.
fn write_workspace_files(
    scaffold: &Scaffold,
    root: &Path,
    cwd: &Path,
    files: Vec<(PathBuf, &include_dir::File<'_>)>,
    out: &Output,
) -> Result<(), CliError> {
    let shown_root = root.strip_prefix(cwd).unwrap_or(root).to_owned();
    let mut skipped = Vec::new();
    let mut new_crates = Vec::new();
    for (relative, file) in files {
        let relative = relative.strip_prefix(WORKSPACE_DIR).unwrap_or(&relative);
        let path = root.join(relative);
        let shown = shown_root.join(relative);
        if path.exists() {
            out.status(&format!(
                "File {} already exists, skipping",
                shown.display()
            ));
            skipped.push(shown);
            continue;
        }
        let dir = path.parent().unwrap_or(root);
        write_new(&path, &shown, &scaffold.render(file.contents(), dir), out)?;
        if relative.file_name().is_some_and(|n| n == "Cargo.toml") {
            new_crates.push(dir.to_owned());
        }
    }
    for dir in new_crates {
        add_to_workspace(&dir, out)?;
    }
    if !skipped.is_empty() {
        out.warn(
            "existing files were kept; to run migrations from your own xtask, call \
             migration_runtime::cli::main_with_args(&<migrations crate>::MIGRATIONS, args) \
             from its `migrate` task (see the generated template in the cargo-alembic README)",
        );
    }
    Ok(())
}

fn create_dir(path: &Path, shown: &Path, out: &Output) -> Result<(), CliError> {
    if !path.exists() {
        out.status(&format!("Creating directory {} ...  done", shown.display()));
    }
    std::fs::create_dir_all(path).map_err(io("create directory", shown))
}

fn write_new(path: &Path, shown: &Path, contents: &str, out: &Output) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io("create directory", parent))?;
    }
    std::fs::write(path, contents).map_err(io("write", shown))?;
    out.status(&format!("Generating {} ...  done", shown.display()));
    Ok(())
}

fn validate_package_name(name: &str) -> Result<(), CliError> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "invalid package name `{name}`: use ASCII letters, digits, `-` and `_`, not starting with a digit; pass --package NAME"
        )))
    }
}

/// Adds the new crate to the enclosing workspace's members. A plain package above it gets a
/// `[workspace]` table, so the migrations crate shares its target directory and is found by
/// `cargo alembic` from the project root.
fn add_to_workspace(target: &Path, out: &Output) -> Result<Option<PathBuf>, CliError> {
    let Some((root, manifest_path)) = target
        .ancestors()
        .skip(1)
        .map(|dir| (dir, dir.join("Cargo.toml")))
        .find(|(_, manifest)| manifest.is_file())
    else {
        return Ok(None);
    };
    let member = to_slash(target.strip_prefix(root).unwrap_or(target));
    let text = std::fs::read_to_string(&manifest_path).map_err(io("read", &manifest_path))?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|err: toml_edit::TomlError| {
        CliError::Environment(format!(
            "failed to parse `{}`: {}",
            manifest_path.display(),
            err.message()
        ))
    })?;
    let had_workspace = doc.contains_key("workspace");
    let workspace = doc
        .entry("workspace")
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
    let Some(workspace) = workspace.as_table_like_mut() else {
        return Err(CliError::Environment(format!(
            "`workspace` in `{}` is not a table",
            manifest_path.display()
        )));
    };
    let members =
        workspace
            .entry("members")
            .or_insert(toml_edit::Item::Value(toml_edit::Value::Array(
                toml_edit::Array::new(),
            )));
    let Some(members) = members.as_array_mut() else {
        return Err(CliError::Environment(format!(
            "`workspace.members` in `{}` is not an array",
            manifest_path.display()
        )));
    };
    if members
        .iter()
        .filter_map(|m| m.as_str())
        .any(|pattern| glob_match(pattern.trim_end_matches('/'), &member))
    {
        return Ok(Some(root.to_owned()));
    }
    // Keep a one-per-line array one per line.
    let multiline = members.iter().any(|m| {
        m.decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'))
    });
    members.push(member.as_str());
    if multiline && let Some(last) = members.iter_mut().last() {
        last.decor_mut().set_prefix("\n    ");
        members.set_trailing_comma(true);
        members.set_trailing("\n");
    }
    std::fs::write(&manifest_path, doc.to_string()).map_err(io("write", &manifest_path))?;
    let shown = manifest_path
        .strip_prefix(std::env::current_dir().unwrap_or_default())
        .map(Path::to_owned)
        .unwrap_or(manifest_path.clone());
    if had_workspace {
        out.status(&format!(
            "Added `{member}` to the workspace members in {}",
            shown.display()
        ));
    } else {
        out.status(&format!(
            "Added a [workspace] with member `{member}` to {}",
            shown.display()
        ));
    }
    Ok(Some(root.to_owned()))
}

/// Matches cargo's member globs: `*` and `?` within one path component.
fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| component_match(p.as_bytes(), s.as_bytes()))
}

fn component_match(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            component_match(&pattern[1..], text)
                || (!text.is_empty() && component_match(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => component_match(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => component_match(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// Resolves `.` and `..` without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path from `from` (a directory) to `to`, both absolute.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.iter().collect();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for component in &to[common..] {
        out.push(component);
    }
    out
}

fn to_slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn toml_string(value: &str) -> String {
    toml_edit::Value::from(value).to_string().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("crates/*", "crates/migrations"));
        assert!(glob_match("migrations", "migrations"));
        assert!(!glob_match("crates/*", "migrations"));
        assert!(glob_match("m?grations", "migrations"));
        assert!(!glob_match("*", "a/b"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(
                Path::new("/ws/migrations"),
                Path::new("/src/ca/migration-runtime")
            ),
            Path::new("../../src/ca/migration-runtime")
        );
        assert_eq!(
            relative_path(Path::new("/ws/migrations"), Path::new("/ws/runtime")),
            Path::new("../runtime")
        );
    }
}

//! The benchmark fixtures, generated under `target/bench/`:
//!
//! - `ws/`: a cargo workspace of migrations crates scaffolded by the release
//!   `cargo alembic init`, whose `versions/` are written here rather than by calling
//!   `cargo alembic revision` thousands of times. Each file is rendered from the crate's own
//!   `script.rs.tmpl` or `script.sql.tmpl` with the rules of `script::render_template`, so
//!   its header is what `cargo alembic revision` writes:
//!   - `heads1k`, `heads10k`: linear chains of 1,000 and 10,000 empty Rust revisions, for
//!     `heads` and `history` (never built);
//!   - `chain1k`: 1,000 SQL revisions, each creating a table with an identity primary key,
//!     an index, and a foreign key to the previous revision's table;
//!   - `chain1k_rs`: the same statements as Rust revisions calling `op.execute`;
//!   - `startup10k`: 10,000 small SQL revisions (one table, then one `INSERT` each);
//!   - `startup-check`: an application depending on `startup10k` without its CLI, which
//!     times `MIGRATIONS.upgrade(&mut client, "head")` at head;
//!   - `autogenerate-check`: times `introspect` and `autogenerate::compare` on a database
//!     holding `autogenerate::synthetic_schema_sql(1000)`.
//! - `sql/`: `chain1k`'s upgrade and downgrade sections concatenated, for `psql -f`, once as
//!   written and once with each revision wrapped in `BEGIN`/`COMMIT`.
//! - `python1k/`: a Python Alembic project with `chain1k`'s revisions (same ids, same SQL
//!   through `op.execute`), as Alembic's `script.py.mako` writes them.
//! - `runtime/`: a copy of the checkout's `migration-runtime` (and of the root manifest it
//!   inherits from), refreshed at the start of each run, which the crates depend on. Other
//!   engineers' edits to `migration-runtime` while a run is under way then change nothing
//!   the run measures, and never make a timed build recompile the runtime.
//! - `target/`: the workspace's build directory, kept between runs.
//!
//! Files are written only when their bytes change, so an unchanged fixture does not make
//! cargo rebuild anything.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Series;
use crate::Result;
use crate::cmd::Cmd;

/// The revisions of the `upgrade` chain.
pub const CHAIN: usize = 1_000;

/// The revisions embedded in the start-up check's migrations crate.
pub const STARTUP: usize = 10_000;

/// The migrations crates, in the workspace's member order: name, revision count, format,
/// what each revision does, and the seed of its ids.
const CRATES: &[(&str, usize, Format, Body, u64)] = &[
    ("heads1k", 1_000, Format::Rust, Body::Empty, 1),
    ("heads10k", 10_000, Format::Rust, Body::Empty, 2),
    ("chain1k", CHAIN, Format::Sql, Body::Table, 3),
    ("chain1k_rs", CHAIN, Format::Rust, Body::Table, 3),
    ("startup10k", STARTUP, Format::Sql, Body::Log, 4),
];

/// The application that times the start-up check.
const STARTUP_CHECK: &str = "startup-check";

/// The application that times introspection and comparison (issue 5).
const AUTOGENERATE_CHECK: &str = "autogenerate-check";

/// The packages every build selects; the `heads` crates are never built.
const BUILT: [&str; 5] = [
    "chain1k",
    "chain1k_rs",
    "startup10k",
    STARTUP_CHECK,
    AUTOGENERATE_CHECK,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Rust,
    Sql,
}

/// What each revision of a chain does.
#[derive(Clone, Copy)]
enum Body {
    /// Nothing: a revision as `cargo alembic revision -m` leaves it.
    Empty,
    /// Creates table `t_NNNNN` with an index and a foreign key to the previous table.
    Table,
    /// The first creates `startup_log`; each later one inserts a row.
    Log,
}

/// One generated revision.
pub struct Revision {
    pub id: String,
    pub down: Option<String>,
    pub message: String,
    pub date: String,
    pub upgrade: Vec<String>,
    pub downgrade: Vec<String>,
}

/// Where the fixtures are, and which packages this run has built.
pub struct Fixtures {
    /// `target/bench/ws`.
    pub workspace: PathBuf,
    /// `target/bench/target`.
    pub target: PathBuf,
    /// `target/bench/sql`.
    pub sql: PathBuf,
    /// `target/bench/python1k`.
    pub python: PathBuf,
    /// Whether this run has built the workspace.
    built: bool,
}

impl Fixtures {
    /// Writes every fixture, scaffolding missing crates with `cargo_alembic init`.
    pub fn generate(root: &Path, cargo_alembic: &Path) -> Result<Fixtures> {
        let dir = crate::target_dir().join("bench");
        let fixtures = Fixtures {
            workspace: dir.join("ws"),
            target: dir.join("target"),
            sql: dir.join("sql"),
            python: dir.join("python1k"),
            built: false,
        };
        let started = Instant::now();
        let runtime = snapshot_runtime(root, &dir.join("runtime"))?;
        fixtures.write_workspace(root)?;
        for &(name, count, format, body, seed) in CRATES {
            fixtures.scaffold(&runtime, cargo_alembic, name)?;
            let revisions = chain(count, seed, body);
            let crate_dir = fixtures.crate_dir(name);
            let template = read(&crate_dir.join(match format {
                Format::Rust => "script.rs.tmpl",
                Format::Sql => "script.sql.tmpl",
            }))?;
            let files = revisions
                .iter()
                .map(|revision| revision_file(&template, format, revision))
                .collect::<Result<Vec<_>>>()?;
            sync_dir(&crate_dir.join("versions"), &files)?;
            if name == "chain1k" {
                fixtures.write_sql(&revisions)?;
                fixtures.write_python(&revisions)?;
            }
        }
        eprintln!(
            "xtask: fixtures in {} are up to date ({:.1} s)",
            dir.display(),
            started.elapsed().as_secs_f64()
        );
        Ok(fixtures)
    }

    /// The directory of a crate of the workspace.
    pub fn crate_dir(&self, name: &str) -> PathBuf {
        self.workspace.join(name)
    }

    /// The release binary of a package of the workspace.
    pub fn binary(&self, name: &str) -> PathBuf {
        self.target.join("release").join(name)
    }

    /// `cargo` in the workspace, building into its own target directory.
    pub fn cargo(&self) -> Cmd {
        Cmd::cargo()
            .env("CARGO_TARGET_DIR", &self.target.to_string_lossy())
            .current_dir(&self.workspace)
    }

    /// Builds the workspace's packages in release, once per run. Every build selects the
    /// same packages, so cargo resolves the same features each time and never rebuilds a
    /// dependency for another feature set.
    pub fn build(&mut self) -> Result<()> {
        if self.built {
            return Ok(());
        }
        self.build_all()?;
        self.built = true;
        Ok(())
    }

    /// Removes `package`'s build artifacts, then times the release build: the build script
    /// reading and embedding every revision, the crate's compile and its binary's link, and
    /// the relink of the packages depending on it. Its dependencies are not rebuilt; if one
    /// is all the same (a changed registry dependency), the measurement is taken once more,
    /// and then recorded with a warning in its label.
    pub fn rebuild(&mut self, package: &str, what: &str) -> Result<Series> {
        self.build()?;
        let mut rebuilt = Vec::new();
        let mut elapsed = Duration::ZERO;
        for _ in 0..2 {
            self.cargo()
                .args(["clean", "--release", "--package", package])
                .run()?;
            let started = Instant::now();
            let messages = self
                .build_command()
                .arg("--message-format=json-render-diagnostics")
                .read()?;
            elapsed = started.elapsed();
            let workspace = self.workspace.to_string_lossy();
            rebuilt = messages
                .lines()
                .filter(|line| {
                    line.contains(r#""reason":"compiler-artifact""#)
                        && line.contains(r#""fresh":false"#)
                })
                .filter_map(|line| {
                    let id = line.split(r#""package_id":""#).nth(1)?;
                    id.split('"').next().map(str::to_owned)
                })
                .filter(|id| !id.contains(workspace.as_ref()))
                .collect();
            rebuilt.sort();
            rebuilt.dedup();
            if rebuilt.is_empty() {
                break;
            }
            eprintln!(
                "xtask: the timed build also rebuilt {}; measuring again",
                rebuilt.join(", ")
            );
        }
        let mut label = format!("build `{package}` ({what})");
        if !rebuilt.is_empty() {
            label.push_str(&format!(
                " (**includes rebuilding {}**)",
                rebuilt.join(", ")
            ));
        }
        Ok(Series {
            label,
            command: format!(
                "cargo build --release -p {} (after cargo clean --release -p {package})",
                BUILT.join(" -p ")
            ),
            samples: vec![elapsed],
        })
    }

    fn build_all(&self) -> Result<()> {
        self.build_command().run()
    }

    fn build_command(&self) -> Cmd {
        let mut cargo = self.cargo().args(["build", "--release"]);
        for package in BUILT {
            cargo = cargo.args(["--package", package]);
        }
        cargo
    }

    /// The `psql` script of `chain1k`: `upgrade` or `downgrade`, `per_revision` wrapping
    /// each revision in `BEGIN`/`COMMIT`.
    pub fn sql_script(&self, upgrade: bool, per_revision: bool) -> PathBuf {
        self.sql.join(format!(
            "{}{}.sql",
            if upgrade { "upgrade" } else { "downgrade" },
            if per_revision { "-per-revision" } else { "" }
        ))
    }

    fn write_workspace(&self, root: &Path) -> Result<()> {
        let members: Vec<String> = CRATES
            .iter()
            .map(|(name, ..)| format!("{name:?}"))
            .chain([
                format!("{STARTUP_CHECK:?}"),
                format!("{AUTOGENERATE_CHECK:?}"),
            ])
            .collect();
        let manifest = format!(
            "# Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs); rewritten on every run.\n\
             [workspace]\n\
             resolver = \"2\"\n\
             members = [{}]\n\
             \n\
             # As the repository's: line tables let `perf` name the functions.\n\
             [profile.release]\n\
             debug = \"line-tables-only\"\n",
            members.join(", ")
        );
        write_if_changed(&self.workspace.join("Cargo.toml"), &manifest)?;
        // Start from the repository's lock file, so that the dependencies resolve to the
        // versions already downloaded and built there.
        let lock = self.workspace.join("Cargo.lock");
        if !lock.exists() {
            fs::copy(root.join("Cargo.lock"), &lock)
                .map_err(|err| format!("failed to copy Cargo.lock: {err}"))?;
        }
        let check = self.crate_dir(STARTUP_CHECK);
        write_if_changed(&check.join("Cargo.toml"), STARTUP_CHECK_MANIFEST)?;
        write_if_changed(&check.join("src").join("main.rs"), STARTUP_CHECK_MAIN)?;
        let check = self.crate_dir(AUTOGENERATE_CHECK);
        write_if_changed(&check.join("Cargo.toml"), AUTOGENERATE_CHECK_MANIFEST)?;
        write_if_changed(&check.join("src").join("main.rs"), AUTOGENERATE_CHECK_MAIN)
    }

    /// Runs `cargo alembic init` for a crate the workspace lacks, or that does not depend
    /// on the runtime's copy.
    fn scaffold(&self, runtime: &Path, cargo_alembic: &Path, name: &str) -> Result<()> {
        let dir = self.crate_dir(name);
        let scaffolded = fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.contains(r#"runtime/migration-runtime""#));
        if scaffolded && dir.join("alembic.toml").is_file() {
            return Ok(());
        }
        if dir.exists() {
            // A scaffold interrupted half-way: init refuses a non-empty directory.
            fs::remove_dir_all(&dir)
                .map_err(|err| format!("failed to remove `{}`: {err}", dir.display()))?;
        }
        Cmd::new(cargo_alembic)
            .args(["alembic", "init", name, "--package", name])
            .env("CARGO_ALEMBIC_RUNTIME_PATH", &runtime.to_string_lossy())
            .current_dir(&self.workspace)
            .stdout_to_stderr()
            .run()
    }

    fn write_sql(&self, revisions: &[Revision]) -> Result<()> {
        for upgrade in [true, false] {
            for per_revision in [false, true] {
                let mut sections: Vec<String> = revisions
                    .iter()
                    .map(|revision| {
                        let statements = if upgrade {
                            &revision.upgrade
                        } else {
                            &revision.downgrade
                        };
                        let section = sql_section(statements);
                        if per_revision {
                            format!("BEGIN;\n{section}\nCOMMIT;\n")
                        } else {
                            section
                        }
                    })
                    .collect();
                if !upgrade {
                    sections.reverse();
                }
                write_if_changed(
                    &self.sql_script(upgrade, per_revision),
                    &sections.join("\n"),
                )?;
            }
        }
        Ok(())
    }

    fn write_python(&self, revisions: &[Revision]) -> Result<()> {
        write_if_changed(&self.python.join("alembic.ini"), PYTHON_INI)?;
        write_if_changed(&self.python.join("env.py"), PYTHON_ENV)?;
        write_if_changed(&self.python.join("script.py.mako"), PYTHON_MAKO)?;
        let files: Vec<(String, String)> = revisions.iter().map(python_file).collect();
        sync_dir(&self.python.join("versions"), &files)
    }
}

/// Copies `migration-runtime` and the workspace manifest it inherits from into `dir`,
/// keeping files whose bytes did not change, and returns the copy of the crate.
fn snapshot_runtime(root: &Path, dir: &Path) -> Result<PathBuf> {
    let manifest = read(&root.join("Cargo.toml"))?;
    // The copy's workspace holds the runtime alone.
    let members = manifest
        .find("members = [")
        .and_then(|start| Some((start, start + manifest[start..].find(']')? + 1)))
        .ok_or("the workspace's Cargo.toml has no `members = [...]`")?;
    let manifest = format!(
        "# Copied by `cargo xtask bench` from the checkout's Cargo.toml, members cut to the runtime.\n{}members = [\"migration-runtime\"]{}",
        &manifest[..members.0],
        &manifest[members.1..]
    );
    write_if_changed(&dir.join("Cargo.toml"), &manifest)?;
    let runtime = dir.join("migration-runtime");
    sync_tree(&root.join("migration-runtime"), &runtime)?;
    Ok(runtime)
}

/// Makes `to` a copy of the directory `from`: files written only when their bytes differ,
/// files and directories that `from` lacks removed.
fn sync_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|err| format!("failed to create `{}`: {err}", to.display()))?;
    let list = |dir: &Path| -> Result<BTreeSet<std::ffi::OsString>> {
        let entries = fs::read_dir(dir)
            .map_err(|err| format!("failed to read `{}`: {err}", dir.display()))?;
        entries
            .map(|entry| {
                entry
                    .map(|entry| entry.file_name())
                    .map_err(|err| format!("failed to read `{}`: {err}", dir.display()).into())
            })
            .collect()
    };
    let wanted = list(from)?;
    for name in list(to)?.difference(&wanted) {
        let path = to.join(name);
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(|err| format!("failed to remove `{}`: {err}", path.display()))?;
    }
    for name in &wanted {
        let (source, target) = (from.join(name), to.join(name));
        if source.is_dir() {
            if name != "target" {
                sync_tree(&source, &target)?;
            }
            continue;
        }
        let bytes = fs::read(&source)
            .map_err(|err| format!("failed to read `{}`: {err}", source.display()))?;
        if fs::read(&target).is_ok_and(|old| old == bytes) {
            continue;
        }
        fs::write(&target, bytes)
            .map_err(|err| format!("failed to write `{}`: {err}", target.display()))?;
    }
    Ok(())
}

/// A linear chain of `count` revisions with ids drawn from `seed`.
fn chain(count: usize, seed: u64, body: Body) -> Vec<Revision> {
    let mut out: Vec<Revision> = Vec::with_capacity(count);
    let mut seen = BTreeSet::new();
    // Each seed draws from its own range of counters, so the crates share no ids.
    let mut counter = seed << 32;
    for n in 1..=count {
        // splitmix64: ids look like uuid4().hex[-12:] and are the same on every run.
        let id = loop {
            counter += 1;
            let mut z = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            let id = format!("{:012x}", (z ^ (z >> 31)) & 0xffff_ffff_ffff);
            if seen.insert(id.clone()) {
                break id;
            }
        };
        let (message, upgrade, downgrade) = match body {
            Body::Empty => (format!("revision {n:05}"), Vec::new(), Vec::new()),
            Body::Table => {
                let table = format!("t_{n:05}");
                let parent = if n > 1 {
                    format!(", parent_id bigint REFERENCES t_{:05} (id)", n - 1)
                } else {
                    String::new()
                };
                (
                    format!("create table {table}"),
                    vec![
                        format!(
                            "CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY{parent}, \
                             name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
                        ),
                        format!("CREATE INDEX ix_{table}_name ON {table} (name)"),
                    ],
                    vec![format!("DROP TABLE {table}")],
                )
            }
            Body::Log if n == 1 => (
                "create startup_log".to_owned(),
                vec!["CREATE TABLE startup_log (n integer NOT NULL)".to_owned()],
                vec!["DROP TABLE startup_log".to_owned()],
            ),
            Body::Log => (
                format!("log {n:05}"),
                vec![format!("INSERT INTO startup_log (n) VALUES ({n})")],
                vec![format!("DELETE FROM startup_log WHERE n = {n}")],
            ),
        };
        // One revision a minute from 2026-01-01 00:00 UTC.
        let minutes = n - 1;
        let date = format!(
            "2026-01-{:02} {:02}:{:02}:00.000000+00:00",
            1 + minutes / 1440,
            minutes / 60 % 24,
            minutes % 60
        );
        out.push(Revision {
            down: out.last().map(|previous| previous.id.clone()),
            id,
            message,
            date,
            upgrade,
            downgrade,
        });
    }
    out
}

/// `statements` as an SQL section: each ends with `;`, a blank line between them.
fn sql_section(statements: &[String]) -> String {
    statements
        .iter()
        .map(|statement| format!("{statement};\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file name and text of a revision of our crates.
fn revision_file(template: &str, format: Format, revision: &Revision) -> Result<(String, String)> {
    let (extension, upgrades, downgrades) = match format {
        Format::Sql => (
            "sql",
            sql_section(&revision.upgrade).trim_end().to_owned(),
            sql_section(&revision.downgrade).trim_end().to_owned(),
        ),
        Format::Rust => {
            let calls = |statements: &[String]| {
                statements
                    .iter()
                    .map(|sql| format!("op.execute({sql:?});"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            ("rs", calls(&revision.upgrade), calls(&revision.downgrade))
        }
    };
    let text = render_template(
        template,
        &[
            ("message", &revision.message),
            ("up_revision", &revision.id),
            ("down_revision", revision.down.as_deref().unwrap_or("")),
            ("create_date", &revision.date),
            ("branch_labels", ""),
            ("depends_on", ""),
            ("upgrades", &upgrades),
            ("downgrades", &downgrades),
        ],
    )?;
    Ok((
        format!("{}_{}.{extension}", revision.id, slug(&revision.message)),
        text,
    ))
}

/// A revision of the Python project, as Alembic's generic `script.py.mako` renders it.
fn python_file(revision: &Revision) -> (String, String) {
    let quoted =
        |value: Option<&str>| value.map_or_else(|| "None".to_owned(), |v| format!("'{v}'"));
    let body = |statements: &[String]| {
        if statements.is_empty() {
            "    pass".to_owned()
        } else {
            statements
                .iter()
                .map(|sql| format!("    op.execute({sql:?})"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let text = format!(
        "\"\"\"{message}\n\nRevision ID: {id}\nRevises: {down}\nCreate Date: {date}\n\n\"\"\"\n\
         from typing import Sequence, Union\n\n\
         from alembic import op\n\
         import sqlalchemy as sa\n\n\n\
         # revision identifiers, used by Alembic.\n\
         revision: str = '{id}'\n\
         down_revision: Union[str, Sequence[str], None] = {down_repr}\n\
         branch_labels: Union[str, Sequence[str], None] = None\n\
         depends_on: Union[str, Sequence[str], None] = None\n\n\n\
         def upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n{upgrade}\n\n\n\
         def downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n{downgrade}\n",
        message = revision.message,
        id = revision.id,
        down = revision.down.as_deref().unwrap_or(""),
        date = revision
            .date
            .strip_suffix("+00:00")
            .unwrap_or(&revision.date),
        down_repr = quoted(revision.down.as_deref()),
        upgrade = body(&revision.upgrade),
        downgrade = body(&revision.downgrade),
    );
    (
        format!("{}_{}.py", revision.id, slug(&revision.message)),
        text,
    )
}

/// Alembic's slug of a message: words joined by `_`, lower case, at most 40 characters.
fn slug(message: &str) -> String {
    let words: Vec<String> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut slug = words.join("_");
    slug.truncate(40);
    slug
}

/// `${name}` substitution with the rules of `migration_runtime::script::render_template`:
/// a multi-line value repeats the text before the variable on each further line, a line
/// holding only variables whose values are empty is dropped, and trailing blanks are
/// trimmed.
fn render_template(template: &str, vars: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 256);
    for line in template.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let mut rendered = String::new();
        let mut rest = body;
        let mut any_var = false;
        let mut only_empty_vars = true;
        while let Some(at) = rest.find("${") {
            let before = &rest[..at];
            if !before.trim().is_empty() {
                only_empty_vars = false;
            }
            rendered.push_str(before);
            let Some(end) = rest[at..].find('}') else {
                break;
            };
            let name = &rest[at + 2..at + end];
            let &(_, value) = vars
                .iter()
                .find(|(known, _)| *known == name)
                .ok_or_else(|| format!("the script template uses an unknown variable `{name}`"))?;
            any_var = true;
            if !value.is_empty() {
                only_empty_vars = false;
            }
            let lead = rendered[rendered.rfind('\n').map_or(0, |at| at + 1)..].to_owned();
            for (index, value_line) in value.split('\n').enumerate() {
                if index > 0 {
                    rendered.push('\n');
                    if value_line.is_empty() {
                        rendered.push_str(lead.trim_end());
                    } else {
                        rendered.push_str(&lead);
                    }
                }
                rendered.push_str(value_line);
            }
            rest = &rest[at + end + 1..];
        }
        if !rest.trim().is_empty() {
            only_empty_vars = false;
        }
        rendered.push_str(rest);
        if any_var && only_empty_vars {
            continue;
        }
        out.push_str(rendered.trim_end_matches([' ', '\t']));
        out.push_str(newline);
    }
    Ok(out)
}

/// Makes `dir` hold exactly `files` (names and texts), leaving hidden files alone.
fn sync_dir(dir: &Path, files: &[(String, String)]) -> Result<()> {
    fs::create_dir_all(dir)
        .map_err(|err| format!("failed to create `{}`: {err}", dir.display()))?;
    let wanted: BTreeSet<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let entries =
        fs::read_dir(dir).map_err(|err| format!("failed to read `{}`: {err}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|err| format!("failed to read `{}`: {err}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || wanted.contains(name.as_str()) {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(|err| format!("failed to remove `{}`: {err}", path.display()))?;
    }
    for (name, text) in files {
        write_if_changed(&dir.join(name), text)?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .map_err(|err| format!("failed to read `{}`: {err}", path.display()).into())
}

/// Writes `text` to `path`, creating directories, unless the file already holds it.
pub fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|err| format!("failed to create `{}`: {err}", parent.display()))?;
    }
    fs::write(path, text)
        .map_err(|err| format!("failed to write `{}`: {err}", path.display()).into())
}

const STARTUP_CHECK_MANIFEST: &str = r#"# Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
[package]
name = "startup-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
# As an application depends on its migrations crate: without the command-line code.
startup10k = { path = "../startup10k", default-features = false }
tokio = { version = "1", features = ["rt", "macros"] }
tokio-postgres = "0.7"
"#;

const STARTUP_CHECK_MAIN: &str = r#"//! Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
//!
//! `startup-check URL [CALLS]` connects once, then times CALLS start-up checks
//! (`MIGRATIONS.upgrade(&mut client, "head")` on a database already at head), and for
//! comparison CALLS bare round trips: `SELECT 1`, and the version-table query the check
//! sends. Prints `key=value` pairs, in nanoseconds.

use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: startup-check URL [CALLS]")?;
    let calls: usize = match args.next() {
        Some(calls) => calls.parse()?,
        None => 500,
    };

    let started = Instant::now();
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    let connection = tokio::spawn(connection);
    let connect = started.elapsed();

    let started = Instant::now();
    check(&mut client).await?;
    let first = started.elapsed();

    let mut checks = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        check(&mut client).await?;
        checks.push(started.elapsed());
    }
    let mut select_one = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        client.simple_query("SELECT 1").await?;
        select_one.push(started.elapsed());
    }
    let mut select_version = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        client
            .simple_query("SELECT alembic_version.version_num FROM alembic_version")
            .await?;
        select_version.push(started.elapsed());
    }

    println!(
        "revisions={} connect_ns={} first_ns={} check_ns={} select_one_ns={} select_version_ns={}",
        startup10k::MIGRATIONS.revisions().len(),
        connect.as_nanos(),
        first.as_nanos(),
        median(checks).as_nanos(),
        median(select_one).as_nanos(),
        median(select_version).as_nanos(),
    );
    drop(client);
    connection.await??;
    Ok(())
}

/// The start-up check; the database must already be at head.
async fn check(client: &mut tokio_postgres::Client) -> Result<(), Error> {
    let report = startup10k::MIGRATIONS.upgrade(client, "head").await?;
    if !report.is_empty() {
        return Err(format!("the database was not at head: ran {} steps", report.steps.len()).into());
    }
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}
"#;

const AUTOGENERATE_CHECK_MANIFEST: &str = r#"# Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
[package]
name = "autogenerate-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
migration-runtime = { path = "../../runtime/migration-runtime" }
tokio = { version = "1", features = ["rt", "macros"] }
tokio-postgres = "0.7"
"#;

const AUTOGENERATE_CHECK_MAIN: &str = r#"//! Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
//!
//! `autogenerate-check schema TABLES` prints `synthetic_schema_sql(TABLES)`.
//!
//! `autogenerate-check LIVE_URL TARGET_URL RUNS` introspects the target database once, then
//! RUNS times introspects the live one and compares the two, as `check` and
//! `revision --autogenerate` do. Prints `key=value` pairs (times in nanoseconds, medians
//! over the runs), then one `operation=` line per upgrade operation.

use std::time::{Duration, Instant};

use migration_runtime::autogenerate::{CompareOptions, compare, describe, synthetic_schema_sql};
use migration_runtime::introspect::{IntrospectOptions, introspect_with_report};

type Error = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: autogenerate-check schema TABLES | LIVE_URL TARGET_URL RUNS";
    if args.first().map(String::as_str) == Some("schema") {
        let tables: usize = args.get(1).ok_or(usage)?.parse()?;
        print!("{}", synthetic_schema_sql(tables));
        return Ok(());
    }
    let [live, target, runs] = &args[..] else {
        return Err(usage.into());
    };
    let runs: usize = runs.parse()?;
    let live = connect(live).await?;
    let target = connect(target).await?;
    let options = IntrospectOptions::default();

    let started = Instant::now();
    let target = introspect_with_report(&target, &options).await?;
    let target_introspect = started.elapsed();

    let (mut introspects, mut compares, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let report = introspect_with_report(&live, &options).await?;
        let introspected = started.elapsed();
        let started = Instant::now();
        let diff = compare(&report.metadata, &target.metadata, &CompareOptions::default());
        let compared = started.elapsed();
        introspects.push(introspected);
        compares.push(compared);
        totals.push(introspected + compared);
        last = Some((report, diff));
    }
    let (report, diff) = last.ok_or("RUNS must be at least 1")?;
    println!(
        "tables={} queries={} skipped={} operations={} target_introspect_ns={} first_total_ns={} introspect_ns={} compare_ns={} total_ns={}",
        report.metadata.tables.len(),
        report.queries,
        report.skipped.len(),
        diff.upgrade.len(),
        target_introspect.as_nanos(),
        totals[0].as_nanos(),
        median(introspects).as_nanos(),
        median(compares).as_nanos(),
        median(totals).as_nanos(),
    );
    for operation in &diff.upgrade {
        println!("operation={}", describe(operation));
    }
    Ok(())
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}
"#;

const PYTHON_INI: &str = "# Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
[alembic]
script_location = %(here)s
path_separator = os
";

const PYTHON_ENV: &str = r#"# Generated by `cargo xtask bench` (xtask/src/bench/fixtures.rs).
# Alembic's environment for the comparison figures: `-x url=postgresql+psycopg2://...`, and
# `-x transaction_per_migration=true` for one transaction per revision. No logging is
# configured, so nothing is printed per revision.
from alembic import context
from sqlalchemy import create_engine, pool

x = context.get_x_argument(as_dictionary=True)
per_migration = x.get("transaction_per_migration") == "true"

if context.is_offline_mode():
    context.configure(
        url=x.get("url", "postgresql://"),
        literal_binds=True,
        transaction_per_migration=per_migration,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(x["url"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=per_migration)
        with context.begin_transaction():
            context.run_migrations()
"#;

const PYTHON_MAKO: &str = r#""""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
"#;

#[cfg(test)]
mod tests {
    use super::{render_template, slug};

    #[test]
    fn render_template_follows_the_runtime_rules() {
        let template =
            "//! ${message}\n//! Revises: ${down_revision}\nfn upgrade() {\n    ${upgrades}\n}\n";
        let text = render_template(
            template,
            &[
                ("message", "a\nb"),
                ("down_revision", ""),
                ("upgrades", "x();\ny();"),
            ],
        )
        .unwrap();
        assert_eq!(
            text,
            "//! a\n//! b\n//! Revises:\nfn upgrade() {\n    x();\n    y();\n}\n"
        );
        let empty = render_template(
            template,
            &[("message", "m"), ("down_revision", ""), ("upgrades", "")],
        )
        .unwrap();
        assert_eq!(empty, "//! m\n//! Revises:\nfn upgrade() {\n}\n");
    }

    #[test]
    fn slug_is_alembic_s() {
        assert_eq!(slug("create table t_00001"), "create_table_t_00001");
        assert_eq!(slug("Log 00002!"), "log_00002");
    }
}

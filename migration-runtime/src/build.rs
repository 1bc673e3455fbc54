//! What a migrations crate's `build.rs` calls: read `versions/`, validate the graph, and write
//! the registry module that embeds every revision.
//!
//! ```text
//! // build.rs
//! fn main() {
//!     if let Err(err) = migration_runtime::build::embed() {
//!         migration_runtime::build::fail(&err);
//!     }
//! }
//! ```
//!
//! A malformed header, a duplicate id, a missing down revision, a cycle or a branch label
//! used twice fails `cargo build` with the file and line. The registry declares each Rust
//! revision as `#[path = "..."] mod`, so compiler errors point into the revision file, and
//! carries SQL revisions' sections as string literals. It is formatted by prettyplease,
//! deterministic, and rewritten only when its bytes change.

#![expect(clippy::print_stdout, reason = "build scripts talk to cargo on stdout")]
#![expect(
    clippy::print_stderr,
    reason = "a failing build script reports on stderr"
)]

use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::config::{self, Config, ConfigError};
use crate::graph::{GraphError, Heads, RevisionMap};
use crate::revision::ParsedFile;
use crate::script::{self, LoadError};

/// Why the registry could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A cargo-provided environment variable is missing: not running as a build script.
    #[error(
        "environment variable {0} is not set; call migration_runtime::build::embed from build.rs"
    )]
    NotBuildScript(&'static str),
    /// `alembic.toml` is malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A revision file is malformed or two share an id.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The revisions do not form a valid graph.
    #[error("{location}{source}")]
    Graph {
        /// `file:line: ` of the revision the error names, when it names one.
        location: String,
        /// The graph error.
        source: GraphError,
    },
    /// The generated code did not parse; a bug in this crate.
    #[error("generated registry does not parse: {0}")]
    Generate(String),
    /// Writing the registry failed.
    #[error("failed to write `{}`", path.display())]
    Write {
        /// The registry path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Embeds the revisions of the crate being built: reads `alembic.toml` and the version
/// locations relative to `CARGO_MANIFEST_DIR`, and writes `$OUT_DIR/registry.rs`.
///
/// # Errors
///
/// [`BuildError`] naming the file and line of the first problem.
pub fn embed() -> Result<(), BuildError> {
    let manifest_dir = config::env_var("CARGO_MANIFEST_DIR")
        .ok_or(BuildError::NotBuildScript("CARGO_MANIFEST_DIR"))?;
    let out_dir = config::env_var("OUT_DIR").ok_or(BuildError::NotBuildScript("OUT_DIR"))?;
    let manifest_dir = PathBuf::from(manifest_dir);
    let config_path = manifest_dir.join(config::FILE_NAME);
    println!("cargo::rerun-if-changed={}", config_path.display());
    let config = if config_path.is_file() {
        Config::load(Path::new(config::FILE_NAME))?
    } else {
        Config::default()
    };
    for location in &config.version_locations {
        println!(
            "cargo::rerun-if-changed={}",
            manifest_dir.join(location).display()
        );
    }
    // Build scripts run in their package's directory, so relative paths read the right files
    // and errors name them as the user sees them: versions/1975ea83b712_x.rs:3.
    let registry = render_registry(Path::new(""), &manifest_dir, &config)?;
    let path = PathBuf::from(out_dir).join("registry.rs");
    write_if_changed(&path, &registry)
}

/// Prints a build error and its causes on stderr and exits the build script with status 1.
pub fn fail(err: &BuildError) -> ! {
    eprintln!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    std::process::exit(1)
}

/// Renders the registry module for the crate whose files are read below `dir` (as errors
/// show them) and which lives at `manifest_dir` (for the `#[path]` of Rust revisions).
///
/// # Errors
///
/// As [`embed`].
pub fn render_registry(
    dir: &Path,
    manifest_dir: &Path,
    config: &Config,
) -> Result<String, BuildError> {
    let locations: Vec<PathBuf> = config
        .version_locations
        .iter()
        .map(|l| dir.join(l))
        .collect();
    let files = script::load(&locations, config.recursive_version_locations)?;
    let revisions = files.iter().map(|f| f.revision.clone()).collect();
    let map = RevisionMap::new(revisions).map_err(|source| graph_error(source, &files))?;
    let stored_heads = stored_heads(&map).map_err(|source| graph_error(source, &files))?;
    let single_head = matches!(map.resolve("head"), Ok(heads) if heads.len() == 1);
    let tokens = registry_tokens(
        dir,
        manifest_dir,
        &files,
        &stored_heads,
        single_head,
        config,
    );
    let file: syn::File =
        syn::parse2(tokens).map_err(|err| BuildError::Generate(err.to_string()))?;
    Ok(format!(
        "// @generated by migration-runtime from versions/; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The rows of the version table once every head is applied: what the start-up fast path
/// compares against.
fn stored_heads(map: &RevisionMap) -> Result<Vec<String>, GraphError> {
    let mut heads = Heads::new(Vec::new());
    for step in map.upgrade_steps(&[], "heads")? {
        heads.apply(map, &step)?;
    }
    let mut ids: Vec<String> = heads.ids().iter().map(ToString::to_string).collect();
    ids.sort();
    Ok(ids)
}

fn graph_error(source: GraphError, files: &[ParsedFile]) -> BuildError {
    let location = source
        .revision()
        .and_then(|id| files.iter().find(|f| f.revision.id.as_str() == id))
        .and_then(|f| {
            Some(format!(
                "{}:{}: ",
                f.revision.path.as_ref()?.display(),
                f.id_line
            ))
        })
        .unwrap_or_default();
    BuildError::Graph { location, source }
}

fn registry_tokens(
    dir: &Path,
    manifest_dir: &Path,
    files: &[ParsedFile],
    stored_heads: &[String],
    single_head: bool,
    config: &Config,
) -> TokenStream {
    let mut used_names = std::collections::BTreeSet::new();
    let mut modules = Vec::new();
    let mut entries = Vec::new();
    for file in files {
        let rev = &file.revision;
        let relative = rev.path.clone().unwrap_or_default();
        let relative = relative.strip_prefix(dir).unwrap_or(&relative);
        let shown = relative.to_string_lossy().replace('\\', "/");
        let id = rev.id.as_str();
        let down: Vec<&str> = rev.down_revisions.iter().map(|d| d.as_str()).collect();
        let labels = &rev.branch_labels;
        let depends = &rev.depends_on;
        let longdoc = &rev.longdoc;
        let create_date = match &rev.create_date {
            Some(date) => quote!(::core::option::Option::Some(#date)),
            None => quote!(::core::option::Option::None),
        };
        let body = match &file.sql {
            None => {
                let name = module_name(id, &mut used_names);
                let absolute = manifest_dir.join(relative);
                let absolute = absolute.to_string_lossy();
                modules.push(quote! {
                    #[path = #absolute]
                    #[allow(unused_imports, unused_variables, dead_code)]
                    mod #name;
                });
                quote! {
                    ::migration_runtime::embed::Body::Rust {
                        upgrade: #name::upgrade,
                        downgrade: #name::downgrade,
                    }
                }
            }
            Some(sql) => {
                let upgrade = &sql.upgrade;
                let downgrade = &sql.downgrade;
                let upgrade_line = proc_macro2::Literal::usize_unsuffixed(sql.upgrade_line);
                let downgrade_line = proc_macro2::Literal::usize_unsuffixed(sql.downgrade_line);
                quote! {
                    ::migration_runtime::embed::Body::Sql {
                        upgrade: #upgrade,
                        upgrade_line: #upgrade_line,
                        downgrade: #downgrade,
                        downgrade_line: #downgrade_line,
                    }
                }
            }
        };
        entries.push(quote! {
            ::migration_runtime::embed::EmbeddedRevision {
                id: #id,
                down_revisions: &[#(#down),*],
                branch_labels: &[#(#labels),*],
                depends_on: &[#(#depends),*],
                longdoc: #longdoc,
                create_date: #create_date,
                path: #shown,
                body: #body,
            }
        });
    }
    let count = proc_macro2::Literal::usize_unsuffixed(entries.len());
    let head_count = proc_macro2::Literal::usize_unsuffixed(stored_heads.len());
    let version_table = &config.version_table;
    let schema = match &config.version_table_schema {
        Some(schema) => quote!(::core::option::Option::Some(#schema)),
        None => quote!(::core::option::Option::None),
    };
    let per_migration = config.transaction_per_migration;
    let url = match &config.url {
        Some(url) => quote!(::core::option::Option::Some(#url)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #(#modules)*

        static REVISIONS: [::migration_runtime::embed::EmbeddedRevision; #count] = [#(#entries),*];

        static STORED_HEADS: [&str; #head_count] = [#(#stored_heads),*];

        static CONFIG: ::migration_runtime::embed::EmbeddedConfig = ::migration_runtime::embed::EmbeddedConfig {
            version_table: #version_table,
            version_table_schema: #schema,
            transaction_per_migration: #per_migration,
            url: #url,
        };

        /// Every revision of this crate, embedded at build time.
        pub static MIGRATIONS: ::migration_runtime::Migrations =
            ::migration_runtime::Migrations::new(&REVISIONS, &STORED_HEADS, #single_head, &CONFIG);
    }
}

fn module_name(id: &str, used: &mut std::collections::BTreeSet<String>) -> Ident {
    let sanitized: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("r_{sanitized}");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("r_{sanitized}_{n}");
        n += 1;
    }
    Ident::new(&name, Span::call_site())
}

/// Writes `contents` to `path` unless the file already holds exactly those bytes, so an
/// unchanged registry does not trigger a rebuild.
fn write_if_changed(path: &Path, contents: &str) -> Result<(), BuildError> {
    if std::fs::read(path).is_ok_and(|existing| existing == contents.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, contents).map_err(|source| BuildError::Write {
        path: path.to_owned(),
        source,
    })
}

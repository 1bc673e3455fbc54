//! `alembic.toml`: an environment's configuration, and `${VAR}` interpolation.
//!
//! Every key is optional; an empty file is a valid configuration. Paths are relative to the
//! directory holding `alembic.toml`. Unknown keys are an error, so a typo never passes
//! silently.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The name of an environment's configuration file.
pub const FILE_NAME: &str = "alembic.toml";

/// An environment's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Config {
    /// Directories holding revision files, in load order.
    pub version_locations: Vec<PathBuf>,
    /// Whether to scan version locations' subdirectories too.
    pub recursive_version_locations: bool,
    /// The file name pattern for new revisions, without extension.
    pub file_template: String,
    /// The longest slug a file name gets.
    pub truncate_slug_length: usize,
    /// The default format of new revisions.
    pub revision_format: RevisionFormat,
    /// The template new Rust revisions are rendered from.
    pub script_template: PathBuf,
    /// The template new SQL revisions are rendered from.
    pub sql_script_template: PathBuf,
    /// The database URL, with `${VAR}` interpolation.
    pub url: Option<String>,
    /// The version table's name.
    pub version_table: String,
    /// The version table's schema; the connection's search path when unset.
    pub version_table_schema: Option<String>,
    /// Commit each revision in its own transaction instead of one for the whole run.
    pub transaction_per_migration: bool,
    /// The declarative target schema autogenerate compares the database with.
    pub schema_file: PathBuf,
    /// An empty database to apply `schema_file` in, instead of a temporary one.
    pub shadow_url: Option<String>,
    /// The schemas autogenerate reads and compares; the search path's first when empty.
    pub include_schemas: Vec<String>,
    /// Tables autogenerate leaves alone: names or globs (`audit_*`, `legacy.*`).
    pub ignore_tables: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            version_locations: vec![PathBuf::from("versions")],
            recursive_version_locations: false,
            file_template: "%(rev)s_%(slug)s".to_owned(),
            truncate_slug_length: 40,
            revision_format: RevisionFormat::Rs,
            script_template: PathBuf::from("script.rs.tmpl"),
            sql_script_template: PathBuf::from("script.sql.tmpl"),
            url: None,
            version_table: "alembic_version".to_owned(),
            version_table_schema: None,
            transaction_per_migration: false,
            schema_file: PathBuf::from("schema.sql"),
            shadow_url: None,
            include_schemas: Vec::new(),
            ignore_tables: Vec::new(),
        }
    }
}

/// The format of a new revision file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RevisionFormat {
    /// A Rust revision (`.rs`).
    #[default]
    Rs,
    /// A SQL revision (`.sql`).
    Sql,
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A `${VAR}` reference names an unset variable.
    #[error("{what} refers to ${{{var}}}, which is not set")]
    UnsetVariable {
        /// Where the reference is, such as "url in migrations/alembic.toml".
        what: String,
        /// The variable's name.
        var: String,
    },
    /// A `${` without its closing brace.
    #[error("{what}: unterminated '${{' in '{value}'")]
    Unterminated {
        /// Where the reference is.
        what: String,
        /// The text.
        value: String,
    },
}

impl Config {
    /// Reads `alembic.toml` at `path`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Read`] when the file cannot be read, [`ConfigError::Parse`] (with the
    /// line) when it is malformed.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses configuration text; `path` is used in error messages only.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Parse`] with the line of the problem.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|err| {
            let line = err.span().map_or(1, |span| {
                text[..span.start.min(text.len())].matches('\n').count() + 1
            });
            ConfigError::Parse {
                path: path.to_owned(),
                line,
                message: err.message().to_owned(),
            }
        })?;
        if config.version_locations.is_empty() {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                line: line_of(text, "version_locations"),
                message: "version_locations must name at least one directory".to_owned(),
            });
        }
        if config.truncate_slug_length == 0 {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                line: line_of(text, "truncate_slug_length"),
                message: "truncate_slug_length must be at least 1".to_owned(),
            });
        }
        Ok(config)
    }
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| line.trim_start().starts_with(key))
        .map_or(1, |index| index + 1)
}

/// Replaces each `${NAME}` in `value` with `lookup(NAME)`; `$$` stands for a literal `$`.
///
/// # Errors
///
/// [`ConfigError::UnsetVariable`] when `lookup` has no value for a name, and
/// [`ConfigError::Unterminated`] for a `${` without `}`. `what` names the setting in errors.
pub fn interpolate(
    value: &str,
    what: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                return Err(ConfigError::Unterminated {
                    what: what.to_owned(),
                    value: value.to_owned(),
                });
            };
            let name = &inner[..end];
            let Some(substitute) = lookup(name) else {
                return Err(ConfigError::UnsetVariable {
                    what: what.to_owned(),
                    var: name.to_owned(),
                });
            };
            out.push_str(&substitute);
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads an environment variable. The one place the runtime reads the process environment,
/// so that `DATABASE_URL`, `.env` and `${VAR}` have a single owner.
pub fn env_var(name: &str) -> Option<String> {
    #[expect(
        clippy::disallowed_methods,
        reason = "config owns the process environment"
    )]
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_from_empty_file() {
        let config = Config::parse(Path::new("alembic.toml"), "").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.version_table, "alembic_version");
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Config::parse(
            Path::new("m/alembic.toml"),
            "version_table = \"v\"\nversion_tabel = \"x\"\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("m/alembic.toml:2: unknown field `version_tabel`"),
            "{text}"
        );
        let err =
            Config::parse(Path::new("a.toml"), "\n\ntruncate_slug_length = \"x\"\n").unwrap_err();
        assert!(
            err.to_string().starts_with("a.toml:3: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn interpolation() {
        let lookup = |name: &str| (name == "HOST").then(|| "db.example".to_owned());
        assert_eq!(
            interpolate("postgres://${HOST}/app$$x", "url", lookup).unwrap(),
            "postgres://db.example/app$x"
        );
        assert_eq!(
            interpolate("${NOPE}", "url in alembic.toml", lookup)
                .unwrap_err()
                .to_string(),
            "url in alembic.toml refers to ${NOPE}, which is not set"
        );
        assert_eq!(
            interpolate("x${HOST", "url", lookup)
                .unwrap_err()
                .to_string(),
            "url: unterminated '${' in 'x${HOST'"
        );
    }
}

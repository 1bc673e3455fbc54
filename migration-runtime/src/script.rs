//! The script directory: finding and reading revision files, and writing new ones.
//!
//! Files are read in Alembic's load order: each version location in configuration order,
//! file names sorted within it. That order breaks ties in the graph's step order, exactly as
//! in Python Alembic.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

use crate::revision::{self, Format, ParseError, ParsedFile, RevisionId};

/// The default template for new Rust revisions, used when the environment has none.
pub const DEFAULT_RS_TEMPLATE: &str = include_str!("../templates/script.rs.tmpl");
/// The default template for new SQL revisions, used when the environment has none.
pub const DEFAULT_SQL_TEMPLATE: &str = include_str!("../templates/script.sql.tmpl");

/// A revision directory that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A directory or file could not be read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A revision file is malformed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Two files declare the same revision id.
    #[error("{}:{second_line}: Revision {id} is present more than once (also in {}:{first_line})", second.display(), first.display())]
    Duplicate {
        /// The id.
        id: RevisionId,
        /// The file loaded first.
        first: PathBuf,
        /// Its `Revision ID:` line.
        first_line: usize,
        /// The file loaded second.
        second: PathBuf,
        /// Its `Revision ID:` line.
        second_line: usize,
    },
}

/// Lists the revision files (`.rs` and `.sql`) in `dir`, sorted by name; with `recursive`,
/// subdirectories too (each sorted, after the directory's own files, as Alembic does).
/// Hidden files (a leading `.`) are skipped.
///
/// # Errors
///
/// [`LoadError::Io`] when a directory cannot be read.
pub fn list_files(dir: &Path, recursive: bool) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    list_into(dir, recursive, &mut out)?;
    Ok(out)
}

fn list_into(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(io)?;
        let path = entry.path();
        if file_type.is_dir() {
            if recursive {
                dirs.push(path);
            }
        } else if Format::from_path(&path).is_some() {
            files.push(path);
        }
    }
    files.sort();
    dirs.sort();
    out.extend(files);
    for sub in dirs {
        list_into(&sub, recursive, out)?;
    }
    Ok(())
}

/// Reads and parses every revision file in `locations`, in load order.
///
/// # Errors
///
/// The first unreadable or malformed file, or a revision id declared by two files.
pub fn load(locations: &[PathBuf], recursive: bool) -> Result<Vec<ParsedFile>, LoadError> {
    let mut paths = Vec::new();
    for location in locations {
        list_into(location, recursive, &mut paths)?;
    }
    let parsed = read_all(&paths)?;
    let mut seen: HashMap<&RevisionId, usize> = HashMap::with_capacity(parsed.len());
    for (index, file) in parsed.iter().enumerate() {
        if let Some(&first) = seen.get(&file.revision.id) {
            let first = &parsed[first];
            return Err(LoadError::Duplicate {
                id: file.revision.id.clone(),
                first: path_of(first),
                first_line: first.id_line,
                second: path_of(file),
                second_line: file.id_line,
            });
        }
        seen.insert(&file.revision.id, index);
    }
    Ok(parsed)
}

/// Reads and parses `paths`, keeping their order. Opening thousands of small files is
/// system-call bound, so large sets are split across the available cores.
fn read_all(paths: &[PathBuf]) -> Result<Vec<ParsedFile>, LoadError> {
    const PER_THREAD: usize = 512;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len().div_ceil(PER_THREAD))
        .max(1);
    if threads == 1 {
        return paths.iter().map(|path| read_one(path)).collect();
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|path| read_one(path))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(paths.len());
        for worker in workers {
            match worker.join() {
                Ok(files) => out.extend(files?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(out)
    })
}

fn read_one(path: &Path) -> Result<ParsedFile, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(revision::parse(path, &text)?)
}

fn path_of(file: &ParsedFile) -> PathBuf {
    file.revision.path.clone().unwrap_or_default()
}

/// A new, random 12-character hexadecimal revision id, as Alembic's `uuid4().hex[-12:]`.
pub fn new_revision_id() -> RevisionId {
    // RandomState is seeded from the operating system's randomness on first use in a
    // process and advanced per instance, which is all a 48-bit id needs.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let bits = hasher.finish() & 0xffff_ffff_ffff;
    match RevisionId::new(&format!("{bits:012x}")) {
        Ok(id) => id,
        Err(_) => unreachable!("hex digits are always a valid revision id"),
    }
}

/// The slug Alembic derives from a message: its word characters joined by `_`, lowercased,
/// cut back to the last `_` within `truncate` characters.
pub fn slugify(message: &str, truncate: usize) -> String {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let slug = words.join("_").to_lowercase();
    if slug.chars().count() <= truncate {
        return slug;
    }
    let cut: String = slug.chars().take(truncate).collect();
    let head = cut.rsplit_once('_').map_or(cut.as_str(), |(head, _)| head);
    format!("{head}_")
}

/// A UTC timestamp with microseconds, as the `Create Date:` header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateDate {
    /// Seconds since the Unix epoch.
    pub epoch: i64,
    /// Microseconds within the second.
    pub micros: u32,
}

impl CreateDate {
    /// The current time.
    pub fn now() -> Self {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            epoch: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            micros: since.subsec_micros(),
        }
    }

    /// Year, month, day, hour, minute and second in UTC.
    pub fn civil(self) -> [i64; 6] {
        let days = self.epoch.div_euclid(86_400);
        let secs = self.epoch.rem_euclid(86_400);
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        [year, month, day, secs / 3600, secs % 3600 / 60, secs % 60]
    }
}

impl fmt::Display for CreateDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [y, mo, d, h, mi, s] = self.civil();
        write!(
            f,
            "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:06}+00:00",
            self.micros
        )
    }
}

/// A template that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// `file_template` uses a token Alembic does not define.
    #[error(
        "file_template '{template}': unknown token '%({token})'; known tokens are rev, slug, epoch, year, month, day, hour, minute, second"
    )]
    UnknownToken {
        /// The template.
        template: String,
        /// The token.
        token: String,
    },
    /// `file_template` has a malformed `%(...)` directive.
    #[error(
        "file_template '{template}': malformed directive at '{rest}' (write %(name)s, %(name)d or %(name).2d)"
    )]
    Malformed {
        /// The template.
        template: String,
        /// The text from the bad directive on.
        rest: String,
    },
    /// A script template names a variable that does not exist.
    #[error("{}:{line}: unknown variable '${{{name}}}'; known variables are {known}", path.display())]
    UnknownVariable {
        /// The template file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// The variable.
        name: String,
        /// The variables that exist.
        known: String,
    },
}

/// Renders a `file_template` such as `%(rev)s_%(slug)s` or `%(year)d_%(month).2d_%(rev)s`.
///
/// # Errors
///
/// [`TemplateError`] for an unknown token or a malformed directive.
pub fn render_file_name(
    template: &str,
    rev: &RevisionId,
    slug: &str,
    date: CreateDate,
) -> Result<String, TemplateError> {
    let [year, month, day, hour, minute, second] = date.civil();
    let mut out = String::new();
    let mut rest = template;
    let malformed = |rest: &str| TemplateError::Malformed {
        template: template.to_owned(),
        rest: rest.to_owned(),
    };
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let directive = &rest[pos..];
        if let Some(after) = directive.strip_prefix("%%") {
            out.push('%');
            rest = after;
            continue;
        }
        let inner = directive
            .strip_prefix("%(")
            .ok_or_else(|| malformed(directive))?;
        let close = inner.find(')').ok_or_else(|| malformed(directive))?;
        let token = &inner[..close];
        let after = &inner[close + 1..];
        // Optional ".N" precision, then a conversion letter.
        let (width, after) = match after.strip_prefix('.') {
            Some(digits) => {
                let end = digits
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(digits.len());
                let width: usize = digits[..end].parse().map_err(|_| malformed(directive))?;
                (width, &digits[end..])
            }
            None => (0, after),
        };
        let conversion = after.chars().next().ok_or_else(|| malformed(directive))?;
        if !matches!(conversion, 's' | 'd') {
            return Err(malformed(directive));
        }
        let value = match token {
            "rev" => rev.to_string(),
            "slug" => slug.to_owned(),
            "epoch" => date.epoch.to_string(),
            "year" => year.to_string(),
            "month" => month.to_string(),
            "day" => day.to_string(),
            "hour" => hour.to_string(),
            "minute" => minute.to_string(),
            "second" => second.to_string(),
            _ => {
                return Err(TemplateError::UnknownToken {
                    template: template.to_owned(),
                    token: token.to_owned(),
                });
            }
        };
        if conversion == 'd' && value.len() < width {
            out.extend(std::iter::repeat_n('0', width - value.len()));
        }
        out.push_str(&value);
        rest = &after[1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variables a revision script template may use.
pub const TEMPLATE_VARIABLES: [&str; 8] = [
    "message",
    "up_revision",
    "down_revision",
    "create_date",
    "branch_labels",
    "depends_on",
    "upgrades",
    "downgrades",
];

/// Substitutes `${name}` variables in a script template.
///
/// A value spanning several lines repeats the text that precedes the variable on its line
/// (a comment prefix, an indentation) on each further line, so multi-line messages stay in
/// the header and generated bodies stay indented. A line holding nothing but a variable whose
/// value is empty is dropped.
///
/// # Errors
///
/// [`TemplateError::UnknownVariable`] naming the template file and line.
pub fn render_template(
    template: &str,
    path: &Path,
    vars: &[(&str, &str)],
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 256);
    for (index, line) in template.split_inclusive('\n').enumerate() {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let mut rendered = String::new();
        let mut rest = body;
        let mut only_empty_vars = true;
        let mut any_var = false;
        while let Some(pos) = rest.find("${") {
            let before = &rest[..pos];
            if !before.trim().is_empty() {
                only_empty_vars = false;
            }
            rendered.push_str(before);
            let Some(end) = rest[pos..].find('}') else {
                rendered.push_str(&rest[pos..]);
                rest = "";
                break;
            };
            let name = &rest[pos + 2..pos + end];
            let Some(&(_, value)) = vars.iter().find(|(n, _)| *n == name) else {
                return Err(TemplateError::UnknownVariable {
                    path: path.to_owned(),
                    line: index + 1,
                    name: name.to_owned(),
                    known: TEMPLATE_VARIABLES.join(", "),
                });
            };
            any_var = true;
            if !value.is_empty() {
                only_empty_vars = false;
            }
            let lead = line_lead(&rendered);
            let mut lines = value.split('\n');
            if let Some(first) = lines.next() {
                rendered.push_str(first);
            }
            for more in lines {
                rendered.push('\n');
                if more.is_empty() {
                    rendered.push_str(lead.trim_end());
                } else {
                    rendered.push_str(&lead);
                    rendered.push_str(more);
                }
            }
            rest = &rest[pos + end + 1..];
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

/// The text before the current position on the last line of `rendered`.
fn line_lead(rendered: &str) -> String {
    let start = rendered.rfind('\n').map_or(0, |i| i + 1);
    rendered[start..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_alembic() {
        let msg = "This is a Very long message, with punctuation! and more words here";
        assert_eq!(slugify(msg, 20), "this_is_a_very_long_");
        let msg = "this is a really long name with lots of characters and also an I'm here";
        assert_eq!(slugify(msg, 40), "this_is_a_really_long_name_with_lots_of_");
        assert_eq!(
            slugify(msg, 60),
            "this_is_a_really_long_name_with_lots_of_characters_and_also_"
        );
        assert_eq!(slugify("create account", 40), "create_account");
        assert_eq!(slugify("", 40), "");
    }

    #[test]
    fn create_date_formats_in_utc() {
        let date = CreateDate {
            epoch: 1_795_255_200,
            micros: 42,
        };
        assert_eq!(date.to_string(), "2026-11-21 10:00:00.000042+00:00");
        assert_eq!(
            CreateDate {
                epoch: 0,
                micros: 0
            }
            .to_string(),
            "1970-01-01 00:00:00.000000+00:00"
        );
        assert_eq!(
            CreateDate {
                epoch: 951_782_400,
                micros: 0
            }
            .to_string(),
            "2000-02-29 00:00:00.000000+00:00"
        );
    }

    #[test]
    fn file_names() {
        let rev = RevisionId::new("ae1027a6acf").unwrap();
        let date = CreateDate {
            epoch: 1_795_255_200,
            micros: 0,
        };
        let name = |t: &str| render_file_name(t, &rev, "add_a_column", date);
        assert_eq!(
            name("%(rev)s_%(slug)s").unwrap(),
            "ae1027a6acf_add_a_column"
        );
        assert_eq!(
            name("%(year)d_%(month).2d_%(day).2d_%(hour).2d%(minute).2d-%(rev)s_%(slug)s").unwrap(),
            "2026_11_21_1000-ae1027a6acf_add_a_column"
        );
        assert_eq!(name("%(epoch)s_%%").unwrap(), "1795255200_%");
        assert_eq!(
            name("%(nope)s").unwrap_err().to_string(),
            "file_template '%(nope)s': unknown token '%(nope)'; known tokens are rev, slug, epoch, year, month, day, hour, minute, second"
        );
        assert!(name("%(rev)").is_err());
    }

    #[test]
    fn template_multiline_values_and_empty_lines() {
        let template = "//! ${message}\n//!\n//! Revises: ${down_revision}\npub fn upgrade() {\n    ${upgrades}\n}\n";
        let out = render_template(
            template,
            Path::new("t.tmpl"),
            &[
                ("message", "first\n\nsecond"),
                ("down_revision", ""),
                ("upgrades", ""),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "//! first\n//!\n//! second\n//!\n//! Revises:\npub fn upgrade() {\n}\n"
        );
        let err = render_template("a\n${nope}\n", Path::new("t.tmpl"), &[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.tmpl:2: unknown variable '${nope}'")
        );
    }

    #[test]
    fn revision_ids_are_12_hex() {
        let a = new_revision_id();
        let b = new_revision_id();
        assert_eq!(a.as_str().len(), 12);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn default_templates_render_parseable_revisions() {
        for (template, name) in [
            (DEFAULT_RS_TEMPLATE, "x.rs"),
            (DEFAULT_SQL_TEMPLATE, "x.sql"),
        ] {
            let text = render_template(
                template,
                Path::new(name),
                &[
                    ("message", "create account"),
                    ("up_revision", "1975ea83b712"),
                    ("down_revision", "ae1027a6acf0"),
                    ("create_date", "2026-11-22 10:00:00.000000+00:00"),
                    ("branch_labels", "billing"),
                    ("depends_on", ""),
                    ("upgrades", ""),
                    ("downgrades", ""),
                ],
            )
            .unwrap();
            let parsed = revision::parse(Path::new(name), &text).unwrap();
            assert_eq!(parsed.revision.id.as_str(), "1975ea83b712");
            assert_eq!(parsed.revision.doc(), "create account");
            assert_eq!(parsed.revision.branch_labels, ["billing"]);
            assert!(parsed.revision.depends_on.is_empty());
        }
    }
}

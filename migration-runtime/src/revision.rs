//! Revision identifiers, revision metadata, and the parser for revision file headers.
//!
//! Both revision formats carry the same header, written as comments at the top of the file:
//!
//! ```text
//! //! add account                               -- add account
//! //!                                           --
//! //! Revision ID: 1975ea83b712                 -- Revision ID: 1975ea83b712
//! //! Revises: ae1027a6acf0                     -- Revises: ae1027a6acf0
//! //! Create Date: 2026-11-21 10:00:00+00:00    -- Create Date: 2026-11-21 10:00:00+00:00
//! //! Branch Labels: billing                    -- Branch Labels: billing
//! //! Depends On: 27c6a30d7c24                  -- Depends On: 27c6a30d7c24
//! ```
//!
//! The header is the single source of truth for the graph: unlike Python Alembic, where the
//! docstring is informational and module variables hold the data, a revision here has nothing
//! to disagree with. Parsing reads text only and never compiles anything, so the CLI can load
//! thousands of revisions in milliseconds.

use std::borrow::Borrow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Characters Alembic refuses in a revision identifier, because the target syntax uses them.
const ILLEGAL_ID_CHARS: [char; 4] = ['-', '@', '+', ':'];

/// The longest identifier the version table's `VARCHAR(32)` column holds.
pub const MAX_ID_LEN: usize = 32;

/// A revision identifier, such as `1975ea83b712`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RevisionId(Box<str>);

impl RevisionId {
    /// Checks `id` against the rules Alembic applies to revision identifiers.
    ///
    /// # Errors
    ///
    /// An empty identifier, one longer than 32 characters, or one containing `-`, `@`, `+`,
    /// `:`, a comma, a quote or white space.
    pub fn new(id: &str) -> Result<Self, InvalidId> {
        if id.is_empty() {
            return Err(InvalidId::Empty);
        }
        let mut illegal: Vec<char> = id
            .chars()
            .filter(|c| {
                ILLEGAL_ID_CHARS.contains(c)
                    || c.is_whitespace()
                    || matches!(c, ',' | '\'' | '"' | '\\')
            })
            .collect();
        if !illegal.is_empty() {
            illegal.sort_unstable();
            illegal.dedup();
            let list: Vec<String> = illegal.iter().map(char::to_string).collect();
            return Err(InvalidId::Characters {
                id: id.to_owned(),
                chars: list.join(", "),
            });
        }
        if id.chars().count() > MAX_ID_LEN {
            return Err(InvalidId::TooLong { id: id.to_owned() });
        }
        Ok(Self(id.into()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Borrow<str> for RevisionId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for RevisionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a string is not a valid revision identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidId {
    /// The identifier is empty.
    #[error("revision identifier is empty")]
    Empty,
    /// The identifier holds characters the target syntax reserves.
    #[error("Character(s) '{chars}' not allowed in revision identifier '{id}'")]
    Characters {
        /// The identifier as written.
        id: String,
        /// The offending characters, sorted and comma-joined as Alembic prints them.
        chars: String,
    },
    /// The identifier does not fit the version table's `VARCHAR(32)` column.
    #[error("revision identifier '{id}' is longer than {MAX_ID_LEN} characters")]
    TooLong {
        /// The identifier as written.
        id: String,
    },
}

/// The two revision file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// A Rust file with `pub fn upgrade(op: &mut Op)` and `pub fn downgrade(op: &mut Op)`.
    Rust,
    /// A SQL file with `-- migrate:upgrade` and `-- migrate:downgrade` sections.
    Sql,
}

impl Format {
    /// The format a file name's extension denotes, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "rs" => Some(Self::Rust),
            "sql" => Some(Self::Sql),
            _ => None,
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Rust => "rs",
            Self::Sql => "sql",
        }
    }

    /// The comment prefix the header lines carry.
    pub fn comment_prefix(self) -> &'static str {
        match self {
            Self::Rust => "//!",
            Self::Sql => "--",
        }
    }
}

/// One revision: its place in the graph and what the CLI shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// This revision's identifier.
    pub id: RevisionId,
    /// The revisions this one follows: none for a root, several for a merge.
    pub down_revisions: Vec<RevisionId>,
    /// Branch labels declared on this revision.
    pub branch_labels: Vec<String>,
    /// Revisions (ids, partial ids or branch labels) this one depends on without merging.
    pub depends_on: Vec<String>,
    /// The whole header text, comment prefixes removed, as `show` prints it.
    pub longdoc: String,
    /// The `Create Date:` field, as written.
    pub create_date: Option<String>,
    /// The file this revision was read from, when it came from a file.
    pub path: Option<PathBuf>,
    /// The file format.
    pub format: Format,
}

impl Revision {
    /// The first paragraph of the header: what `history` and the log lines show.
    pub fn doc(&self) -> &str {
        first_paragraph(&self.longdoc)
    }

    /// Whether this revision has no down revision.
    pub fn is_root(&self) -> bool {
        self.down_revisions.is_empty()
    }
}

fn first_paragraph(longdoc: &str) -> &str {
    let end = longdoc.find("\n\n").unwrap_or(longdoc.len());
    longdoc[..end].trim_end()
}

/// The two sections of a SQL revision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqlSections {
    /// The SQL after `-- migrate:upgrade`.
    pub upgrade: String,
    /// The 1-based line the upgrade section's SQL starts on.
    pub upgrade_line: usize,
    /// The SQL after `-- migrate:downgrade`; empty when the section is absent.
    pub downgrade: String,
    /// The 1-based line the downgrade section's SQL starts on (0 when absent).
    pub downgrade_line: usize,
}

/// A parsed revision file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The header.
    pub revision: Revision,
    /// For SQL revisions, the upgrade and downgrade sections.
    pub sql: Option<SqlSections>,
    /// The 1-based line of the `Revision ID:` field.
    pub id_line: usize,
}

/// A revision file that could not be read as a revision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {kind}", path.display())]
#[non_exhaustive]
pub struct ParseError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong with a revision file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The header has no `Revision ID:` line.
    #[error(
        "missing 'Revision ID:' in the header (the header is the comment block at the top of the file, lines starting with '{prefix}')"
    )]
    MissingId {
        /// The comment prefix for the file's format.
        prefix: &'static str,
    },
    /// The header has no `Revises:` line.
    #[error("missing 'Revises:' in the header (leave it empty for a base revision)")]
    MissingRevises,
    /// A header field appears twice.
    #[error("'{field}:' appears twice in the header")]
    DuplicateField {
        /// The field name.
        field: &'static str,
    },
    /// An identifier in a header field is malformed.
    #[error("{field}: {source}")]
    BadId {
        /// The field name.
        field: &'static str,
        /// Why the identifier is malformed.
        source: InvalidId,
    },
    /// A list field has an empty element, such as `a,,b`.
    #[error(
        "{field}: empty entry in '{value}' (write entries comma-separated, such as 'a1b2c3d4e5f6, 0f9e8d7c6b5a')"
    )]
    EmptyEntry {
        /// The field name.
        field: &'static str,
        /// The field's value as written.
        value: String,
    },
    /// A branch label is malformed.
    #[error("Branch Labels: '{label}' is not a valid branch label (no '@', ':' or white space)")]
    BadLabel {
        /// The label as written.
        label: String,
    },
    /// The same revision is listed twice in one field.
    #[error("{field}: '{id}' is listed twice")]
    RepeatedEntry {
        /// The field name.
        field: &'static str,
        /// The repeated entry.
        id: String,
    },
    /// A SQL revision without an upgrade section.
    #[error("missing '-- migrate:upgrade' section")]
    MissingUpgradeSection,
    /// A SQL section marker appears twice.
    #[error("'-- migrate:{section}' appears twice")]
    DuplicateSection {
        /// `upgrade` or `downgrade`.
        section: &'static str,
    },
    /// The downgrade section comes before the upgrade section.
    #[error("'-- migrate:downgrade' must come after '-- migrate:upgrade'")]
    SectionOrder,
    /// SQL text before the upgrade section.
    #[error(
        "SQL before '-- migrate:upgrade'; statements belong in the upgrade or downgrade section"
    )]
    StrayStatement,
    /// The file is neither `.rs` nor `.sql`.
    #[error("not a revision file (expected a .rs or .sql extension)")]
    UnknownFormat,
}

const FIELD_ID: &str = "Revision ID";
const FIELD_REVISES: &str = "Revises";
const FIELD_DATE: &str = "Create Date";
const FIELD_LABELS: &str = "Branch Labels";
const FIELD_DEPENDS: &str = "Depends On";

/// Parses a revision file's text. The format follows the file's extension.
///
/// # Errors
///
/// A [`ParseError`] naming the file and line when the header or the SQL sections are
/// malformed.
pub fn parse(path: &Path, text: &str) -> Result<ParsedFile, ParseError> {
    let format = Format::from_path(path).ok_or_else(|| ParseError {
        path: path.to_owned(),
        line: 1,
        kind: ParseErrorKind::UnknownFormat,
    })?;
    parse_as(path, text, format)
}

/// Parses a revision file's text in the given format.
///
/// # Errors
///
/// As [`parse`].
pub fn parse_as(path: &Path, text: &str, format: Format) -> Result<ParsedFile, ParseError> {
    let err = |line: usize, kind: ParseErrorKind| ParseError {
        path: path.to_owned(),
        line,
        kind,
    };
    let prefix = format.comment_prefix();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut longdoc = String::new();
    let mut id: Option<RevisionId> = None;
    let mut id_line = 0;
    let mut down: Option<Vec<RevisionId>> = None;
    let mut labels: Option<Vec<String>> = None;
    let mut depends: Option<Vec<String>> = None;
    let mut date: Option<String> = None;
    let mut header_end_line = 1;
    let mut body_start = text.len();

    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let lineno = index + 1;
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(content) = header_line(line, format, prefix) else {
            if line.trim().is_empty() && id.is_none() && longdoc.is_empty() {
                // Blank lines before the header are allowed.
                offset += raw.len();
                continue;
            }
            body_start = offset;
            header_end_line = lineno;
            break;
        };
        offset += raw.len();
        header_end_line = lineno + 1;
        longdoc.push_str(content);
        longdoc.push('\n');

        let Some((key, value)) = content.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim_end() {
            FIELD_ID => {
                if id.is_some() {
                    return Err(err(
                        lineno,
                        ParseErrorKind::DuplicateField { field: FIELD_ID },
                    ));
                }
                let parsed = RevisionId::new(value).map_err(|source| {
                    err(
                        lineno,
                        ParseErrorKind::BadId {
                            field: FIELD_ID,
                            source,
                        },
                    )
                })?;
                id = Some(parsed);
                id_line = lineno;
            }
            FIELD_REVISES => {
                if down.is_some() {
                    return Err(err(
                        lineno,
                        ParseErrorKind::DuplicateField {
                            field: FIELD_REVISES,
                        },
                    ));
                }
                let items = split_list(value, FIELD_REVISES).map_err(|kind| err(lineno, kind))?;
                let ids = items
                    .into_iter()
                    .map(|item| {
                        RevisionId::new(item).map_err(|source| {
                            err(
                                lineno,
                                ParseErrorKind::BadId {
                                    field: FIELD_REVISES,
                                    source,
                                },
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                down = Some(ids);
            }
            FIELD_DATE => {
                if date.is_some() {
                    return Err(err(
                        lineno,
                        ParseErrorKind::DuplicateField { field: FIELD_DATE },
                    ));
                }
                date = Some(value.to_owned());
            }
            FIELD_LABELS => {
                if labels.is_some() {
                    return Err(err(
                        lineno,
                        ParseErrorKind::DuplicateField {
                            field: FIELD_LABELS,
                        },
                    ));
                }
                let items = split_list(value, FIELD_LABELS).map_err(|kind| err(lineno, kind))?;
                for label in &items {
                    if label.contains(['@', ':']) || label.chars().any(char::is_whitespace) {
                        return Err(err(
                            lineno,
                            ParseErrorKind::BadLabel {
                                label: (*label).to_owned(),
                            },
                        ));
                    }
                }
                labels = Some(items.into_iter().map(str::to_owned).collect());
            }
            FIELD_DEPENDS => {
                if depends.is_some() {
                    return Err(err(
                        lineno,
                        ParseErrorKind::DuplicateField {
                            field: FIELD_DEPENDS,
                        },
                    ));
                }
                let items = split_list(value, FIELD_DEPENDS).map_err(|kind| err(lineno, kind))?;
                depends = Some(items.into_iter().map(str::to_owned).collect());
            }
            _ => {}
        }
    }
    if body_start == text.len() {
        header_end_line = text.lines().count() + 1;
    }

    let Some(id) = id else {
        return Err(err(
            header_end_line.max(1),
            ParseErrorKind::MissingId { prefix },
        ));
    };
    let Some(down_revisions) = down else {
        return Err(err(header_end_line.max(1), ParseErrorKind::MissingRevises));
    };

    let sql = match format {
        Format::Sql => Some(
            parse_sections(&text[body_start..], header_end_line)
                .map_err(|(line, kind)| err(line, kind))?,
        ),
        Format::Rust => None,
    };

    // Trailing blank lines of the header are not part of the doc.
    let longdoc = longdoc.trim_end().to_owned();
    Ok(ParsedFile {
        revision: Revision {
            id,
            down_revisions,
            branch_labels: labels.unwrap_or_default(),
            depends_on: depends.unwrap_or_default(),
            longdoc,
            create_date: date,
            path: Some(path.to_owned()),
            format,
        },
        sql,
        id_line,
    })
}

/// The text of a header line without its comment prefix, or `None` when the line is not part
/// of the header.
fn header_line<'a>(line: &'a str, format: Format, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    if format == Format::Sql && is_section_marker(line).is_some() {
        return None;
    }
    // One space after the prefix is decoration; further indentation is content.
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn split_list<'a>(value: &'a str, field: &'static str) -> Result<Vec<&'a str>, ParseErrorKind> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut items: Vec<&str> = Vec::new();
    for item in value.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(ParseErrorKind::EmptyEntry {
                field,
                value: value.to_owned(),
            });
        }
        if items.contains(&item) {
            return Err(ParseErrorKind::RepeatedEntry {
                field,
                id: item.to_owned(),
            });
        }
        items.push(item);
    }
    Ok(items)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Upgrade,
    Downgrade,
}

fn is_section_marker(line: &str) -> Option<Section> {
    let rest = line.trim().strip_prefix("--")?.trim();
    match rest {
        "migrate:upgrade" => Some(Section::Upgrade),
        "migrate:downgrade" => Some(Section::Downgrade),
        _ => None,
    }
}

fn parse_sections(body: &str, first_line: usize) -> Result<SqlSections, (usize, ParseErrorKind)> {
    let mut sections = SqlSections::default();
    let mut current: Option<Section> = None;
    let mut seen_up = false;
    let mut seen_down = false;
    for (index, raw) in body.split_inclusive('\n').enumerate() {
        let lineno = first_line + index;
        match is_section_marker(raw) {
            Some(Section::Upgrade) => {
                if seen_up {
                    return Err((
                        lineno,
                        ParseErrorKind::DuplicateSection { section: "upgrade" },
                    ));
                }
                if seen_down {
                    return Err((lineno, ParseErrorKind::SectionOrder));
                }
                seen_up = true;
                current = Some(Section::Upgrade);
                sections.upgrade_line = lineno + 1;
            }
            Some(Section::Downgrade) => {
                if seen_down {
                    return Err((
                        lineno,
                        ParseErrorKind::DuplicateSection {
                            section: "downgrade",
                        },
                    ));
                }
                if !seen_up {
                    return Err((lineno, ParseErrorKind::SectionOrder));
                }
                seen_down = true;
                current = Some(Section::Downgrade);
                sections.downgrade_line = lineno + 1;
            }
            None => match current {
                Some(Section::Upgrade) => sections.upgrade.push_str(raw),
                Some(Section::Downgrade) => sections.downgrade.push_str(raw),
                None => {
                    let trimmed = raw.trim();
                    if !trimmed.is_empty() && !trimmed.starts_with("--") {
                        return Err((lineno, ParseErrorKind::StrayStatement));
                    }
                }
            },
        }
    }
    if !seen_up {
        return Err((first_line, ParseErrorKind::MissingUpgradeSection));
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(name: &str, text: &str) -> Result<ParsedFile, String> {
        parse(Path::new(name), text).map_err(|e| e.to_string())
    }

    #[test]
    fn rust_header() {
        let text = "//! add account\n//!\n//! Revision ID: 1975ea83b712\n//! Revises: ae1027a6acf0, 27c6a30d7c24\n//! Create Date: 2026-11-21 10:00:00.000000+00:00\n//! Branch Labels: billing\n//! Depends On: lib1\n\nuse migration_runtime::Op;\n";
        let parsed = parse_str("v/1975ea83b712_add_account.rs", text).unwrap();
        let rev = parsed.revision;
        assert_eq!(rev.id.as_str(), "1975ea83b712");
        assert_eq!(
            rev.down_revisions
                .iter()
                .map(RevisionId::as_str)
                .collect::<Vec<_>>(),
            ["ae1027a6acf0", "27c6a30d7c24"]
        );
        assert_eq!(rev.branch_labels, ["billing"]);
        assert_eq!(rev.depends_on, ["lib1"]);
        assert_eq!(rev.doc(), "add account");
        assert_eq!(
            rev.create_date.as_deref(),
            Some("2026-11-21 10:00:00.000000+00:00")
        );
        assert_eq!(
            rev.longdoc,
            "add account\n\nRevision ID: 1975ea83b712\nRevises: ae1027a6acf0, 27c6a30d7c24\nCreate Date: 2026-11-21 10:00:00.000000+00:00\nBranch Labels: billing\nDepends On: lib1"
        );
        assert!(parsed.sql.is_none());
    }

    #[test]
    fn sql_sections_with_dollar_quotes() {
        let text = "-- add account\n--\n-- Revision ID: 1975ea83b712\n-- Revises: \n-- Create Date: 2026-11-21\n\n-- migrate:upgrade\nCREATE TABLE account (id serial PRIMARY KEY);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n-- migrate:downgrade\nDROP TABLE account;\n";
        let parsed = parse_str("1975ea83b712_add_account.sql", text).unwrap();
        assert!(parsed.revision.is_root());
        let sql = parsed.sql.unwrap();
        assert_eq!(
            sql.upgrade,
            "CREATE TABLE account (id serial PRIMARY KEY);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n"
        );
        assert_eq!(sql.upgrade_line, 8);
        assert_eq!(sql.downgrade, "DROP TABLE account;\n");
        assert_eq!(sql.downgrade_line, 12);
    }

    #[track_caller]
    fn check_err(name: &str, text: &str, expect: &str) {
        assert_eq!(parse_str(name, text).unwrap_err(), expect);
    }

    #[test]
    fn header_errors_name_file_and_line() {
        check_err(
            "v/a.rs",
            "//! msg\n//!\n//! Revises:\n\npub fn upgrade() {}\n",
            "v/a.rs:4: missing 'Revision ID:' in the header (the header is the comment block at the top of the file, lines starting with '//!')",
        );
        check_err(
            "v/a.rs",
            "//! msg\n//! Revision ID: ab-cd\n//! Revises:\n",
            "v/a.rs:2: Revision ID: Character(s) '-' not allowed in revision identifier 'ab-cd'",
        );
        check_err(
            "v/a.rs",
            "//! msg\n//! Revision ID: abcd\n//! Revises: no@atsigns-ordashes\n",
            "v/a.rs:3: Revises: Character(s) '-, @' not allowed in revision identifier 'no@atsigns-ordashes'",
        );
        check_err(
            "v/a.rs",
            "//! msg\n//! Revision ID: abcd\n//! Revises: a1,,b2\n",
            "v/a.rs:3: Revises: empty entry in 'a1,,b2' (write entries comma-separated, such as 'a1b2c3d4e5f6, 0f9e8d7c6b5a')",
        );
        check_err(
            "v/a.rs",
            "//! msg\n//! Revision ID: abcd\n",
            "v/a.rs:3: missing 'Revises:' in the header (leave it empty for a base revision)",
        );
        check_err(
            "v/a.rs",
            "//! Revision ID: abcd\n//! Revision ID: abce\n//! Revises:\n",
            "v/a.rs:2: 'Revision ID:' appears twice in the header",
        );
        check_err(
            "v/a.rs",
            "//! Revision ID: 0123456789abcdef0123456789abcdef0\n//! Revises:\n",
            "v/a.rs:1: Revision ID: revision identifier '0123456789abcdef0123456789abcdef0' is longer than 32 characters",
        );
        check_err(
            "v/a.sql",
            "-- Revision ID: abcd\n-- Revises:\n\nCREATE TABLE t ();\n",
            "v/a.sql:4: SQL before '-- migrate:upgrade'; statements belong in the upgrade or downgrade section",
        );
        check_err(
            "v/a.sql",
            "-- Revision ID: abcd\n-- Revises:\n\n-- nothing here\n",
            "v/a.sql:3: missing '-- migrate:upgrade' section",
        );
        check_err(
            "v/a.sql",
            "-- Revision ID: abcd\n-- Revises:\n-- migrate:downgrade\n-- migrate:upgrade\n",
            "v/a.sql:3: '-- migrate:downgrade' must come after '-- migrate:upgrade'",
        );
        check_err(
            "v/a.rs",
            "//! Revision ID: abcd\n//! Revises:\n//! Branch Labels: a b\n",
            "v/a.rs:3: Branch Labels: 'a b' is not a valid branch label (no '@', ':' or white space)",
        );
    }

    #[test]
    fn multi_paragraph_doc() {
        let text = "//! first line\n//! continues\n//!\n//! more detail\n//!\n//! Revision ID: abcd\n//! Revises:\n";
        let rev = parse_str("a.rs", text).unwrap().revision;
        assert_eq!(rev.doc(), "first line\ncontinues");
    }
}

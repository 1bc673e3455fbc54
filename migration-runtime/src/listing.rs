//! The text of `heads`, `branches`, `history`, `show` and `current`, in Alembic's shapes.
//!
//! Users and scripts grep these lines, so they follow Python Alembic's `Script._head_only`
//! and `Script.log_entry` to the character. Where Alembic's order comes from a Python set
//! (`Branches into`, branch labels), this module sorts.

use std::fmt::Write as _;

use crate::graph::{GraphError, RevisionMap};
use crate::revision::{Revision, RevisionId};

/// How one line of a listing is built.
#[derive(Debug, Clone, Copy, Default)]
struct LineStyle {
    branches: bool,
    doc: bool,
    parents: bool,
    tree_indicators: bool,
}

/// Formats revisions of one graph, optionally marking the database's current revisions.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    map: &'a RevisionMap,
    current: &'a [RevisionId],
}

impl<'a> Listing<'a> {
    /// A listing of `map` with no current revisions marked.
    pub fn new(map: &'a RevisionMap) -> Self {
        Self { map, current: &[] }
    }

    /// Marks `current` with `(current)`, as `history -i` does.
    pub fn with_current(mut self, current: &'a [RevisionId]) -> Self {
        self.current = current;
        self
    }

    /// `heads`: one line per head, or verbose entries.
    pub fn heads(&self, verbose: bool, resolve_dependencies: bool) -> Vec<String> {
        let heads = if resolve_dependencies {
            self.map.real_heads()
        } else {
            self.map.heads()
        };
        let style = LineStyle {
            branches: true,
            ..LineStyle::default()
        };
        heads
            .into_iter()
            .filter_map(|id| self.map.get(id.as_str()))
            .map(|rev| self.format(rev, verbose, style))
            .collect()
    }

    /// `branches`: each branch point followed by its children, indented.
    ///
    /// # Errors
    ///
    /// None in practice: the whole graph is walked.
    pub fn branches(&self, verbose: bool) -> Result<Vec<String>, GraphError> {
        let mut out = Vec::new();
        for rev in self.map.history(None, &[])? {
            if !self.map.is_branch_point(rev.id.as_str()) {
                continue;
            }
            let mut text = self.format(
                rev,
                verbose,
                LineStyle {
                    branches: true,
                    tree_indicators: true,
                    ..LineStyle::default()
                },
            );
            text.push('\n');
            let indent = " ".repeat(rev.id.as_str().chars().count());
            let children: Vec<String> = self
                .map
                .children(rev.id.as_str())
                .into_iter()
                .filter_map(|child| self.map.get(child.as_str()))
                .map(|child| {
                    let line = self.format(
                        child,
                        false,
                        LineStyle {
                            branches: true,
                            doc: verbose,
                            tree_indicators: true,
                            ..LineStyle::default()
                        },
                    );
                    format!("{indent} -> {line}")
                })
                .collect();
            text.push_str(&children.join("\n"));
            text.push('\n');
            out.push(text);
        }
        Ok(out)
    }

    /// `history -r range`: newest first.
    ///
    /// # Errors
    ///
    /// A range that does not resolve or whose ends are not ancestor and descendant.
    pub fn history(&self, range: Option<&str>, verbose: bool) -> Result<Vec<String>, GraphError> {
        let style = LineStyle {
            branches: true,
            doc: true,
            parents: true,
            tree_indicators: true,
        };
        Ok(self
            .map
            .history(range, self.current)?
            .into_iter()
            .map(|rev| self.format(rev, verbose, style))
            .collect())
    }

    /// `show target`: the verbose entry of each revision the target names.
    ///
    /// # Errors
    ///
    /// A target that does not resolve, worded as Alembic's commands word it.
    pub fn show(&self, target: &str) -> Result<Vec<String>, GraphError> {
        Ok(self
            .map
            .resolve(target)
            .map_err(GraphError::into_command)?
            .into_iter()
            .filter_map(|id| self.map.get(id.as_str()))
            .map(|rev| self.log_entry(rev))
            .collect())
    }

    /// `current`: the database's heads, expanded with the revisions their dependencies imply.
    ///
    /// # Errors
    ///
    /// A stored id the graph does not hold.
    pub fn current(&self, stored: &[RevisionId], verbose: bool) -> Result<Vec<String>, GraphError> {
        Ok(self
            .map
            .expand_heads(stored)?
            .iter()
            .filter_map(|id| self.map.get(id.as_str()))
            .map(|rev| {
                self.format(
                    rev,
                    verbose,
                    LineStyle {
                        tree_indicators: true,
                        ..LineStyle::default()
                    },
                )
            })
            .collect())
    }

    fn format(&self, rev: &Revision, verbose: bool, style: LineStyle) -> String {
        if verbose {
            self.log_entry(rev)
        } else {
            self.head_only(rev, style)
        }
    }

    fn is_current(&self, rev: &Revision) -> bool {
        self.current.contains(&rev.id)
    }

    /// Alembic's `Script._head_only`.
    fn head_only(&self, rev: &Revision, style: LineStyle) -> String {
        let id = rev.id.as_str();
        let mut text = String::new();
        if style.parents {
            text.push_str(&format_down_revision(rev));
            if !rev.depends_on.is_empty() {
                let _ = write!(text, " ({})", rev.depends_on.join(", "));
            }
            text.push_str(" -> ");
        }
        text.push_str(id);
        if style.branches {
            let labels = self.map.branch_labels(id);
            if !labels.is_empty() {
                let _ = write!(text, " ({})", labels.join(", "));
            }
        }
        if self.map.is_real_head(id) {
            text.push_str(" (head)");
        } else if self.map.is_head(id) {
            text.push_str(" (effective head)");
        }
        if self.is_current(rev) {
            text.push_str(" (current)");
        }
        if style.tree_indicators {
            if self.map.is_branch_point(id) {
                text.push_str(" (branchpoint)");
            }
            if self.map.is_merge_point(id) {
                text.push_str(" (mergepoint)");
            }
        }
        if style.doc {
            let _ = write!(text, ", {}", rev.doc());
        }
        text
    }

    /// Alembic's `Script.log_entry`.
    pub fn log_entry(&self, rev: &Revision) -> String {
        let id = rev.id.as_str();
        let mut entry = String::new();
        let _ = write!(entry, "Rev: {id}");
        if self.map.is_head(id) {
            entry.push_str(" (head)");
        }
        if self.map.is_branch_point(id) {
            entry.push_str(" (branchpoint)");
        }
        if self.map.is_merge_point(id) {
            entry.push_str(" (mergepoint)");
        }
        if self.is_current(rev) {
            entry.push_str(" (current)");
        }
        entry.push('\n');
        if self.map.is_merge_point(id) {
            let _ = writeln!(entry, "Merges: {}", format_down_revision(rev));
        } else {
            let _ = writeln!(entry, "Parent: {}", format_down_revision(rev));
        }
        if !rev.depends_on.is_empty() {
            let _ = writeln!(entry, "Also depends on: {}", rev.depends_on.join(", "));
        }
        if self.map.is_branch_point(id) {
            let children: Vec<&str> = self
                .map
                .children(id)
                .into_iter()
                .map(RevisionId::as_str)
                .collect();
            let _ = writeln!(entry, "Branches into: {}", children.join(", "));
        }
        let labels = self.map.branch_labels(id);
        if !labels.is_empty() {
            let _ = writeln!(entry, "Branch names: {}", labels.join(", "));
        }
        let path = rev
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let _ = writeln!(entry, "Path: {path}");
        entry.push('\n');
        let body: Vec<String> = rev
            .longdoc
            .lines()
            .map(|line| format!("    {line}"))
            .collect();
        entry.push_str(&body.join("\n"));
        entry.push('\n');
        entry
    }
}

fn format_down_revision(rev: &Revision) -> String {
    if rev.down_revisions.is_empty() {
        "<base>".to_owned()
    } else {
        rev.down_revisions
            .iter()
            .map(RevisionId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

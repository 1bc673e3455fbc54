//! The errors of the revision graph, worded as Alembic words them.

use std::fmt;

use super::steps::{Direction, RowOp};

/// Which kind of loop [`GraphError::Cycle`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CycleKind {
    /// Down revisions form a cycle.
    Cycle,
    /// Down revisions and dependencies together form a cycle.
    DependencyCycle,
    /// A revision names itself as a down revision.
    SelfLoop,
    /// A revision names itself as a dependency.
    DependencySelfLoop,
}

impl fmt::Display for CycleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cycle => "Cycle",
            Self::DependencyCycle => "Dependency cycle",
            Self::SelfLoop => "Self-loop",
            Self::DependencySelfLoop => "Dependency self-loop",
        })
    }
}

/// Why a revision graph could not be built, a target not resolved, or a step not applied.
///
/// The `Display` text is Alembic's exact message. Errors come in two layers, as in Alembic:
/// [`RevisionMap::resolve`](super::RevisionMap::resolve) and
/// [`RevisionMap::iterate_revisions`](super::RevisionMap::iterate_revisions) return the
/// `RevisionMap` level texts (`No such revision or branch 'x'`), while the command-level
/// functions (`upgrade_steps`, `downgrade_steps`, `stamp_steps`, `history`) return them as
/// Alembic's commands print them (`Can't locate revision identified by 'x'`).
/// [`GraphError::into_command`] performs that translation for other callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Two revisions share an identifier.
    #[error("Revision {id} is present more than once")]
    DuplicateRevision {
        /// The identifier.
        id: String,
    },
    /// A down revision or dependency names a revision that does not exist.
    #[error("Revision {missing} referenced from {referenced_from} is not present")]
    MissingRevision {
        /// The identifier (or label) that was not found.
        missing: String,
        /// The revision that names it.
        referenced_from: String,
    },
    /// A branch label is declared twice, or equals a revision identifier.
    #[error("Branch name '{label}' in revision {revision} already used by revision {used_by}")]
    DuplicateBranchLabel {
        /// The label.
        label: String,
        /// The revision declaring it the second time.
        revision: String,
        /// The revision that already holds the name.
        used_by: String,
    },
    /// The graph has a loop.
    #[error("{kind} is detected in revisions ({})", .revisions.join(", "))]
    Cycle {
        /// What kind of loop.
        kind: CycleKind,
        /// The revisions involved.
        revisions: Vec<String>,
    },
    /// `head` (or `label@head`) names more than one revision (`RevisionMap` level).
    #[error("Multiple heads are present for given argument '{argument}'; {}", .heads.join(", "))]
    MultipleHeads {
        /// The heads it could mean.
        heads: Vec<String>,
        /// The argument as given.
        argument: String,
    },
    /// An identifier, prefix or branch label did not resolve (`RevisionMap` level).
    #[error("{message}")]
    Resolution {
        /// Alembic's message, e.g. `No such revision or branch 'x'`.
        message: String,
        /// The part of the target that failed to resolve.
        argument: String,
    },
    /// A range's lower end is not below its upper end (`RevisionMap` level).
    #[error("Revision {lower} is not an ancestor of revision {upper}")]
    RangeNotAncestor {
        /// The lower end.
        lower: String,
        /// The upper end.
        upper: String,
    },
    /// Any other `RevisionError`: relative moves, ambiguous walks, overlapping targets.
    #[error("{0}")]
    Revision(String),
    /// `head` names more than one revision (command level).
    #[error(
        "Multiple head revisions are present for given argument '{argument}'; please specify a \
         specific target revision, '<branchname>@{argument}' to narrow to a specific head, or \
         'heads' for all heads"
    )]
    AmbiguousHead {
        /// The argument as given.
        argument: String,
    },
    /// `stamp` with a target naming several heads.
    #[error("Multiple heads are present; please specify a single target revision")]
    StampMultipleHeads,
    /// A target did not resolve (command level).
    #[error("Can't locate revision identified by '{argument}'")]
    CantLocate {
        /// The part of the target that failed to resolve.
        argument: String,
    },
    /// A `history` range whose ends are not ancestor and descendant.
    #[error(
        "Requested range {start}:{end} does not refer to ancestor/descendant revisions along \
         the same branch"
    )]
    InvalidRange {
        /// The range start as given.
        start: String,
        /// The range end as given.
        end: String,
    },
    /// An upgrade or downgrade target that is not above (below) the current heads.
    #[error("Destination {destination} is not a valid {direction} target from current head(s)")]
    InvalidDestination {
        /// Upgrade or downgrade.
        direction: Direction,
        /// The target as given.
        destination: String,
    },
    /// A `history -r` argument without a colon.
    #[error("History range requires [start]:[end], [start]:, or :[end]")]
    HistoryRange,
    /// A bare relative downgrade (`-1`) with several current heads. Alembic only warns and
    /// takes the first head; cargo-alembic refuses.
    #[error(
        "downgrade {relative} from multiple heads is ambiguous; current heads are {}; use \
         '<branchname>@{relative}' or '<rev>@{relative}' to choose the branch",
        .heads.join(", ")
    )]
    AmbiguousRelativeDowngrade {
        /// The relative target as given, e.g. `-1`.
        relative: String,
        /// The current heads.
        heads: Vec<String>,
    },
    /// A version-table statement matched a number of rows other than one.
    #[error(
        "Online migration expected to match one row when {} in '{table}'; {found} found",
        row_action(.op)
    )]
    RowCount {
        /// The statement.
        op: RowOp,
        /// The version table's name.
        table: String,
        /// How many rows it matched.
        found: u64,
    },
    /// A step does not fit the heads it is applied to (Alembic fails an assertion here).
    #[error("{0}")]
    InconsistentHeads(String),
}

fn row_action(op: &RowOp) -> String {
    match op {
        RowOp::Insert(id) => format!("inserting '{id}'"),
        RowOp::Update { from, to } => format!("updating '{from}' to '{to}'"),
        RowOp::Delete(id) => format!("deleting '{id}'"),
    }
}

impl GraphError {
    /// Rewords a `RevisionMap`-level error the way Alembic's commands report it
    /// (`ScriptDirectory._catch_revision_errors` without custom templates): unresolved targets
    /// become `Can't locate revision identified by 'x'`, `MultipleHeads` the long
    /// `Multiple head revisions are present …` text. Other errors are returned unchanged.
    pub fn into_command(self) -> GraphError {
        Context::default().translate(self)
    }
}

/// The templates of one `_catch_revision_errors` call site.
#[derive(Default)]
pub(super) struct Context {
    /// `ancestor=` "Destination %(end)s is not a valid … target": the direction.
    pub(super) destination: Option<Direction>,
    /// `start=`.
    pub(super) start: Option<String>,
    /// `end=`.
    pub(super) end: Option<String>,
    /// `_stamp_revs`' `multiple_heads=` text.
    pub(super) stamp: bool,
}

impl Context {
    pub(super) fn translate(&self, err: GraphError) -> GraphError {
        match err {
            GraphError::RangeNotAncestor { lower, upper } => {
                let start = self.start.clone().unwrap_or(lower);
                let end = self.end.clone().unwrap_or(upper);
                match self.destination {
                    Some(direction) => GraphError::InvalidDestination {
                        direction,
                        destination: end,
                    },
                    None => GraphError::InvalidRange { start, end },
                }
            }
            GraphError::MultipleHeads { argument, .. } => {
                if self.stamp {
                    GraphError::StampMultipleHeads
                } else {
                    let argument = match &self.end {
                        Some(end) if !end.is_empty() => end.clone(),
                        _ => argument,
                    };
                    GraphError::AmbiguousHead { argument }
                }
            }
            GraphError::Resolution { argument, .. } => GraphError::CantLocate { argument },
            other => other,
        }
    }
}

impl GraphError {
    /// The revision a load-time error is about, so callers can point at its file: the
    /// duplicate, the revision naming a missing one, the second declarer of a label, or the
    /// first revision (by identifier) of a cycle.
    pub fn revision(&self) -> Option<&str> {
        match self {
            GraphError::DuplicateRevision { id } => Some(id),
            GraphError::MissingRevision {
                referenced_from, ..
            } => Some(referenced_from),
            GraphError::DuplicateBranchLabel { revision, .. } => Some(revision),
            GraphError::Cycle { revisions, .. } => revisions.first().map(String::as_str),
            _ => None,
        }
    }
}

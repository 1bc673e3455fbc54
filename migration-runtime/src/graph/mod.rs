//! The revision graph: a port of Alembic's `RevisionMap` and its step planning.
//!
//! This module is pure: it reads no files and talks to no database. It ports
//!
//! * `alembic/script/revision.py`: heads, bases, branch points, branch labels, dependencies
//!   (`depends_on`), target resolution (`head`, `heads`, `base`, identifiers, unique
//!   prefixes, `label@head`, `label@rev`, relative targets such as `+2`, `label@-1`,
//!   `rev-1`, `base+2`), `iterate_revisions` with Alembic's `_topological_sort` and `_walk`;
//! * the step planning of `alembic/script/base.py` (`_upgrade_revs`, `_downgrade_revs`,
//!   `_stamp_revs`, `walk_revisions` for `history`);
//! * the version-table row rules of `HeadMaintainer`, `RevisionStep` and `StampStep` in
//!   `alembic/runtime/migration.py` ([`Heads::apply`]).
//!
//! Step order is Alembic's: it depends on the load order of the revisions (the order given
//! to [`RevisionMap::new`], i.e. files sorted by name) and on the `_topological_sort` walk,
//! which follows each branch down until another pending branch still needs the next
//! revision. Between independent branches the one loaded *second* runs first on upgrade.
//!
//! # Departures from Alembic
//!
//! Decided on purpose:
//!
//! 1. A bare relative downgrade (`downgrade -1`) with more than one current head is an error
//!    ([`GraphError::AmbiguousRelativeDowngrade`]); Alembic warns and takes down the first
//!    head listed. `label@-1` names the branch explicitly; so does `<rev>@-1` for a head
//!    `rev`, which is exactly what Alembic's `-1` did internally. (`<rev>-1` is an absolute
//!    target one below `rev`: from a branch point it takes every branch above it down.)
//!    `history -r -1:…` keeps Alembic's behaviour.
//! 2. Wherever Alembic's order comes from a Python set, a fixed rule is used instead:
//!    * a revision's down revisions in declared order, then its dependencies in declared
//!      order. This orders the merge rows (`DELETE` all but the last, `UPDATE` the last) and
//!      unmerge rows (`INSERT` all but the last, `UPDATE` to the last), and the dependencies
//!      left after normalisation, which also feed the topological walk;
//!    * [`RevisionMap::children`] (`Branches into`) and [`RevisionMap::branch_labels`] are
//!      sorted; [`RevisionMap::expand_heads`] (`current`) is in load order;
//!    * branch labels propagate by a deterministic rule (see [`RevisionMap::branch_labels`]);
//!    * when several requested revisions overlap, they are listed in the order given.
//! 3. Load problems that Alembic only warns about, or crashes on, are errors: a duplicate
//!    revision identifier, a missing down revision or dependency
//!    (`Revision X referenced from Y is not present`), and a cycle that Alembic's check does
//!    not see (one entered from a base and left towards a head). A dependency may also be
//!    written as a unique identifier prefix, which Alembic would not resolve.
//! 4. Where Alembic fails an internal assertion (a Python `AssertionError` or `KeyError`),
//!    the result is a [`GraphError`] or a sensible plan instead: walking a relative target
//!    past the end of the graph (`Relative revision +N didn't produce N migrations`), a
//!    relative upgrade target that lands below the roots (nothing to do), `label@-1` when
//!    the branch has no or several current heads, `rev@base` in a history range when `rev`
//!    carries no or several labels (the range is narrowed to `rev`'s lineage), a range whose
//!    revisions the upper end does not reach (they are listed last), a stamp whose target has
//!    current heads both above and below it (treated as a downgrade), and steps that do not
//!    fit the heads they are applied to.
//! 5. [`Heads::apply`] matches the other current heads to revisions by exact identifier
//!    (Alembic would also resolve prefixes and labels stored in the version table).
//!
//! Everything else, including step order, row operations, stamp semantics and the wording of
//! errors, follows Alembic 1.20.1; the tests in this module port the cases of Alembic's own
//! `test_revision.py`, `test_version_traversal.py` and `test_version_table.py`.
//!
//! # Cost
//!
//! Building the map, resolving a target and planning steps are linear in the number of
//! revisions for ordinary histories (Alembic's topological walk and dependency
//! normalisation are quadratic on long histories with merges or dependencies; these are
//! explored lazily here, with the same results).

mod build;
mod error;
mod iterate;
mod resolve;
mod set;
mod steps;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

pub use error::{CycleKind, GraphError};
pub use iterate::IterateOptions;
pub use steps::{Direction, Heads, RowOp, Step};

use crate::revision::{Revision, RevisionId};
use set::{BitSet, NodeSet};

/// An index into the map's revisions: the load position.
type Ix = usize;

/// The revision graph, built once from all revisions and immutable afterwards.
#[derive(Debug, Clone)]
pub struct RevisionMap {
    revs: Vec<Revision>,
    nodes: Vec<Node>,
    by_id: HashMap<RevisionId, Ix>,
    by_label: HashMap<Box<str>, Ix>,
    /// Branch labels in the order they became keys of Alembic's map.
    label_keys: Vec<(Box<str>, Ix)>,
    /// All branch labels, sorted: what [`Node::labels`] indexes.
    label_names: Vec<Box<str>>,
    heads: Vec<Ix>,
    real_heads: Vec<Ix>,
    bases: Vec<Ix>,
    real_bases: Vec<Ix>,
    /// A topological rank over `all_down` edges: every parent ranks below its children.
    rank: Vec<u32>,
}

/// The graph edges of one revision.
#[derive(Debug, Clone)]
struct Node {
    /// `_versioned_down_revisions`: the declared down revisions.
    down: Vec<Ix>,
    /// `_normalized_resolved_dependencies`.
    norm_deps: Vec<Ix>,
    /// `_all_down_revisions`: down revisions and resolved dependencies.
    all_down: Vec<Ix>,
    /// `_normalized_down_revisions`: down revisions and normalised dependencies.
    norm_down: Vec<Ix>,
    /// `nextrev`: revisions naming this one as down revision, sorted by identifier.
    next: Vec<Ix>,
    /// `_all_nextrev`: `next` plus the revisions depending on this one, sorted.
    all_next: Vec<Ix>,
    /// `branch_labels` after propagation, as sorted indices into `label_names`.
    labels: Arc<[u32]>,
}

/// Which edges a traversal follows.
#[derive(Debug, Clone, Copy)]
enum Edges {
    /// Declared down revisions.
    Down,
    /// Down revisions plus normalised dependencies (Alembic's ancestors).
    NormDown,
    /// Down revisions plus all dependencies.
    AllDown,
    /// Children by down revision.
    Next,
    /// Children by down revision or dependency (Alembic's descendants).
    AllNext,
}

impl RevisionMap {
    /// The number of revisions.
    pub fn len(&self) -> usize {
        self.revs.len()
    }

    /// Whether the map has no revisions.
    pub fn is_empty(&self) -> bool {
        self.revs.is_empty()
    }

    /// All revisions, in load order.
    pub fn revisions(&self) -> impl Iterator<Item = &Revision> {
        self.revs.iter()
    }

    /// The revision with exactly this identifier (no prefixes, labels or symbols).
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.by_id.get(id).map(|&i| &self.revs[i])
    }

    /// Alembic's `heads`: revisions no other revision names as down revision, including
    /// "effective heads" that another revision only depends on. In load order.
    pub fn heads(&self) -> Vec<&RevisionId> {
        self.ids(&self.heads)
    }

    /// The heads when dependencies count as down revisions (`heads --resolve-dependencies`,
    /// and what `heads` resolves to as a target). In load order.
    pub fn real_heads(&self) -> Vec<&RevisionId> {
        self.ids(&self.real_heads)
    }

    /// Revisions without a down revision, in load order.
    pub fn bases(&self) -> Vec<&RevisionId> {
        self.ids(&self.bases)
    }

    /// Revisions without a down revision or dependency, in load order.
    pub fn real_bases(&self) -> Vec<&RevisionId> {
        self.ids(&self.real_bases)
    }

    /// The revisions naming `id` as a down revision (`nextrev`), sorted by identifier.
    pub fn children(&self, id: &str) -> Vec<&RevisionId> {
        self.by_id
            .get(id)
            .map(|&i| self.ids(&self.nodes[i].next))
            .unwrap_or_default()
    }

    /// The revisions depending on `id` or naming it as down revision, sorted by identifier.
    pub fn dependents(&self, id: &str) -> Vec<&RevisionId> {
        self.by_id
            .get(id)
            .map(|&i| self.ids(&self.nodes[i].all_next))
            .unwrap_or_default()
    }

    /// The revisions `id` depends on once dependencies already implied by its ancestors are
    /// dropped (Alembic's `_normalized_resolved_dependencies`), as identifiers.
    pub fn normalized_dependencies(&self, id: &str) -> Vec<&RevisionId> {
        self.by_id
            .get(id)
            .map(|&i| self.ids(&self.nodes[i].norm_deps))
            .unwrap_or_default()
    }

    /// Whether no revision names `id` as down revision: `(head)` or `(effective head)`.
    pub fn is_head(&self, id: &str) -> bool {
        self.node(id).is_some_and(|n| n.next.is_empty())
    }

    /// Whether no revision names `id` as down revision or depends on it: `(head)` in
    /// Alembic's listings.
    pub fn is_real_head(&self, id: &str) -> bool {
        self.node(id).is_some_and(|n| n.all_next.is_empty())
    }

    /// Whether `id` is a head only some other revision depends on: `(effective head)`.
    pub fn is_effective_head(&self, id: &str) -> bool {
        self.node(id)
            .is_some_and(|n| n.next.is_empty() && !n.all_next.is_empty())
    }

    /// Whether more than one revision names `id` as down revision: `(branchpoint)`.
    pub fn is_branch_point(&self, id: &str) -> bool {
        self.node(id).is_some_and(|n| n.next.len() > 1)
    }

    /// Whether `id` has more than one down revision: `(mergepoint)`.
    pub fn is_merge_point(&self, id: &str) -> bool {
        self.node(id).is_some_and(|n| n.down.len() > 1)
    }

    /// The branch labels Alembic shows for `id` (`history`, `heads`, `show`), sorted.
    ///
    /// These are Alembic's `branch_labels` after `_add_branches`, not only the labels the
    /// revision declares: a revision carries the labels of all its ancestors by down
    /// revision; and the line of revisions below a head, down to the first branch point
    /// (counting dependents) or merge point, shares that head's labels when any revision on
    /// the line declares one. (Alembic computes the same in an order that depends on Python
    /// set iteration.)
    pub fn branch_labels(&self, id: &str) -> Vec<&str> {
        self.node(id)
            .map(|n| {
                n.labels
                    .iter()
                    .map(|&l| &*self.label_names[l as usize])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `i` carries the branch label `label` (after propagation).
    fn has_label(&self, i: Ix, label: &str) -> bool {
        self.nodes[i]
            .labels
            .iter()
            .any(|&l| &*self.label_names[l as usize] == label)
    }

    /// Whether the stored heads are exactly the script's heads (`current --check-heads`).
    pub fn at_all_heads(&self, stored: &[RevisionId]) -> bool {
        let mut stored: Vec<&str> = stored.iter().map(RevisionId::as_str).collect();
        stored.sort_unstable();
        stored.dedup();
        let mut heads: Vec<&str> = self.heads.iter().map(|&i| self.id(i)).collect();
        heads.sort_unstable();
        stored == heads
    }

    fn node(&self, id: &str) -> Option<&Node> {
        self.by_id.get(id).map(|&i| &self.nodes[i])
    }

    fn id(&self, i: Ix) -> &str {
        self.revs[i].id.as_str()
    }

    fn ids(&self, ixs: &[Ix]) -> Vec<&RevisionId> {
        ixs.iter().map(|&i| &self.revs[i].id).collect()
    }

    fn edges(&self, i: Ix, e: Edges) -> &[Ix] {
        let node = &self.nodes[i];
        match e {
            Edges::Down => &node.down,
            Edges::NormDown => &node.norm_down,
            Edges::AllDown => &node.all_down,
            Edges::Next => &node.next,
            Edges::AllNext => &node.all_next,
        }
    }

    /// The keys of Alembic's map in its order: identifiers in load order, then labels.
    fn keys(&self) -> impl Iterator<Item = (&str, Ix)> {
        self.revs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .chain(self.label_keys.iter().map(|(l, i)| (&**l, *i)))
    }

    /// Everything reachable from `from` along `e`, `from` included.
    fn reach(&self, from: &[Ix], e: Edges) -> NodeSet {
        let mut seen = NodeSet::new(self.len());
        let mut stack: Vec<Ix> = from.to_vec();
        while let Some(i) = stack.pop() {
            if seen.insert(i) {
                stack.extend_from_slice(self.edges(i, e));
            }
        }
        seen
    }

    /// The part of `reach(from, e)` (for a downward `e`) ranked at least `floor`: enough to
    /// answer "is x an ancestor" for any x ranked at least `floor`.
    fn reach_above(&self, from: &[Ix], e: Edges, floor: u32) -> BitSet {
        let mut seen = BitSet::new(self.len());
        let mut stack: Vec<Ix> = from.to_vec();
        while let Some(i) = stack.pop() {
            if self.rank[i] >= floor && seen.insert(i) {
                stack.extend_from_slice(self.edges(i, e));
            }
        }
        seen
    }

    /// Whether `ancestor` is reachable from `from` along a downward `e` (or equal to it).
    fn is_ancestor(&self, ancestor: Ix, from: Ix, e: Edges) -> bool {
        ancestor == from
            || (self.rank[ancestor] < self.rank[from]
                && self
                    .reach_above(&[from], e, self.rank[ancestor])
                    .contains(ancestor))
    }
}

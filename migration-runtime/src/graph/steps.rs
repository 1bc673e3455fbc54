//! Steps (`MigrationStep`, `RevisionStep`, `StampStep`), the planning of `upgrade`,
//! `downgrade` and `stamp` (`ScriptDirectory._upgrade_revs` / `_downgrade_revs` /
//! `_stamp_revs`), and the version-table rows a step changes (`HeadMaintainer`).

use std::collections::HashSet;
use std::fmt;

use super::error::{Context, GraphError};
use super::iterate::{IterateOptions, Opts};
use super::resolve::{Arg, Pos};
use super::set::BitSet;
use super::{Edges, Ix, RevisionMap};
use crate::revision::RevisionId;

/// Which way a step moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Towards the heads.
    Upgrade,
    /// Towards base.
    Downgrade,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Upgrade => "upgrade",
            Self::Downgrade => "downgrade",
        })
    }
}

/// One step of an upgrade, downgrade or stamp.
///
/// A migration step runs one revision's `upgrade` or `downgrade`; a stamp step only moves
/// the version table. [`Heads::apply`] turns a step into version-table statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Step {
    /// Upgrade or downgrade.
    pub direction: Direction,
    /// The revision whose migration runs; `None` for a stamp step.
    pub revision: Option<RevisionId>,
    /// The revisions the step leaves: for an upgrade the revision's down revisions (without
    /// dependencies), for a downgrade the revision itself; for a stamp the heads it moves.
    pub from: Vec<RevisionId>,
    /// The revisions the step arrives at: the revision itself for an upgrade, its down
    /// revisions for a downgrade; for a stamp the destination (empty for base).
    pub to: Vec<RevisionId>,
    /// For a stamp step: whether it adds (upgrade) or removes (downgrade) a branch.
    pub branch_move: bool,
}

impl Step {
    /// The upgrade step of a revision.
    pub(super) fn upgrade_of(map: &RevisionMap, i: Ix) -> Step {
        Step {
            direction: Direction::Upgrade,
            revision: Some(map.revs[i].id.clone()),
            from: map.revs[i].down_revisions.clone(),
            to: vec![map.revs[i].id.clone()],
            branch_move: false,
        }
    }

    /// The downgrade step of a revision.
    pub(super) fn downgrade_of(map: &RevisionMap, i: Ix) -> Step {
        Step {
            direction: Direction::Downgrade,
            revision: Some(map.revs[i].id.clone()),
            from: vec![map.revs[i].id.clone()],
            to: map.revs[i].down_revisions.clone(),
            branch_move: false,
        }
    }

    /// A stamp step (Alembic's `StampStep(from_, to_, is_upgrade, branch_move)`).
    pub fn stamp(
        from: Vec<RevisionId>,
        to: Vec<RevisionId>,
        direction: Direction,
        branch_move: bool,
    ) -> Step {
        Step {
            direction,
            revision: None,
            from,
            to,
            branch_move,
        }
    }

    /// Whether the step moves towards the heads.
    pub fn is_upgrade(&self) -> bool {
        self.direction == Direction::Upgrade
    }

    /// Whether this is a stamp step.
    pub fn is_stamp(&self) -> bool {
        self.revision.is_none()
    }

    /// The name Alembic logs: `upgrade`, `downgrade` or `stamp_revision`.
    pub fn name(&self) -> &'static str {
        match (self.is_stamp(), self.direction) {
            (true, _) => "stamp_revision",
            (false, Direction::Upgrade) => "upgrade",
            (false, Direction::Downgrade) => "downgrade",
        }
    }

    /// `upgrade a -> b`: what the offline `-- Running …` comment shows (`short_log`).
    pub fn short_log(&self) -> String {
        format!("{} {} -> {}", self.name(), join(&self.from), join(&self.to))
    }

    /// `upgrade a -> b, doc`: what the `Running …` log line shows (the revision's first
    /// paragraph is left out when it is empty, and for stamps).
    pub fn log_message(&self, map: &RevisionMap) -> String {
        let doc = self
            .revision
            .as_ref()
            .and_then(|id| map.get(id.as_str()))
            .map(|r| r.doc())
            .unwrap_or("");
        if doc.is_empty() {
            self.short_log()
        } else {
            format!("{}, {doc}", self.short_log())
        }
    }
}

fn join(ids: &[RevisionId]) -> String {
    ids.iter()
        .map(RevisionId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One version-table statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowOp {
    /// `INSERT INTO alembic_version (version_num) VALUES ('id')`.
    Insert(RevisionId),
    /// `UPDATE alembic_version SET version_num='to' WHERE version_num = 'from'`.
    Update {
        /// The row's current value.
        from: RevisionId,
        /// Its new value.
        to: RevisionId,
    },
    /// `DELETE FROM alembic_version WHERE version_num = 'id'`.
    Delete(RevisionId),
}

impl RowOp {
    /// Alembic's online check of an `UPDATE` or `DELETE`: it must match exactly one row.
    ///
    /// # Errors
    ///
    /// `Online migration expected to match one row when updating 'x' to 'b' in
    /// 'alembic_version'; 0 found` (or `deleting 'x'`) when `found` is not 1.
    pub fn check_row_count(&self, table: &str, found: u64) -> Result<(), GraphError> {
        if matches!(self, RowOp::Insert(_)) || found == 1 {
            return Ok(());
        }
        Err(GraphError::RowCount {
            op: self.clone(),
            table: table.to_owned(),
            found,
        })
    }
}

/// The current heads as the version table holds them: one row per head, without heads
/// implied by dependencies. Alembic's `HeadMaintainer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heads {
    ids: Vec<RevisionId>,
    set: HashSet<RevisionId>,
}

impl Heads {
    /// The heads read from the version table (duplicates are dropped).
    pub fn new(ids: impl IntoIterator<Item = RevisionId>) -> Self {
        let mut out = Heads::default();
        for id in ids {
            if out.set.insert(id.clone()) {
                out.ids.push(id);
            }
        }
        out
    }

    /// The heads, in the order rows were inserted (an update keeps the row's place).
    pub fn ids(&self) -> &[RevisionId] {
        &self.ids
    }

    /// Whether `id` is a head.
    pub fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    /// Applies a step, returning the version-table statements in order
    /// (`HeadMaintainer.update_to_step`).
    ///
    /// # Errors
    ///
    /// A step that does not fit the heads (e.g. updating a revision that is not a head), or
    /// a revision that is not in `map`.
    pub fn apply(&mut self, map: &RevisionMap, step: &Step) -> Result<Vec<RowOp>, GraphError> {
        let mut ops = Vec::new();
        match &step.revision {
            Some(id) => self.apply_revision(map, id, step.is_upgrade(), &mut ops)?,
            None => self.apply_stamp(step, &mut ops)?,
        }
        Ok(ops)
    }

    fn apply_revision(
        &mut self,
        map: &RevisionMap,
        id: &RevisionId,
        upgrade: bool,
        ops: &mut Vec<RowOp>,
    ) -> Result<(), GraphError> {
        let Some(&r) = map.by_id.get(id.as_str()) else {
            return Err(GraphError::Resolution {
                message: format!("No such revision or branch '{id}'"),
                argument: id.to_string(),
            });
        };
        let downrevs: Vec<RevisionId> = map.nodes[r]
            .norm_down
            .iter()
            .map(|&d| map.revs[d].id.clone())
            .collect();
        let in_heads: Vec<&RevisionId> = downrevs
            .iter()
            .filter(|d| self.contains(d.as_str()))
            .collect();
        if !upgrade {
            let is_head = self.contains(id.as_str());
            // should_delete_branch
            if is_head && (downrevs.is_empty() || self.unmerge_targets(map, r)?.is_empty()) {
                return self.delete(id, ops);
            }
            // should_unmerge_branches
            if is_head && downrevs.len() > 1 {
                let mut targets = self.unmerge_targets(map, r)?;
                let Some(last) = targets.pop() else {
                    return Err(inconsistent(format!("Can't unmerge revision {id}")));
                };
                for t in targets {
                    self.insert(t, ops)?;
                }
                return self.update(id.clone(), last, ops);
            }
        } else {
            // should_create_branch
            if downrevs.is_empty() || in_heads.is_empty() {
                return self.insert(id.clone(), ops);
            }
            // should_merge_branches
            if downrevs.len() > 1 && in_heads.len() > 1 {
                // Down revisions that other heads already imply stay out of the merge.
                let from_ix = &map.nodes[r].norm_down;
                let is_other = |i: Ix| {
                    let id = map.id(i);
                    self.contains(id) && !from_ix.iter().any(|&f| map.id(f) == id)
                };
                let has_others = self
                    .ids
                    .iter()
                    .any(|h| !from_ix.iter().any(|&f| map.id(f) == h.as_str()));
                let mut from: Vec<RevisionId> = Vec::new();
                for &d in from_ix {
                    if !(has_others && map.reaches(d, is_other)) {
                        from.push(map.revs[d].id.clone());
                    }
                }
                let Some(last) = from.pop() else {
                    return Err(inconsistent(format!("Can't merge into revision {id}")));
                };
                for d in &from {
                    self.delete(d, ops)?;
                }
                return self.update(last, id.clone(), ops);
            }
        }
        // update_version_num
        let down = if downrevs.len() == 1 {
            downrevs[0].clone()
        } else {
            match in_heads.as_slice() {
                [only] => (*only).clone(),
                _ => {
                    return Err(inconsistent(
                        "Can't do an UPDATE because downrevision is ambiguous".to_owned(),
                    ));
                }
            }
        };
        if upgrade {
            self.update(down, id.clone(), ops)
        } else {
            self.update(id.clone(), down, ops)
        }
    }

    /// `_unmerge_to_revisions`: the down revisions a downgrade of `r` leaves as heads, in
    /// down-revision order.
    fn unmerge_targets(&self, map: &RevisionMap, r: Ix) -> Result<Vec<RevisionId>, GraphError> {
        let to: &[Ix] = &map.nodes[r].norm_down;
        let own = map.id(r);
        let has_others = self.ids.iter().any(|h| h.as_str() != own);
        let keep: Vec<Ix> = if has_others {
            // Those no other head implies.
            let is_other = |i: Ix| i != r && self.contains(map.id(i));
            to.iter()
                .copied()
                .filter(|&t| !map.reaches(t, is_other))
                .collect()
        } else if to.len() <= 1 {
            to.to_vec()
        } else {
            to.iter()
                .copied()
                .filter(|&t| {
                    !to.iter()
                        .any(|&u| u != t && map.is_ancestor(t, u, Edges::NormDown))
                })
                .collect()
        };
        Ok(keep.into_iter().map(|i| map.revs[i].id.clone()).collect())
    }

    fn apply_stamp(&mut self, step: &Step, ops: &mut Vec<RowOp>) -> Result<(), GraphError> {
        let upgrade = step.is_upgrade();
        let single = |v: &[RevisionId], what: &str| -> Result<RevisionId, GraphError> {
            match v {
                [one] => Ok(one.clone()),
                _ => Err(inconsistent(format!(
                    "A stamp step needs exactly one {what} revision here; got {}",
                    if v.is_empty() {
                        "none".to_owned()
                    } else {
                        join(v)
                    }
                ))),
            }
        };
        if !upgrade && step.branch_move {
            return self.delete(&single(&step.from, "source")?, ops);
        }
        let from_missing = step.from.iter().any(|f| !self.contains(f.as_str()));
        let to_missing = step.to.iter().any(|t| !self.contains(t.as_str()));
        if upgrade && (step.branch_move || from_missing) && to_missing {
            return self.insert(single(&step.to, "destination")?, ops);
        }
        if let Some((last, rest)) = step.from.split_last()
            && !rest.is_empty()
        {
            for f in rest {
                self.delete(f, ops)?;
            }
            let to = step.to.first().cloned().ok_or_else(|| {
                inconsistent("A stamp step needs a destination revision here".to_owned())
            })?;
            return self.update(last.clone(), to, ops);
        }
        if let Some((last, rest)) = step.to.split_last()
            && !rest.is_empty()
        {
            for t in rest {
                self.insert(t.clone(), ops)?;
            }
            let from = step.from.first().cloned().ok_or_else(|| {
                inconsistent("A stamp step needs a source revision here".to_owned())
            })?;
            return self.update(from, last.clone(), ops);
        }
        let from = single(&step.from, "source")?;
        let to = single(&step.to, "destination")?;
        self.update(from, to, ops)
    }

    fn insert(&mut self, id: RevisionId, ops: &mut Vec<RowOp>) -> Result<(), GraphError> {
        if self.contains(id.as_str()) {
            return Err(inconsistent(format!(
                "Can't insert version {id}: it is already a current head"
            )));
        }
        self.ids.push(id.clone());
        self.set.insert(id.clone());
        ops.push(RowOp::Insert(id));
        Ok(())
    }

    fn delete(&mut self, id: &RevisionId, ops: &mut Vec<RowOp>) -> Result<(), GraphError> {
        let Some(pos) = self.ids.iter().position(|h| h == id) else {
            return Err(inconsistent(format!(
                "Can't delete version {id}: it is not a current head"
            )));
        };
        self.ids.remove(pos);
        self.set.remove(id);
        ops.push(RowOp::Delete(id.clone()));
        Ok(())
    }

    fn update(
        &mut self,
        from: RevisionId,
        to: RevisionId,
        ops: &mut Vec<RowOp>,
    ) -> Result<(), GraphError> {
        if self.contains(to.as_str()) {
            return Err(inconsistent(format!(
                "Can't update version {from} to {to}: {to} is already a current head"
            )));
        }
        let Some(pos) = self.ids.iter().position(|h| *h == from) else {
            return Err(inconsistent(format!(
                "Can't update version {from} to {to}: {from} is not a current head"
            )));
        };
        self.ids[pos] = to.clone();
        self.set.remove(&from);
        self.set.insert(to.clone());
        ops.push(RowOp::Update { from, to });
        Ok(())
    }
}

fn inconsistent(message: String) -> GraphError {
    GraphError::InconsistentHeads(message)
}

impl RevisionMap {
    /// Whether `from` or one of its descendants (by down revision or dependency) satisfies
    /// `hit`: i.e. whether `from` is among the ancestors of such a revision.
    fn reaches(&self, from: Ix, hit: impl Fn(Ix) -> bool) -> bool {
        let mut seen = BitSet::new(self.len());
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if hit(i) {
                return true;
            }
            if seen.insert(i) {
                stack.extend_from_slice(&self.nodes[i].all_next);
            }
        }
        false
    }

    /// The steps `alembic upgrade <target>` runs from `current_heads`
    /// (`ScriptDirectory._upgrade_revs`), in order.
    ///
    /// # Errors
    ///
    /// Command-level texts, e.g. `Multiple head revisions are present for given argument
    /// 'head'; …`, `Can't locate revision identified by 'x'`, `Relative revision -2 didn't
    /// produce 2 migrations`, `Ambiguous upgrade from multiple current revisions`.
    pub fn upgrade_steps(
        &self,
        current_heads: &[RevisionId],
        target: &str,
    ) -> Result<Vec<Step>, GraphError> {
        let current: Vec<&str> = current_heads.iter().map(RevisionId::as_str).collect();
        let opts = Opts {
            public: IterateOptions {
                implicit_base: true,
                ..IterateOptions::default()
            },
            strict_relative: true,
        };
        let context = Context {
            destination: Some(Direction::Upgrade),
            end: Some(target.to_owned()),
            ..Context::default()
        };
        let revs = self
            .iterate(&Arg::Str(target), &Arg::Tuple(current), opts)
            .map_err(|e| context.translate(e))?;
        Ok(revs
            .into_iter()
            .rev()
            .map(|i| Step::upgrade_of(self, i))
            .collect())
    }

    /// The steps `alembic downgrade <target>` runs from `current_heads`
    /// (`ScriptDirectory._downgrade_revs`), in order.
    ///
    /// # Errors
    ///
    /// Command-level texts, e.g. `Destination x is not a valid downgrade target from current
    /// head(s)`, and [`GraphError::AmbiguousRelativeDowngrade`] for `-n` with several heads.
    pub fn downgrade_steps(
        &self,
        current_heads: &[RevisionId],
        target: &str,
    ) -> Result<Vec<Step>, GraphError> {
        let current: Vec<&str> = current_heads.iter().map(RevisionId::as_str).collect();
        let opts = Opts {
            public: IterateOptions {
                select_for_downgrade: true,
                ..IterateOptions::default()
            },
            strict_relative: true,
        };
        let context = Context {
            destination: Some(Direction::Downgrade),
            end: Some(target.to_owned()),
            ..Context::default()
        };
        let revs = self
            .iterate(&Arg::Tuple(current), &Arg::Str(target), opts)
            .map_err(|e| context.translate(e))?;
        Ok(revs
            .into_iter()
            .map(|i| Step::downgrade_of(self, i))
            .collect())
    }

    /// The steps `alembic stamp <targets…>` applies from `current_heads`
    /// (`ScriptDirectory._stamp_revs`). With `purge` the version table is emptied first, so
    /// planning starts from no heads; the caller deletes the rows.
    ///
    /// # Errors
    ///
    /// Command-level texts, e.g. `Multiple heads are present; please specify a single target
    /// revision`.
    pub fn stamp_steps(
        &self,
        current_heads: &[RevisionId],
        targets: &[&str],
        purge: bool,
    ) -> Result<Vec<Step>, GraphError> {
        let context = Context {
            stamp: true,
            ..Context::default()
        };
        let heads: &[RevisionId] = if purge { &[] } else { current_heads };
        self.plan_stamp(heads, targets)
            .map_err(|e| context.translate(e))
    }

    fn plan_stamp(&self, heads: &[RevisionId], targets: &[&str]) -> Result<Vec<Step>, GraphError> {
        let current: Vec<&str> = heads.iter().map(RevisionId::as_str).collect();
        let heads_revs: Vec<Ix> = self
            .get_revisions(&Arg::Tuple(current))?
            .into_iter()
            .filter_map(|p| match p {
                Pos::Rev(i) => Some(i),
                _ => None,
            })
            .collect();
        let targets: Vec<&str> = if targets.is_empty() {
            vec!["base"]
        } else {
            targets.to_vec()
        };
        let mut filtered: Vec<Ix> = Vec::new();
        for t in targets.iter().filter(|t| !t.is_empty()) {
            for h in self.filter_for_lineage(&heads_revs, &Arg::Str(t), true)? {
                if !filtered.contains(&h) {
                    filtered.push(h);
                }
            }
        }
        let mut dests: Vec<Option<Ix>> = self
            .get_revisions(&Arg::Tuple(targets))?
            .into_iter()
            .map(|p| match p {
                Pos::Rev(i) => Some(i),
                Pos::Base | Pos::Nothing => None,
            })
            .collect();
        if dests.is_empty() {
            dests.push(None);
        }
        let ids =
            |v: &[Ix]| -> Vec<RevisionId> { v.iter().map(|&i| self.revs[i].id.clone()).collect() };
        let mut steps = Vec::new();
        for dest in dests {
            let Some(dest) = dest else {
                // base: a "delete branch" step for each head concerned.
                for &h in &filtered {
                    steps.push(Step::stamp(
                        ids(&[h]),
                        Vec::new(),
                        Direction::Downgrade,
                        true,
                    ));
                }
                continue;
            };
            if filtered.contains(&dest) {
                continue;
            }
            let descendants = self.reach(&[dest], Edges::AllNext);
            let ancestors = self.reach(&[dest], Edges::NormDown);
            let to = ids(&[dest]);
            if filtered.iter().any(|&h| descendants.contains(h)) {
                steps.push(Step::stamp(ids(&filtered), to, Direction::Downgrade, false));
            } else if filtered.iter().any(|&h| ancestors.contains(h)) {
                steps.push(Step::stamp(ids(&filtered), to, Direction::Upgrade, false));
            } else {
                steps.push(Step::stamp(Vec::new(), to, Direction::Upgrade, true));
            }
        }
        Ok(steps)
    }
}

//! `iterate_revisions`: the target parsing and revision collection for upgrades and
//! downgrades, and `_topological_sort`.

use std::collections::BinaryHeap;

use super::error::{Context, GraphError};
use super::resolve::{Arg, Pos, parse_relative};
use super::set::{BitSet, NodeSet};
use super::{Edges, Ix, RevisionMap};
use crate::revision::{Revision, RevisionId};

/// The options of Alembic's `RevisionMap.iterate_revisions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IterateOptions {
    /// Include revisions of other branches and dependency lineages that `upper` needs
    /// (upgrades); wind other branches back too (downgrades).
    pub implicit_base: bool,
    /// Include the `lower` revisions themselves.
    pub inclusive: bool,
    /// Fail when a relative target walks past the end of the graph, rather than stopping there.
    pub assert_relative_length: bool,
    /// Collect revisions to take down (from `upper` = the current heads down to `lower`)
    /// rather than revisions to apply.
    pub select_for_downgrade: bool,
}

impl Default for IterateOptions {
    fn default() -> Self {
        Self {
            implicit_base: false,
            inclusive: false,
            assert_relative_length: true,
            select_for_downgrade: false,
        }
    }
}

/// Internal options: the public ones plus whether `-n` with several heads is an error.
#[derive(Debug, Clone, Copy)]
pub(super) struct Opts {
    pub(super) public: IterateOptions,
    pub(super) strict_relative: bool,
}

impl RevisionMap {
    /// Alembic's `RevisionMap.iterate_revisions`: the revisions between `upper` and `lower`,
    /// newest first, in `_topological_sort` order.
    ///
    /// `upper` and `lower` are Alembic's revision arguments: an empty slice is `None`, one
    /// element a target string (symbols, labels and relative forms allowed), several a tuple
    /// of identifiers.
    ///
    /// # Errors
    ///
    /// `RevisionMap`-level errors, e.g. `Revision b1 is not an ancestor of revision d2cb2`.
    pub fn iterate_revisions(
        &self,
        upper: &[&str],
        lower: &[&str],
        options: IterateOptions,
    ) -> Result<Vec<&Revision>, GraphError> {
        fn arg<'a>(v: &[&'a str]) -> Arg<'a> {
            match v {
                [] => Arg::None,
                [one] => Arg::Str(one),
                many => Arg::Tuple(many.to_vec()),
            }
        }
        let opts = Opts {
            public: options,
            strict_relative: false,
        };
        Ok(self
            .iterate(&arg(upper), &arg(lower), opts)?
            .into_iter()
            .map(|i| &self.revs[i])
            .collect())
    }

    pub(super) fn iterate(
        &self,
        upper: &Arg<'_>,
        lower: &Arg<'_>,
        opts: Opts,
    ) -> Result<Vec<Ix>, GraphError> {
        let (revisions, heads) = if opts.public.select_for_downgrade {
            self.collect_downgrade(upper, lower, opts)?
        } else {
            self.collect_upgrade(upper, lower, opts)?
        };
        Ok(self.topological_sort(&revisions, &heads))
    }

    /// The revisions `alembic history -r <range>` lists, newest first.
    ///
    /// `range` is `start:end`; either side may be empty (base, heads), a target, a relative
    /// target, or `current`, which stands for `current_heads`. `None` lists everything.
    ///
    /// # Errors
    ///
    /// Command-level texts: `History range requires [start]:[end], [start]:, or :[end]`,
    /// `Requested range s:e does not refer to ancestor/descendant revisions along the same
    /// branch`, `Can't locate revision identified by 'x'`, ….
    pub fn history(
        &self,
        range: Option<&str>,
        current_heads: &[RevisionId],
    ) -> Result<Vec<&Revision>, GraphError> {
        let current: Vec<&str> = current_heads.iter().map(RevisionId::as_str).collect();
        fn or<'a>(s: &'a str, default: &'static str) -> Arg<'a> {
            Arg::Str(if s.is_empty() { default } else { s })
        }
        let (lower, upper) = match range {
            None => (Arg::Str("base"), Arg::Str("heads")),
            Some(range) => {
                if !range.contains(':') {
                    return Err(GraphError::HistoryRange);
                }
                let parts: Vec<&str> = range.trim().split(':').collect();
                let [base, head] = parts.as_slice() else {
                    return Err(GraphError::HistoryRange);
                };
                let cur = |default: &'static str| {
                    if current.is_empty() {
                        Arg::Str(default)
                    } else {
                        Arg::Tuple(current.clone())
                    }
                };
                if *head == "current" {
                    (or(base, "base"), cur("heads"))
                } else if *base == "current" {
                    (cur("base"), or(head, "heads"))
                } else {
                    (or(base, "base"), or(head, "heads"))
                }
            }
        };
        let opts = Opts {
            public: IterateOptions {
                inclusive: true,
                assert_relative_length: false,
                ..IterateOptions::default()
            },
            strict_relative: false,
        };
        let context = Context {
            start: Some(lower.py_str()),
            end: Some(upper.py_str()),
            ..Context::default()
        };
        match self.iterate(&upper, &lower, opts) {
            Ok(revs) => Ok(revs.into_iter().map(|i| &self.revs[i]).collect()),
            Err(e) => Err(context.translate(e)),
        }
    }

    /// `_parse_downgrade_target`: the branch label and the target revision.
    fn parse_downgrade_target(
        &self,
        current: &Arg<'_>,
        target: &Arg<'_>,
        assert_relative_length: bool,
        strict: bool,
    ) -> Result<(Option<String>, Pos), GraphError> {
        let target = match target {
            Arg::None => return Ok((None, Pos::Nothing)),
            Arg::Str(s) => *s,
            Arg::Tuple(v) => {
                // Alembic asserts a string here; a tuple of one is the same thing.
                match v.as_slice() {
                    [] => return Ok((None, Pos::Nothing)),
                    [one] => one,
                    _ => {
                        return Err(GraphError::Revision(
                            "Expected downgrade target in string form".to_owned(),
                        ));
                    }
                }
            }
        };
        let Some(rel) = parse_relative(target) else {
            let (label, symbol) = match target.rsplit_once('@') {
                Some((l, s)) => (Some(l).filter(|l| !l.is_empty()), s),
                None => (None, target),
            };
            let rev = self.get_revision_str(symbol)?;
            return Ok((label.map(str::to_owned), Pos::from(rev)));
        };
        let mut label: Option<String> = rel.branch.map(str::to_owned);
        if !rel.negative {
            let Some(symbol) = rel.symbol else {
                return Err(rel.didnt_produce(rel.text));
            };
            let start = Pos::from(self.get_revision_str(symbol)?);
            let rev = self.walk(start, rel.steps, false, rel.branch, assert_relative_length)?;
            if rev == Pos::Nothing {
                return Err(GraphError::Revision("Walked too far".to_owned()));
            }
            return Ok((label, rev));
        }
        let relative_revision = rel.symbol.is_none();
        let symbol: String = match rel.symbol {
            Some(s) => s.to_owned(),
            None => match rel.branch.filter(|l| !l.is_empty()) {
                Some(branch) => {
                    let cr = current.to_tuple().unwrap_or_default();
                    let mut symbols: Vec<String> = self
                        .filter_strs_for_lineage(&cr, &Arg::Str(branch))?
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    if symbols.is_empty() {
                        let all = self.all_current(&cr)?;
                        symbols = self
                            .filter_for_lineage(&all, &Arg::Str(branch), false)?
                            .into_iter()
                            .map(|i| self.id(i).to_owned())
                            .collect();
                    }
                    match symbols.len() {
                        1 => symbols.remove(0),
                        0 => return Err(rel.didnt_produce(rel.text)),
                        _ => {
                            return Err(GraphError::Revision(format!(
                                "downgrade {target} is ambiguous; current heads of branch \
                                 '{branch}' are {}; use '<rev>@{}' to choose the branch",
                                symbols.join(", "),
                                rel.text
                            )));
                        }
                    }
                }
                None => {
                    let cr = current.to_tuple().unwrap_or_default();
                    if cr.is_empty() {
                        return Err(rel.didnt_produce(rel.text));
                    }
                    let mut unique: Vec<&str> = Vec::new();
                    for s in &cr {
                        if !unique.contains(s) {
                            unique.push(s);
                        }
                    }
                    if strict && unique.len() > 1 {
                        return Err(GraphError::AmbiguousRelativeDowngrade {
                            relative: rel.text.to_owned(),
                            heads: unique.iter().map(|s| (*s).to_owned()).collect(),
                        });
                    }
                    label = Some(cr[0].to_owned());
                    cr[0].to_owned()
                }
            },
        };
        let start = match &label {
            None => self.get_revision_str(&symbol)?,
            Some(l) => self.get_revision_str(&format!("{l}@{symbol}"))?,
        };
        let rev = self.walk(
            Pos::from(start),
            rel.steps,
            true,
            None,
            assert_relative_length,
        )?;
        if rev == Pos::Nothing {
            return Err(if relative_revision {
                rel.didnt_produce(rel.text)
            } else {
                GraphError::Revision("Walked too far".to_owned())
            });
        }
        Ok((label, rev))
    }

    /// `_parse_upgrade_target`: the revisions to upgrade to.
    fn parse_upgrade_target(
        &self,
        current: &Arg<'_>,
        target: &Arg<'_>,
        assert_relative_length: bool,
    ) -> Result<Vec<Pos>, GraphError> {
        let rel = match target {
            Arg::Str(s) => parse_relative(s),
            _ => None,
        };
        let Some(rel) = rel else {
            return self.get_revisions(target);
        };
        if !rel.is_positive() {
            let Some(symbol) = rel.symbol else {
                return Err(rel.didnt_produce(&rel.int_str()));
            };
            let start = match rel.branch {
                None => self.get_revision_str(symbol)?,
                Some(l) => self.get_revision_str(&format!("{l}@{symbol}"))?,
            };
            let rev = self.walk(
                Pos::from(start),
                rel.steps,
                true,
                None,
                assert_relative_length,
            )?;
            if rev == Pos::Nothing {
                return Err(rel.didnt_produce(&rel.int_str()));
            }
            return Ok(vec![rev]);
        }
        if let Some(symbol) = rel.symbol {
            // Relative to a given revision, not to the current state.
            let start = Pos::from(self.get_revision_str(symbol)?);
            let rev = self.walk(start, rel.steps, false, rel.branch, assert_relative_length)?;
            if rev == Pos::Nothing {
                return Err(rel.didnt_produce(rel.text));
            }
            return Ok(vec![rev]);
        }
        // Start revisions: `None` entries stand for "nothing applied".
        let cur: Vec<&str> = current.to_tuple().unwrap_or_default();
        let mut start_revs: Vec<Pos> = Vec::new();
        let mut start_strs: Vec<Option<&str>> = if cur.is_empty() {
            vec![None]
        } else {
            cur.iter().map(|s| Some(*s)).collect()
        };
        if let Some(branch) = rel.branch.filter(|l| !l.is_empty()) {
            let cur_revs: Vec<Ix> = self
                .get_revisions(&Arg::Tuple(cur.clone()))?
                .into_iter()
                .filter_map(|p| match p {
                    Pos::Rev(i) => Some(i),
                    _ => None,
                })
                .collect();
            let on_branch = self.filter_for_lineage(&cur_revs, &Arg::Str(branch), false)?;
            start_strs.clear();
            if on_branch.is_empty() {
                // The branch is not applied: start from its branch point, or from base.
                let ancestors = self.reach(&cur_revs, Edges::NormDown);
                let active: Vec<Ix> = ancestors.iter().collect();
                let active = self.filter_for_lineage(&active, &Arg::Str(branch), false)?;
                let mut downs = BitSet::new(self.len());
                for &a in &active {
                    for &d in &self.nodes[a].norm_down {
                        downs.insert(d);
                    }
                }
                start_revs = active
                    .into_iter()
                    .filter(|&a| !downs.contains(a))
                    .map(Pos::Rev)
                    .collect();
                if start_revs.is_empty() {
                    start_revs.push(Pos::Nothing);
                }
            } else {
                start_revs = on_branch.into_iter().map(Pos::Rev).collect();
            }
        }
        if start_revs.len() + start_strs.len() > 1 {
            return Err(GraphError::Revision(
                "Ambiguous upgrade from multiple current revisions".to_owned(),
            ));
        }
        let start = match (start_revs.first(), start_strs.first()) {
            (Some(p), _) => *p,
            (None, Some(Some(s))) => Pos::from(self.get_revision_str(s)?),
            _ => Pos::Nothing,
        };
        let rev = self.walk(start, rel.steps, false, rel.branch, assert_relative_length)?;
        if rev == Pos::Nothing {
            return Err(rel.didnt_produce(rel.text));
        }
        Ok(vec![rev])
    }

    /// `_collect_downgrade_revisions`: the revisions to take down, and the current heads.
    fn collect_downgrade(
        &self,
        upper: &Arg<'_>,
        lower: &Arg<'_>,
        opts: Opts,
    ) -> Result<(NodeSet, Vec<Ix>), GraphError> {
        let n = self.len();
        let (label, target) = self.parse_downgrade_target(
            upper,
            lower,
            opts.public.assert_relative_length,
            opts.strict_relative,
        )?;
        let target = match target {
            Pos::Rev(i) => Some(i),
            Pos::Base | Pos::Nothing => None,
        };
        let mut roots: Vec<Ix> = match target {
            None => (0..n).filter(|&i| self.nodes[i].down.is_empty()).collect(),
            Some(t) if opts.public.inclusive => vec![t],
            Some(t) => self.nodes[t].next.clone(),
        };
        if let Some(l) = label.as_deref().filter(|l| !l.is_empty())
            && roots.len() > 1
        {
            let branch = self.resolve_branch(l)?;
            let ancestors = self.reach(&[branch], Edges::Down);
            roots.retain(|&r| ancestors.contains(r));
            if roots.is_empty() {
                return Err(GraphError::Revision(
                    "Not a valid downgrade target from current heads".to_owned(),
                ));
            }
        }
        let heads: Vec<Ix> = self
            .get_revisions(upper)?
            .into_iter()
            .filter_map(|p| match p {
                Pos::Rev(i) => Some(i),
                _ => None,
            })
            .collect();
        let active = self.reach(&heads, Edges::NormDown);
        let mut revisions = self.reach(&roots, Edges::AllNext).intersection(&active, n);
        if opts.public.implicit_base {
            let below_roots = self.reach(&roots, Edges::NormDown);
            for a in active.iter() {
                if !below_roots.contains(a) {
                    revisions.insert(a);
                }
            }
        }
        if let Some(t) = target
            && revisions.is_empty()
            && !heads.contains(&t)
        {
            return Err(GraphError::RangeNotAncestor {
                lower: "Nothing to drop".to_owned(),
                upper: upper.or_base(),
            });
        }
        Ok((revisions, heads))
    }

    /// `_collect_upgrade_revisions`: the revisions to apply, and the targets.
    fn collect_upgrade(
        &self,
        upper: &Arg<'_>,
        lower: &Arg<'_>,
        opts: Opts,
    ) -> Result<(NodeSet, Vec<Ix>), GraphError> {
        let n = self.len();
        let IterateOptions {
            implicit_base,
            inclusive,
            assert_relative_length,
            ..
        } = opts.public;
        let mut targets: Vec<Ix> = Vec::new();
        for p in self.parse_upgrade_target(lower, upper, assert_relative_length)? {
            match p {
                Pos::Rev(i) => targets.push(i),
                Pos::Base => {}
                Pos::Nothing => return Err(GraphError::Revision("Walked too far".to_owned())),
            }
        }

        // A named base (`branch@…`) keeps the targets on that branch.
        if let Arg::Str(l) = lower
            && let Some((branch, _)) = l.split_once('@')
        {
            let branch_rev = self.get_revision_str(branch)?;
            let mut lineage_of: Option<Ix> = None;
            let mut label: &str = branch;
            if let Some(r) = branch_rev
                && self.id(r) == branch
            {
                // A revision used as a label: use its branch label.
                match &*self.nodes[r].labels {
                    [only] => label = &self.label_names[*only as usize],
                    _ => lineage_of = Some(r),
                }
            }
            targets.retain(|&t| match lineage_of {
                Some(r) => self.shares_lineage(t, r),
                None => self.has_label(t, label),
            });
            let mut seen = BitSet::new(n);
            targets.retain(|&t| seen.insert(t));
        }

        let required = self.related_checked(&targets, Edges::NormDown)?;

        let mut current = self.get_revisions(lower)?;
        if !implicit_base
            && current.iter().any(|p| match p {
                Pos::Rev(i) => !required.contains(*i),
                Pos::Base => true,
                Pos::Nothing => false,
            })
        {
            return Err(GraphError::RangeNotAncestor {
                lower: lower.or_base(),
                upper: upper.or_base(),
            });
        }

        // A relative lower end that get_revisions walked off: re-read it as a downgrade.
        let mut lower_owned: Option<Option<String>> = None;
        if current.first() == Some(&Pos::Nothing) {
            let (_, rev) =
                self.parse_downgrade_target(upper, lower, assert_relative_length, false)?;
            match rev {
                Pos::Rev(i) => {
                    current = vec![Pos::Rev(i)];
                    lower_owned = Some(Some(self.id(i).to_owned()));
                }
                Pos::Base | Pos::Nothing => {
                    current = Vec::new();
                    lower_owned = Some(None);
                }
            }
        }
        let current_revs: Vec<Ix> = current
            .iter()
            .filter_map(|p| match p {
                Pos::Rev(i) => Some(*i),
                _ => None,
            })
            .collect();
        let current_set = self.related_checked(&current_revs, Edges::NormDown)?;
        let mut needs = required.difference(&current_set, n);

        if inclusive {
            let lower_revs = match &lower_owned {
                None => self.get_revisions(lower)?,
                Some(None) => Vec::new(),
                Some(Some(id)) => self.get_revisions(&Arg::Str(id))?,
            };
            for p in lower_revs {
                if let Pos::Rev(i) = p {
                    needs.insert(i);
                }
            }
        }
        if !current.is_empty() && !implicit_base {
            let descendants = self.related_checked(&current_revs, Edges::Next)?;
            needs = needs.intersection(&descendants, n);
        }
        Ok((needs, targets))
    }

    /// `_iterate_related_revisions(…, check=True)`: everything reachable from `targets`,
    /// failing when one target reaches another.
    pub(super) fn related_checked(&self, targets: &[Ix], e: Edges) -> Result<NodeSet, GraphError> {
        let n = self.len();
        let mut is_target = BitSet::new(n);
        for &t in targets {
            is_target.insert(t);
        }
        let mut seen = NodeSet::new(n);
        let mut stack: Vec<Ix> = Vec::new();
        for &t in targets {
            stack.push(t);
            let mut overlaps: Vec<Ix> = Vec::new();
            while let Some(i) = stack.pop() {
                if i != t && is_target.contains(i) && !overlaps.contains(&i) {
                    overlaps.push(i);
                }
                if seen.insert(i) {
                    stack.extend_from_slice(self.edges(i, e));
                }
            }
            if !overlaps.is_empty() {
                overlaps.sort_by_key(|o| targets.iter().position(|t| t == o));
                let list: Vec<&str> = overlaps.iter().map(|&o| self.id(o)).collect();
                return Err(GraphError::Revision(format!(
                    "Requested revision {} overlaps with other requested revisions {}",
                    self.id(t),
                    list.join(", ")
                )));
            }
        }
        Ok(seen)
    }

    /// `_topological_sort`: newest first. Starting from the heads (in load order), follow a
    /// branch down until another pending branch still needs the next revision, then switch
    /// to that branch.
    ///
    /// Alembic keeps the full ancestor set of every pending branch head and recomputes it at
    /// each merge point or dependency, which is quadratic on long histories. The sets here
    /// are explored lazily: they are only ever asked whether a candidate revision is an
    /// ancestor, and nothing ranked below the candidate can lead to it.
    pub(super) fn topological_sort(&self, revisions: &NodeSet, heads: &[Ix]) -> Vec<Ix> {
        let n = self.len();
        let mut todo = revisions.bits().clone();
        let mut left = revisions.len();
        let mut current: Vec<Ix> = heads
            .iter()
            .copied()
            .filter(|&h| todo.contains(h))
            .collect();
        current.sort_unstable();
        current.dedup();
        let mut slots = Slots::new(self);
        for &h in &current {
            slots.push(h);
        }
        let mut in_current = BitSet::new(n);
        for &h in &current {
            in_current.insert(h);
        }
        let mut output = Vec::with_capacity(left);
        let mut idx = 0;
        while !current.is_empty() {
            let candidate = current[idx];
            if let Some(j) = slots.needed_by(candidate, idx) {
                // Another branch still needs this revision: walk that one first.
                idx = j;
                continue;
            }
            if todo.contains(candidate) {
                output.push(candidate);
                todo.remove(candidate);
                left -= 1;
            }
            let node = &self.nodes[candidate];
            let adds: Vec<Ix> = node
                .norm_down
                .iter()
                .copied()
                .filter(|&r| todo.contains(r) && !in_current.contains(r))
                .collect();
            if adds.is_empty() {
                current.remove(idx);
                slots.remove(idx);
                in_current.remove(candidate);
                idx = idx.saturating_sub(1);
            } else if node.norm_deps.is_empty() && node.down.len() == 1 {
                current[idx] = adds[0];
                in_current.remove(candidate);
                in_current.insert(adds[0]);
                slots.discard_top(idx, candidate, adds[0]);
            } else {
                current[idx] = adds[0];
                in_current.remove(candidate);
                for &a in &adds {
                    in_current.insert(a);
                }
                current.extend_from_slice(&adds[1..]);
                slots.replace(idx, adds[0]);
                for &a in &adds[1..] {
                    slots.push(a);
                }
            }
        }
        if left > 0 {
            // Alembic fails an assertion here (revisions the heads do not reach); list them.
            output.extend((0..n).filter(|&i| todo.contains(i)));
        }
        output
    }
}

/// The ancestor sets of `_topological_sort`'s pending branch heads ("slots").
///
/// Each set holds a head's ancestors by down revision and normalised dependency, the head
/// included, but is explored on demand from the highest rank down: it is only ever asked
/// whether a candidate is a member, and nothing ranked below the candidate can lead to it.
/// `count` says how many sets hold a revision, so most questions are answered without
/// looking into any set.
struct Slots<'m> {
    map: &'m RevisionMap,
    sets: Vec<LazyAncestors>,
    /// Per slot: one more than the highest rank still to expand; 0 when fully expanded.
    frontier_top: Vec<u32>,
    /// Per revision: how many sets hold it.
    count: Vec<u32>,
}

struct LazyAncestors {
    seen: BitSet,
    members: Vec<Ix>,
    /// Discovered but not yet expanded, highest rank first.
    frontier: BinaryHeap<(u32, Ix)>,
}

impl<'m> Slots<'m> {
    fn new(map: &'m RevisionMap) -> Self {
        Self {
            map,
            sets: Vec::new(),
            frontier_top: Vec::new(),
            count: vec![0; map.len()],
        }
    }

    fn make(&mut self, head: Ix) -> LazyAncestors {
        let mut seen = BitSet::new(self.map.len());
        seen.insert(head);
        self.count[head] += 1;
        let mut frontier = BinaryHeap::new();
        frontier.push((self.map.rank[head], head));
        LazyAncestors {
            seen,
            members: vec![head],
            frontier,
        }
    }

    fn top_of(set: &LazyAncestors) -> u32 {
        set.frontier.peek().map_or(0, |&(r, _)| r + 1)
    }

    fn push(&mut self, head: Ix) {
        let set = self.make(head);
        self.frontier_top.push(Self::top_of(&set));
        self.sets.push(set);
    }

    fn release(&mut self, set: LazyAncestors) {
        for m in set.members {
            if set.seen.contains(m) {
                self.count[m] -= 1;
            }
        }
    }

    fn replace(&mut self, j: usize, head: Ix) {
        let set = self.make(head);
        self.frontier_top[j] = Self::top_of(&set);
        let old = std::mem::replace(&mut self.sets[j], set);
        self.release(old);
    }

    fn remove(&mut self, j: usize) {
        let old = self.sets.remove(j);
        self.frontier_top.remove(j);
        self.release(old);
    }

    /// Expands slot `j` until nothing ranked above `floor` is left unexpanded.
    fn expand_above(&mut self, j: usize, floor: u32) {
        let map = self.map;
        let set = &mut self.sets[j];
        while let Some(&(r, v)) = set.frontier.peek() {
            if r <= floor {
                break;
            }
            set.frontier.pop();
            for &p in &map.nodes[v].norm_down {
                if set.seen.insert(p) {
                    set.members.push(p);
                    self.count[p] += 1;
                    set.frontier.push((map.rank[p], p));
                }
            }
        }
        self.frontier_top[j] = Self::top_of(set);
    }

    /// The first slot other than `idx` whose head has `candidate` as an ancestor.
    fn needed_by(&mut self, candidate: Ix, idx: usize) -> Option<usize> {
        let rank = self.map.rank[candidate];
        for j in 0..self.sets.len() {
            if j != idx && self.frontier_top[j] > rank + 1 {
                self.expand_above(j, rank);
            }
        }
        let own = u32::from(self.sets[idx].seen.contains(candidate));
        if self.count[candidate] <= own {
            return None;
        }
        (0..self.sets.len()).find(|&j| j != idx && self.sets[j].seen.contains(candidate))
    }

    /// Slot `j`'s head moves to its only parent: the set loses the old head (Alembic's
    /// `discard`).
    fn discard_top(&mut self, j: usize, head: Ix, parent: Ix) {
        self.expand_above(j, self.map.rank[parent]);
        if self.sets[j].seen.contains(head) {
            self.sets[j].seen.remove(head);
            self.count[head] -= 1;
        }
    }
}

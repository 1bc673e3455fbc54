//! Building a [`RevisionMap`]: Alembic's `RevisionMap._revision_map`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::error::{CycleKind, GraphError};
use super::set::{BitSet, NodeSet};
use super::{Edges, Ix, Node, RevisionMap};
use crate::revision::Revision;

impl RevisionMap {
    /// Builds the map from revisions in load order.
    ///
    /// Load order is the order of `revisions` (files sorted by name); it breaks ties exactly
    /// as the order of Alembic's revision dictionary does.
    ///
    /// # Errors
    ///
    /// A revision naming itself as down revision or dependency, a duplicate identifier, a
    /// duplicate branch label, a down revision or dependency that is not present, or a cycle.
    pub fn new(revisions: Vec<Revision>) -> Result<Self, GraphError> {
        let n = revisions.len();

        // Revision.__init__ and the duplicate warning, in load order.
        let mut by_id = HashMap::with_capacity(n);
        for (i, rev) in revisions.iter().enumerate() {
            if rev.down_revisions.contains(&rev.id) {
                return Err(GraphError::Cycle {
                    kind: CycleKind::SelfLoop,
                    revisions: vec![rev.id.to_string()],
                });
            }
            if rev.depends_on.iter().any(|d| d == rev.id.as_str()) {
                return Err(GraphError::Cycle {
                    kind: CycleKind::DependencySelfLoop,
                    revisions: vec![rev.id.to_string()],
                });
            }
            if by_id.insert(rev.id.clone(), i).is_some() {
                return Err(GraphError::DuplicateRevision {
                    id: rev.id.to_string(),
                });
            }
        }

        // _map_branch_labels: labels become keys of the map, after the identifiers.
        let mut by_label: HashMap<Box<str>, Ix> = HashMap::new();
        let mut label_keys: Vec<(Box<str>, Ix)> = Vec::new();
        for (i, rev) in revisions.iter().enumerate() {
            for label in &rev.branch_labels {
                let used = by_id
                    .get(label.as_str())
                    .or_else(|| by_label.get(label.as_str()));
                if let Some(&j) = used {
                    return Err(GraphError::DuplicateBranchLabel {
                        label: label.clone(),
                        revision: rev.id.to_string(),
                        used_by: revisions[j].id.to_string(),
                    });
                }
                by_label.insert(label.as_str().into(), i);
                label_keys.push((label.as_str().into(), i));
            }
        }

        let mut map = RevisionMap {
            nodes: Vec::with_capacity(n),
            revs: revisions,
            by_id,
            by_label,
            label_keys,
            label_names: Vec::new(),
            heads: Vec::new(),
            real_heads: Vec::new(),
            bases: Vec::new(),
            real_bases: Vec::new(),
            rank: vec![0; n],
        };

        // _add_depends_on: dependencies name an identifier or a branch label.
        let mut resolved_deps: Vec<Vec<Ix>> = Vec::with_capacity(n);
        for rev in &map.revs {
            let mut deps = Vec::with_capacity(rev.depends_on.len());
            for dep in &rev.depends_on {
                match map.lookup_key(dep).or_else(|| map.unique_prefix(dep)) {
                    Some(j) => deps.push(j),
                    None => {
                        return Err(GraphError::MissingRevision {
                            missing: dep.clone(),
                            referenced_from: rev.id.to_string(),
                        });
                    }
                }
            }
            resolved_deps.push(deps);
        }

        // Down revisions must exist.
        let empty_labels: Arc<[u32]> = Arc::from(Vec::new());
        for (i, rev) in map.revs.iter().enumerate() {
            let mut down = Vec::with_capacity(rev.down_revisions.len());
            for d in &rev.down_revisions {
                match map.by_id.get(d.as_str()) {
                    Some(&j) => down.push(j),
                    None => {
                        return Err(GraphError::MissingRevision {
                            missing: d.to_string(),
                            referenced_from: rev.id.to_string(),
                        });
                    }
                }
            }
            let all_down = dedupe(down.iter().chain(&resolved_deps[i]).copied());
            map.nodes.push(Node {
                down,
                norm_deps: Vec::new(),
                all_down,
                norm_down: Vec::new(),
                next: Vec::new(),
                all_next: Vec::new(),
                labels: empty_labels.clone(),
            });
        }

        // add_nextrev, heads and bases.
        for i in 0..n {
            for k in 0..map.nodes[i].all_down.len() {
                let d = map.nodes[i].all_down[k];
                map.nodes[d].all_next.push(i);
                if map.nodes[i].down.contains(&d) {
                    map.nodes[d].next.push(i);
                }
            }
        }
        for i in 0..n {
            let revs = &map.revs;
            let node = &mut map.nodes[i];
            node.next.sort_by(|a, b| revs[*a].id.cmp(&revs[*b].id));
            node.next.dedup();
            node.all_next.sort_by(|a, b| revs[*a].id.cmp(&revs[*b].id));
            node.all_next.dedup();
        }
        for (i, node) in map.nodes.iter().enumerate() {
            if node.next.is_empty() {
                map.heads.push(i);
            }
            if node.all_next.is_empty() {
                map.real_heads.push(i);
            }
            if node.down.is_empty() {
                map.bases.push(i);
                if map.revs[i].depends_on.is_empty() {
                    map.real_bases.push(i);
                }
            }
        }

        map.detect_cycles()?;
        map.compute_rank()?;
        map.normalize_depends_on(&resolved_deps);
        map.add_branches();
        Ok(map)
    }

    /// `_detect_cycles`.
    fn detect_cycles(&self) -> Result<(), GraphError> {
        let n = self.len();
        if n == 0 {
            return Ok(());
        }
        let all = || self.revs.iter().map(|r| r.id.to_string()).collect();
        let deleted = |space: NodeSet| -> Vec<String> {
            let mut out: Vec<String> = (0..n)
                .filter(|&i| !space.contains(i))
                .map(|i| self.revs[i].id.to_string())
                .collect();
            out.sort();
            out
        };
        if self.heads.is_empty() || self.bases.is_empty() {
            return Err(GraphError::Cycle {
                kind: CycleKind::Cycle,
                revisions: all(),
            });
        }
        let space = self
            .reach(&self.heads, Edges::Down)
            .intersection(&self.reach(&self.bases, Edges::Next), n);
        let revisions = deleted(space);
        if !revisions.is_empty() {
            return Err(GraphError::Cycle {
                kind: CycleKind::Cycle,
                revisions,
            });
        }
        if self.real_heads.is_empty() || self.real_bases.is_empty() {
            return Err(GraphError::Cycle {
                kind: CycleKind::DependencyCycle,
                revisions: all(),
            });
        }
        let space = self
            .reach(&self.real_heads, Edges::AllDown)
            .intersection(&self.reach(&self.real_bases, Edges::AllNext), n);
        let revisions = deleted(space);
        if !revisions.is_empty() {
            return Err(GraphError::Cycle {
                kind: CycleKind::DependencyCycle,
                revisions,
            });
        }
        Ok(())
    }

    /// A topological rank over down revisions and dependencies (parents rank lower).
    ///
    /// Alembic's `_detect_cycles` misses a cycle that is entered from a base and left towards
    /// a head; such a graph is rejected here, naming the revisions on the cycle.
    fn compute_rank(&mut self) -> Result<(), GraphError> {
        let n = self.len();
        let (order, left) = self.peel(Edges::AllDown);
        if left.is_empty() {
            for (r, &i) in order.iter().enumerate() {
                self.rank[i] = r as u32;
            }
            return Ok(());
        }
        let (_, versioned_left) = self.peel(Edges::Down);
        let (kind, left) = if versioned_left.is_empty() {
            (CycleKind::DependencyCycle, left)
        } else {
            (CycleKind::Cycle, versioned_left)
        };
        // Drop the revisions that merely descend from a cycle.
        let mut in_left = BitSet::new(n);
        for &i in &left {
            in_left.insert(i);
        }
        let (down, up) = match kind {
            CycleKind::Cycle => (Edges::Down, Edges::Next),
            _ => (Edges::AllDown, Edges::AllNext),
        };
        let mut out_degree: Vec<usize> = vec![0; n];
        let mut queue = VecDeque::new();
        for &i in &left {
            out_degree[i] = self
                .edges(i, up)
                .iter()
                .filter(|&&c| in_left.contains(c))
                .count();
            if out_degree[i] == 0 {
                queue.push_back(i);
            }
        }
        while let Some(i) = queue.pop_front() {
            in_left.remove(i);
            for &p in self.edges(i, down) {
                if in_left.contains(p) {
                    out_degree[p] -= 1;
                    if out_degree[p] == 0 {
                        queue.push_back(p);
                    }
                }
            }
        }
        let mut revisions: Vec<String> = left
            .into_iter()
            .filter(|&i| in_left.contains(i))
            .map(|i| self.revs[i].id.to_string())
            .collect();
        revisions.sort();
        Err(GraphError::Cycle { kind, revisions })
    }

    /// Kahn's algorithm from the roots upwards along `down` edges: the order reached and
    /// the revisions left over (on or above a cycle).
    fn peel(&self, down: Edges) -> (Vec<Ix>, Vec<Ix>) {
        let n = self.len();
        let up = match down {
            Edges::Down => Edges::Next,
            _ => Edges::AllNext,
        };
        let mut in_degree: Vec<usize> = (0..n).map(|i| dedupe_len(self.edges(i, down))).collect();
        let mut queue: VecDeque<Ix> = (0..n).filter(|&i| in_degree[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        let mut done = BitSet::new(n);
        while let Some(i) = queue.pop_front() {
            order.push(i);
            done.insert(i);
            for &c in self.edges(i, up) {
                in_degree[c] -= 1;
                if in_degree[c] == 0 {
                    queue.push_back(c);
                }
            }
        }
        let left = (0..n).filter(|&i| !done.contains(i)).collect();
        (order, left)
    }

    /// `_normalize_depends_on`: a dependency is dropped when a versioned ancestor already
    /// depends on it. The dependencies keep their declared order (Alembic's is a set's).
    ///
    /// Computed per dependency target rather than per revision: the revisions sharing a
    /// dependency are marked when one of them descends (by down revision) from another.
    fn normalize_depends_on(&mut self, resolved: &[Vec<Ix>]) {
        let n = self.len();
        let deps: Vec<Vec<Ix>> = resolved.iter().map(|d| dedupe(d.iter().copied())).collect();
        let mut dependents: HashMap<Ix, Vec<Ix>> = HashMap::new();
        for (i, ds) in deps.iter().enumerate() {
            for &d in ds {
                dependents.entry(d).or_default().push(i);
            }
        }
        // (revision, dependency) pairs already implied by an ancestor.
        let mut implied: HashMap<Ix, Vec<Ix>> = HashMap::new();
        let mut visited = BitSet::new(n);
        let mut touched: Vec<Ix> = Vec::new();
        let mut targets: Vec<Ix> = dependents.keys().copied().collect();
        targets.sort_unstable();
        for d in targets {
            let members = &dependents[&d];
            if members.len() < 2 {
                continue;
            }
            let ceiling = members.iter().map(|&m| self.rank[m]).max().unwrap_or(0);
            let mut stack: Vec<Ix> = members
                .iter()
                .flat_map(|&m| self.nodes[m].next.iter().copied())
                .collect();
            while let Some(i) = stack.pop() {
                if self.rank[i] <= ceiling && visited.insert(i) {
                    touched.push(i);
                    stack.extend_from_slice(&self.nodes[i].next);
                }
            }
            for &m in members {
                if visited.contains(m) {
                    implied.entry(m).or_default().push(d);
                }
            }
            for i in touched.drain(..) {
                visited.remove(i);
            }
        }
        for (i, ds) in deps.into_iter().enumerate() {
            let drop = implied.get(&i);
            let norm_deps: Vec<Ix> = ds
                .into_iter()
                .filter(|d| !drop.is_some_and(|x| x.contains(d)))
                .collect();
            let node = &mut self.nodes[i];
            node.norm_down = dedupe(node.down.iter().chain(&norm_deps).copied());
            node.norm_deps = norm_deps;
        }
    }

    /// `_add_branches`, made deterministic.
    ///
    /// Every revision carries the labels of its versioned ancestors. In addition, Alembic walks
    /// down from the last descendant of each labelled revision, labelling revisions until it
    /// meets a branch point (counting dependents) or a merge point. That walk only reaches
    /// below the labelled revision when its descendants form a plain line to a head, so the
    /// result is: for each head, the line below it up to the first branch or merge point
    /// shares the head's labels if any revision on that line declares a label.
    fn add_branches(&mut self) {
        let n = self.len();
        if self.label_keys.is_empty() {
            return;
        }
        // Label ids in name order, so sorted ids are sorted names.
        let mut names: Vec<Box<str>> = self.label_keys.iter().map(|(l, _)| l.clone()).collect();
        names.sort();
        let id_of = |l: &str| names.binary_search_by(|x| (**x).cmp(l)).unwrap_or(0) as u32;
        let mut order: Vec<Ix> = (0..n).collect();
        order.sort_by_key(|&i| self.rank[i]);
        let empty: Arc<[u32]> = Arc::from(Vec::new());
        let mut labels: Vec<Arc<[u32]>> = vec![empty.clone(); n];
        for &i in &order {
            let node = &self.nodes[i];
            let own = &self.revs[i].branch_labels;
            labels[i] = match (own.is_empty(), node.down.as_slice()) {
                (true, []) => empty.clone(),
                (true, [p]) => labels[*p].clone(),
                _ => {
                    let mut set: Vec<u32> = own.iter().map(|l| id_of(l)).collect();
                    for &p in &node.down {
                        set.extend(labels[p].iter().copied());
                    }
                    set.sort_unstable();
                    set.dedup();
                    Arc::from(set)
                }
            };
        }
        for hi in 0..self.heads.len() {
            let head = self.heads[hi];
            let mut path = Vec::new();
            let mut labelled = false;
            let mut cur = Some(head);
            while let Some(i) = cur {
                let node = &self.nodes[i];
                if node.all_next.len() > 1 || node.down.len() > 1 {
                    break;
                }
                path.push(i);
                labelled |= !self.revs[i].branch_labels.is_empty();
                cur = node.down.first().copied();
            }
            if labelled {
                let top = labels[head].clone();
                for i in path {
                    labels[i] = top.clone();
                }
            }
        }
        for (node, l) in self.nodes.iter_mut().zip(labels) {
            node.labels = l;
        }
        self.label_names = names;
    }

    /// The revision a map key (identifier or branch label) names.
    pub(super) fn lookup_key(&self, key: &str) -> Option<Ix> {
        self.by_id
            .get(key)
            .or_else(|| self.by_label.get(key))
            .copied()
    }

    /// The revision a unique prefix of a map key of more than three characters names.
    fn unique_prefix(&self, prefix: &str) -> Option<Ix> {
        let mut found = self
            .keys()
            .filter(|(k, _)| k.chars().count() > 3 && k.starts_with(prefix));
        match (found.next(), found.next()) {
            (Some((_, i)), None) if !prefix.is_empty() => Some(i),
            _ => None,
        }
    }
}

fn dedupe(items: impl Iterator<Item = Ix>) -> Vec<Ix> {
    let mut out: Vec<Ix> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn dedupe_len(items: &[Ix]) -> usize {
    let mut seen: Vec<Ix> = Vec::with_capacity(items.len());
    for &i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.len()
}

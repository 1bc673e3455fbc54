//! Target resolution: `_resolve_revision_number`, `_revision_for_ident`, `get_revisions`,
//! `get_revision`, `filter_for_lineage`, `_walk` and the relative-target syntax.

use std::borrow::Cow;

use super::error::GraphError;
use super::set::NodeSet;
use super::{Edges, Ix, RevisionMap};
use crate::revision::RevisionId;

/// One of the polymorphic revision arguments of Alembic's API.
#[derive(Debug, Clone)]
pub(super) enum Arg<'a> {
    /// Python `None`.
    None,
    /// A string, parsed for symbols, `label@` and relative syntax.
    Str(&'a str),
    /// A tuple of identifiers, e.g. the current heads.
    Tuple(Vec<&'a str>),
}

impl<'a> Arg<'a> {
    /// Python truthiness.
    pub(super) fn truthy(&self) -> bool {
        match self {
            Arg::None => false,
            Arg::Str(s) => !s.is_empty(),
            Arg::Tuple(v) => !v.is_empty(),
        }
    }

    /// `util.to_tuple(x)`: `None` stays `None`.
    pub(super) fn to_tuple(&self) -> Option<Vec<&'a str>> {
        match self {
            Arg::None => None,
            Arg::Str(s) => Some(vec![*s]),
            Arg::Tuple(v) => Some(v.clone()),
        }
    }

    /// Python's `"%s" % x`.
    pub(super) fn py_str(&self) -> String {
        match self {
            Arg::None => "None".to_owned(),
            Arg::Str(s) => (*s).to_owned(),
            Arg::Tuple(v) => {
                let items: Vec<String> = v.iter().map(|s| format!("'{s}'")).collect();
                if items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                }
            }
        }
    }

    /// Python's `x or "base"`.
    pub(super) fn or_base(&self) -> String {
        if self.truthy() {
            self.py_str()
        } else {
            "base".to_owned()
        }
    }
}

/// A resolved identifier: a revision already known, or text still to be looked up.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ident<'a> {
    Ix(Ix),
    Str(&'a str),
}

/// What Alembic's `get_revisions` and `_walk` return: a revision, the string `"base"`, or
/// `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pos {
    Rev(Ix),
    /// The string `"base"`: below every root.
    Base,
    /// Python `None`: no revision (the empty start, or a walk past the end).
    Nothing,
}

impl From<Option<Ix>> for Pos {
    fn from(i: Option<Ix>) -> Self {
        i.map_or(Pos::Nothing, Pos::Rev)
    }
}

/// A match of Alembic's `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`, anchored at the start only.
#[derive(Debug, Clone, Copy)]
pub(super) struct Relative<'a> {
    pub(super) branch: Option<&'a str>,
    pub(super) symbol: Option<&'a str>,
    /// The signed number as written, e.g. `+2` or `-02`.
    pub(super) text: &'a str,
    pub(super) negative: bool,
    /// `abs(int(text))` as Python prints it.
    pub(super) magnitude: &'a str,
    /// `abs(int(text))`, saturated.
    pub(super) steps: u64,
}

impl Relative<'_> {
    /// `int(text) > 0`.
    pub(super) fn is_positive(&self) -> bool {
        !self.negative && self.steps > 0
    }

    /// `int(text)` as Python prints it.
    pub(super) fn int_str(&self) -> String {
        if self.negative && self.steps > 0 {
            format!("-{}", self.magnitude)
        } else {
            self.magnitude.to_owned()
        }
    }

    /// `Relative revision X didn't produce N migrations`.
    pub(super) fn didnt_produce(&self, shown: &str) -> GraphError {
        GraphError::Revision(format!(
            "Relative revision {shown} didn't produce {} migrations",
            self.magnitude
        ))
    }
}

pub(super) fn parse_relative(s: &str) -> Option<Relative<'_>> {
    for (p, _) in s.match_indices('@') {
        if s[..p].contains('\n') {
            break;
        }
        if p == 0 {
            continue;
        }
        if let Some(mut rel) = match_tail(&s[p + 1..]) {
            rel.branch = Some(&s[..p]);
            return Some(rel);
        }
    }
    match_tail(s)
}

fn match_tail(t: &str) -> Option<Relative<'_>> {
    let word = t
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(t.len(), |(i, _)| i);
    let rest = &t[word..];
    let negative = match rest.as_bytes().first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return None,
    };
    let digits = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let text = &rest[..1 + digits];
    let all = &rest[1..1 + digits];
    let trimmed = all.trim_start_matches('0');
    let magnitude = if trimmed.is_empty() { "0" } else { trimmed };
    Some(Relative {
        branch: None,
        symbol: (word > 0).then(|| &t[..word]),
        text,
        negative,
        magnitude,
        steps: magnitude.parse().unwrap_or(u64::MAX),
    })
}

/// `int(s) < 0` in Python: the number of steps, when `s` is a negative integer.
fn py_negative_int(s: &str) -> Option<u64> {
    let t = s.trim().strip_prefix('-')?;
    let mut digits = String::new();
    let mut last_underscore = true;
    for c in t.chars() {
        match c {
            '0'..='9' => {
                digits.push(c);
                last_underscore = false;
            }
            '_' if !last_underscore => last_underscore = true,
            _ => return None,
        }
    }
    if digits.is_empty() || last_underscore {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return None;
    }
    Some(trimmed.parse().unwrap_or(u64::MAX))
}

/// Python truthiness of an optional label.
fn truthy(label: Option<&str>) -> Option<&str> {
    label.filter(|l| !l.is_empty())
}

impl RevisionMap {
    /// `_resolve_revision_number`.
    pub(super) fn resolve_number<'a>(
        &self,
        arg: &Arg<'a>,
    ) -> Result<(Vec<Ident<'a>>, Option<&'a str>), GraphError> {
        let (label, id) = match arg {
            Arg::None => return Ok((Vec::new(), None)),
            Arg::Tuple(v) => return Ok((v.iter().map(|s| Ident::Str(s)).collect(), None)),
            Arg::Str(s) => match s.split_once('@') {
                Some((l, id)) => (Some(l), id),
                None => (None, *s),
            },
        };
        let ids = match id {
            "heads" => match truthy(label) {
                Some(l) => self.filter_for_lineage(&self.heads, &Arg::Str(l), false)?,
                None => self.real_heads.clone(),
            }
            .into_iter()
            .map(Ident::Ix)
            .collect(),
            "head" => self
                .current_head(truthy(label))?
                .into_iter()
                .map(Ident::Ix)
                .collect(),
            "base" => Vec::new(),
            _ => vec![Ident::Str(id)],
        };
        Ok((ids, label))
    }

    /// `get_current_head`.
    fn current_head(&self, label: Option<&str>) -> Result<Option<Ix>, GraphError> {
        let heads = match label {
            Some(l) => self.filter_for_lineage(&self.heads, &Arg::Str(l), false)?,
            None => self.heads.clone(),
        };
        if heads.len() > 1 {
            return Err(GraphError::MultipleHeads {
                heads: heads.iter().map(|&i| self.id(i).to_owned()).collect(),
                argument: match label {
                    Some(l) => format!("{l}@head"),
                    None => "head".to_owned(),
                },
            });
        }
        Ok(heads.first().copied())
    }

    /// `_revision_for_ident`; `ident` `None` is Alembic's `()`.
    pub(super) fn revision_for_ident(
        &self,
        ident: Option<Ident<'_>>,
        check_branch: Option<&str>,
    ) -> Result<Option<Ix>, GraphError> {
        let branch = truthy(check_branch);
        let branch_rev = match branch {
            Some(l) => Some(self.resolve_branch(l)?),
            None => None,
        };
        let (revision, text): (Option<Ix>, Cow<'_, str>) = match ident {
            None => (None, Cow::Borrowed("")),
            Some(Ident::Ix(i)) => (Some(i), Cow::Borrowed(self.id(i))),
            Some(Ident::Str(s)) => match self.lookup_key(s) {
                Some(i) => (Some(i), Cow::Borrowed(s)),
                None => (Some(self.partial(s, branch)?), Cow::Borrowed(s)),
            },
        };
        if let (Some(l), Some(r), Some(b)) = (branch, revision, branch_rev)
            && !self.shares_lineage(r, b)
        {
            return Err(GraphError::Resolution {
                message: format!("Revision {} is not a member of branch '{l}'", self.id(r)),
                argument: text.into_owned(),
            });
        }
        Ok(revision)
    }

    /// The partial-identifier lookup of `_revision_for_ident`.
    fn partial(&self, s: &str, branch: Option<&str>) -> Result<Ix, GraphError> {
        let mut revs: Vec<(&str, Ix)> = if s.is_empty() {
            Vec::new()
        } else {
            self.keys()
                .filter(|(k, _)| k.chars().count() > 3 && k.starts_with(s))
                .collect()
        };
        if let Some(l) = branch {
            let ixs: Vec<Ix> = revs.iter().map(|&(_, i)| i).collect();
            let (ids, label) = self.resolve_number(&Arg::Str(l))?;
            if !ixs.is_empty() {
                let keep = self.lineage_filter(&ids, label, false)?;
                revs.retain(|&(_, i)| keep.as_ref().is_none_or(|k| k.contains(i)));
            }
        }
        match revs.as_slice() {
            [] => Err(GraphError::Resolution {
                message: format!(
                    "No such revision or branch '{s}'{}",
                    if s.chars().count() < 4 {
                        "; please ensure at least four characters are present for partial \
                         revision identifier matches"
                    } else {
                        ""
                    }
                ),
                argument: s.to_owned(),
            }),
            [(_, i)] => Ok(*i),
            many => Err(GraphError::Resolution {
                message: format!(
                    "Multiple revisions start with '{s}': {}...",
                    many.iter()
                        .take(3)
                        .map(|(k, _)| format!("'{k}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                argument: s.to_owned(),
            }),
        }
    }

    /// `_resolve_branch`.
    pub(super) fn resolve_branch(&self, label: &str) -> Result<Ix, GraphError> {
        if let Some(i) = self.lookup_key(label) {
            return Ok(i);
        }
        match self.revision_for_ident(Some(Ident::Str(label)), None) {
            Ok(Some(i)) => Ok(i),
            Ok(None) | Err(GraphError::Resolution { .. }) => Err(GraphError::Resolution {
                message: format!("No such branch: '{label}'"),
                argument: label.to_owned(),
            }),
            Err(e) => Err(e),
        }
    }

    /// `_shares_lineage(target, [other])` without dependencies.
    pub(super) fn shares_lineage(&self, target: Ix, other: Ix) -> bool {
        self.is_ancestor(other, target, Edges::Down) || self.is_ancestor(target, other, Edges::Down)
    }

    /// The lineage (ancestors and descendants) of the revisions `filter_for_lineage` compares
    /// against; `None` means "everything" (nothing to compare against).
    fn lineage_filter(
        &self,
        ids: &[Ident<'_>],
        label: Option<&str>,
        include_dependencies: bool,
    ) -> Result<Option<NodeSet>, GraphError> {
        let mut shares: Vec<Ix> = Vec::new();
        let mut any = false;
        if let Some(l) = truthy(label) {
            any = true;
            shares.extend(self.revision_for_ident(Some(Ident::Str(l)), None)?);
        }
        for &id in ids {
            any = true;
            shares.extend(self.revision_for_ident(Some(id), None)?);
        }
        if !any {
            return Ok(None);
        }
        let (down, up) = if include_dependencies {
            (Edges::NormDown, Edges::AllNext)
        } else {
            (Edges::Down, Edges::Next)
        };
        let mut lineage = self.reach(&shares, down);
        for i in self.reach(&shares, up).iter() {
            lineage.insert(i);
        }
        Ok(Some(lineage))
    }

    /// `filter_for_lineage`: the targets sharing lineage with `check_against`.
    pub(super) fn filter_for_lineage(
        &self,
        targets: &[Ix],
        check_against: &Arg<'_>,
        include_dependencies: bool,
    ) -> Result<Vec<Ix>, GraphError> {
        let (ids, label) = self.resolve_number(check_against)?;
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        Ok(
            match self.lineage_filter(&ids, label, include_dependencies)? {
                None => targets.to_vec(),
                Some(lineage) => targets
                    .iter()
                    .copied()
                    .filter(|&t| lineage.contains(t))
                    .collect(),
            },
        )
    }

    /// `filter_for_lineage` over identifiers as strings (each one is resolved first).
    pub(super) fn filter_strs_for_lineage<'s>(
        &self,
        targets: &[&'s str],
        check_against: &Arg<'_>,
    ) -> Result<Vec<&'s str>, GraphError> {
        let (ids, label) = self.resolve_number(check_against)?;
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let Some(lineage) = self.lineage_filter(&ids, label, false)? else {
            return Ok(targets.to_vec());
        };
        let mut out = Vec::new();
        for &t in targets {
            let i = self.revision_for_ident(Some(Ident::Str(t)), None)?;
            if i.is_some_and(|i| lineage.contains(i)) {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// `get_revisions`.
    pub(super) fn get_revisions(&self, arg: &Arg<'_>) -> Result<Vec<Pos>, GraphError> {
        if let Arg::Tuple(v) = arg {
            let mut out = Vec::new();
            for s in v {
                out.extend(self.get_revisions(&Arg::Str(s))?);
            }
            return Ok(out);
        }
        let (ids, label) = self.resolve_number(arg)?;
        if let [Ident::Str(s)] = ids.as_slice()
            && let Some(steps) = py_negative_int(s)
        {
            // branch@-n: walk down from the (labelled) heads.
            let mut out = Vec::new();
            for &h in &self.real_heads {
                if label.is_none_or(|l| self.has_label(h, l)) {
                    out.push(self.walk(Pos::Rev(h), steps, true, None, true)?);
                }
            }
            return Ok(out);
        }
        ids.into_iter()
            .map(|id| Ok(Pos::from(self.revision_for_ident(Some(id), label)?)))
            .collect()
    }

    /// `get_revision`.
    pub(super) fn get_revision(&self, arg: &Arg<'_>) -> Result<Option<Ix>, GraphError> {
        let (ids, label) = self.resolve_number(arg)?;
        if ids.len() > 1 {
            return Err(GraphError::MultipleHeads {
                heads: ids
                    .iter()
                    .map(|id| match id {
                        Ident::Ix(i) => self.id(*i).to_owned(),
                        Ident::Str(s) => (*s).to_owned(),
                    })
                    .collect(),
                argument: arg.py_str(),
            });
        }
        self.revision_for_ident(ids.first().copied(), label)
    }

    /// `get_revision` of one string.
    pub(super) fn get_revision_str(&self, s: &str) -> Result<Option<Ix>, GraphError> {
        self.get_revision(&Arg::Str(s))
    }

    /// `_walk`: `steps` up (or down when `down`), optionally keeping to `label`'s lineage on
    /// the way up.
    pub(super) fn walk(
        &self,
        start: Pos,
        steps: u64,
        down: bool,
        label: Option<&str>,
        no_overwalk: bool,
    ) -> Result<Pos, GraphError> {
        let mut initial = start;
        for _ in 0..steps {
            let children: Vec<Pos> = if !down {
                let up: &[Ix] = match initial {
                    Pos::Rev(i) => &self.nodes[i].next,
                    Pos::Base | Pos::Nothing => &self.bases,
                };
                match truthy(label) {
                    Some(l) => self.filter_for_lineage(up, &Arg::Str(l), false)?,
                    None => up.to_vec(),
                }
                .into_iter()
                .map(Pos::Rev)
                .collect()
            } else {
                let below: &[Ix] = match initial {
                    Pos::Base => &[],
                    Pos::Nothing => &self.heads,
                    Pos::Rev(i) => &self.nodes[i].down,
                };
                if below.is_empty() && initial != Pos::Base {
                    vec![Pos::Base]
                } else {
                    below.iter().copied().map(Pos::Rev).collect()
                }
            };
            match children.as_slice() {
                [] => return Ok(if no_overwalk { Pos::Nothing } else { initial }),
                [only] => initial = *only,
                _ => return Err(GraphError::Revision("Ambiguous walk".to_owned())),
            }
        }
        Ok(initial)
    }

    /// `_get_all_current`: the stored heads plus the heads their dependencies imply, in
    /// load order.
    pub(super) fn all_current(&self, ids: &[&str]) -> Result<Vec<Ix>, GraphError> {
        let top: Vec<Ix> = self
            .get_revisions(&Arg::Tuple(ids.to_vec()))?
            .into_iter()
            .filter_map(|p| match p {
                Pos::Rev(i) => Some(i),
                _ => None,
            })
            .collect();
        let all = self.reach(&top, Edges::NormDown);
        // _filter_into_branch_heads: keep what has no descendant (by down revision) in the set.
        let mut out: Vec<Ix> = all
            .iter()
            .filter(|&i| !self.nodes[i].next.iter().any(|&c| all.contains(c)))
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    /// Resolves a target to revisions, as Alembic's `RevisionMap.get_revisions`: `head`,
    /// `heads`, `base` (no revisions), an identifier or unique prefix (of more than three
    /// characters' keys), a branch label, `label@head`, `label@heads`, `label@base`,
    /// `label@rev`, and `-n` / `label@-n` (n below the heads).
    ///
    /// # Errors
    ///
    /// `RevisionMap`-level texts (`No such revision or branch 'x'`, `Multiple heads are
    /// present …`); [`GraphError::into_command`] gives the command-level wording.
    pub fn resolve(&self, target: &str) -> Result<Vec<&RevisionId>, GraphError> {
        Ok(self
            .get_revisions(&Arg::Str(target))?
            .into_iter()
            .filter_map(|p| match p {
                Pos::Rev(i) => Some(&self.revs[i].id),
                _ => None,
            })
            .collect())
    }

    /// Resolves a target that must name at most one revision (Alembic's `get_revision`);
    /// `None` for `base`.
    ///
    /// # Errors
    ///
    /// As [`resolve`](Self::resolve), and `Multiple heads are present …` when the target
    /// names several revisions.
    pub fn resolve_one(&self, target: &str) -> Result<Option<&RevisionId>, GraphError> {
        Ok(self.get_revision_str(target)?.map(|i| &self.revs[i].id))
    }

    /// The current heads as `alembic current` shows them: the stored heads plus the heads
    /// their dependencies imply (which the version table does not store), in load order.
    ///
    /// # Errors
    ///
    /// A stored identifier that does not resolve.
    pub fn expand_heads(&self, stored: &[RevisionId]) -> Result<Vec<RevisionId>, GraphError> {
        let ids: Vec<&str> = stored.iter().map(RevisionId::as_str).collect();
        Ok(self
            .all_current(&ids)?
            .into_iter()
            .map(|i| self.revs[i].id.clone())
            .collect())
    }
}

//! Table-driven tests: the cases of the reference's §8.3 and Alembic's own
//! `tests/test_revision.py`, `tests/test_version_traversal.py` and
//! `tests/test_version_table.py`, written in the reference's §8.2 notation:
//! `rev(parents; deps=[...]; label=L)`, listed in load order. `name=realid(...)` gives a
//! revision a real identifier while the test refers to it by `name`; `{name}` in a target
//! stands for the real identifier.

mod large_map;

use super::iterate::Opts;
use super::resolve::Arg;
use super::*;
use crate::revision::Format;

// ---------------------------------------------------------------------------------------
// The notation.

fn split_top(s: &str, seps: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 && seps.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn list(v: &str) -> Vec<String> {
    let v = v.trim();
    let v = v
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(v);
    v.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn rev(id: &str, down: &[&str], deps: &[&str], labels: &[&str]) -> Revision {
    Revision {
        id: RevisionId::new(id).unwrap(),
        down_revisions: down.iter().map(|d| RevisionId::new(d).unwrap()).collect(),
        branch_labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        depends_on: deps.iter().map(|d| (*d).to_owned()).collect(),
        longdoc: format!("{id} doc"),
        create_date: None,
        path: None,
        format: Format::Rust,
    }
}

/// Parses the notation into revisions and the `name=realid` aliases.
fn parse(spec: &str) -> (Vec<Revision>, Vec<(String, String)>) {
    let mut aliases: Vec<(String, String)> = Vec::new();
    let items = split_top(spec, &[';', ',']);
    let mut raw = Vec::new();
    for item in &items {
        let open = item.find('(').expect("item has parentheses");
        let head = &item[..open];
        let inner = &item[open + 1..item.len() - 1];
        let (name, id) = match head.split_once('=') {
            Some((n, id)) => (n.trim().to_owned(), id.trim().to_owned()),
            None => (head.trim().to_owned(), head.trim().to_owned()),
        };
        if name != id {
            aliases.push((name.clone(), id.clone()));
        }
        raw.push((id, inner.to_owned()));
    }
    let real = |n: &str| -> String {
        aliases
            .iter()
            .find(|(a, _)| a == n)
            .map_or_else(|| n.to_owned(), |(_, id)| id.clone())
    };
    let revs = raw
        .iter()
        .map(|(id, inner)| {
            let parts: Vec<&str> = inner.split(';').collect();
            let down: Vec<String> = list(parts[0]).iter().map(|d| real(d)).collect();
            let mut deps = Vec::new();
            let mut labels = Vec::new();
            for p in &parts[1..] {
                let Some((k, v)) = p.split_once('=') else {
                    continue;
                };
                match k.trim() {
                    "deps" => deps = list(v).iter().map(|d| real(d)).collect(),
                    "label" => labels = list(v),
                    other => panic!("unknown key {other}"),
                }
            }
            let down: Vec<&str> = down.iter().map(String::as_str).collect();
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            rev(id, &down, &deps, &labels)
        })
        .collect();
    (revs, aliases)
}

fn try_graph(spec: &str) -> Result<RevisionMap, GraphError> {
    RevisionMap::new(parse(spec).0)
}

struct G {
    map: RevisionMap,
    aliases: Vec<(String, String)>,
}

fn g(spec: &str) -> G {
    let (revs, aliases) = parse(spec);
    G {
        map: RevisionMap::new(revs).unwrap(),
        aliases,
    }
}

/// Splits `"a b"` into words; `""` is nothing.
fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

impl G {
    fn real(&self, name: &str) -> String {
        self.aliases
            .iter()
            .find(|(a, _)| a == name)
            .map_or_else(|| name.to_owned(), |(_, id)| id.clone())
    }

    fn name(&self, id: &str) -> String {
        self.aliases
            .iter()
            .find(|(_, r)| r == id)
            .map_or_else(|| id.to_owned(), |(a, _)| a.clone())
    }

    /// Replaces `{name}` with the real identifier.
    fn subst(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (a, id) in &self.aliases {
            out = out.replace(&format!("{{{a}}}"), id);
        }
        out
    }

    fn ids(&self, names: &str) -> Vec<RevisionId> {
        words(names)
            .into_iter()
            .map(|n| RevisionId::new(&self.real(n)).unwrap())
            .collect()
    }

    fn names(&self, ids: &[&RevisionId]) -> String {
        ids.iter()
            .map(|i| self.name(i.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn heads_str(&self, heads: &Heads) -> String {
        let mut names: Vec<String> = heads.ids().iter().map(|i| self.name(i.as_str())).collect();
        names.sort();
        names.join(" ")
    }

    fn step_str(&self, step: &Step) -> String {
        let join = |v: &[RevisionId]| {
            v.iter()
                .map(|i| self.name(i.as_str()))
                .collect::<Vec<_>>()
                .join(",")
        };
        match (&step.revision, step.direction) {
            (Some(r), Direction::Upgrade) => format!("+{}", self.name(r.as_str())),
            (Some(r), Direction::Downgrade) => format!("-{}", self.name(r.as_str())),
            (None, _) => format!("stamp({}>{})", join(&step.from), join(&step.to)),
        }
    }

    fn op_str(&self, op: &RowOp) -> String {
        match op {
            RowOp::Insert(i) => format!("INSERT {}", self.name(i.as_str())),
            RowOp::Update { from, to } => {
                format!(
                    "UPDATE {}>{}",
                    self.name(from.as_str()),
                    self.name(to.as_str())
                )
            }
            RowOp::Delete(i) => format!("DELETE {}", self.name(i.as_str())),
        }
    }

    /// Replays `steps` from `current`; checks the rendering (with rows when `expected`
    /// contains `:`) and the heads afterwards.
    #[track_caller]
    fn replay(&self, current: &str, steps: &[Step], expected: &str, expected_heads: &str) {
        let mut heads = Heads::new(self.ids(current));
        let mut plain = Vec::new();
        let mut with_rows = Vec::new();
        for step in steps {
            let ops = heads.apply(&self.map, step).unwrap();
            let ops: Vec<String> = ops.iter().map(|o| self.op_str(o)).collect();
            plain.push(self.step_str(step));
            with_rows.push(format!("{}: {}", self.step_str(step), ops.join(", ")));
        }
        if expected.contains(':') {
            assert_eq!(with_rows.join("; "), expected);
        } else {
            assert_eq!(plain.join(" "), expected, "rows: {}", with_rows.join("; "));
        }
        assert_eq!(
            self.heads_str(&heads),
            expected_heads,
            "heads after {expected}"
        );
    }

    #[track_caller]
    fn up(&self, current: &str, target: &str, expected: &str, expected_heads: &str) {
        let steps = self
            .map
            .upgrade_steps(&self.ids(current), &self.subst(target))
            .unwrap();
        self.replay(current, &steps, expected, expected_heads);
    }

    #[track_caller]
    fn down(&self, current: &str, target: &str, expected: &str, expected_heads: &str) {
        let steps = self
            .map
            .downgrade_steps(&self.ids(current), &self.subst(target))
            .unwrap();
        self.replay(current, &steps, expected, expected_heads);
    }

    #[track_caller]
    fn stamp(&self, current: &str, targets: &str, expected: &str, expected_heads: &str) {
        let targets: Vec<String> = words(targets).iter().map(|t| self.subst(t)).collect();
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        let steps = self
            .map
            .stamp_steps(&self.ids(current), &targets, false)
            .unwrap();
        self.replay(current, &steps, expected, expected_heads);
    }

    /// Upgrade to a tuple of targets, as Alembic's tests can.
    #[track_caller]
    fn up_tuple(&self, current: &str, targets: &str, expected: &str, expected_heads: &str) {
        let targets: Vec<String> = words(targets).iter().map(|t| self.real(t)).collect();
        let current_ids: Vec<String> = words(current).iter().map(|t| self.real(t)).collect();
        let opts = Opts {
            public: IterateOptions {
                implicit_base: true,
                ..IterateOptions::default()
            },
            strict_relative: true,
        };
        let revs = self
            .map
            .iterate(
                &Arg::Tuple(targets.iter().map(String::as_str).collect()),
                &Arg::Tuple(current_ids.iter().map(String::as_str).collect()),
                opts,
            )
            .unwrap();
        let steps: Vec<Step> = revs
            .into_iter()
            .rev()
            .map(|i| Step::upgrade_of(&self.map, i))
            .collect();
        self.replay(current, &steps, expected, expected_heads);
    }

    #[track_caller]
    fn up_err(&self, current: &str, target: &str, expected: &str) {
        let err = self
            .map
            .upgrade_steps(&self.ids(current), &self.subst(target))
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn down_err(&self, current: &str, target: &str, expected: &str) {
        let err = self
            .map
            .downgrade_steps(&self.ids(current), &self.subst(target))
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn stamp_err(&self, current: &str, targets: &str, expected: &str) {
        let targets: Vec<String> = words(targets).iter().map(|t| self.subst(t)).collect();
        let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
        let err = self
            .map
            .stamp_steps(&self.ids(current), &targets, false)
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    /// `iterate_revisions(upper, lower, …)`. An argument is `""` (None), `"()"` (the empty
    /// tuple), `"(a, b)"` (a tuple) or a target string. `opts` holds the words `incl`,
    /// `implicit`, `down` and `noassert`.
    fn iterate(&self, upper: &str, lower: &str, opts: &str) -> Result<Vec<Ix>, GraphError> {
        fn arg(s: &str) -> Arg<'_> {
            if s.is_empty() {
                Arg::None
            } else if let Some(inner) = s.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
                Arg::Tuple(
                    inner
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect(),
                )
            } else {
                Arg::Str(s)
            }
        }
        let opts = Opts {
            public: IterateOptions {
                inclusive: opts.contains("incl"),
                implicit_base: opts.contains("implicit"),
                select_for_downgrade: opts.contains("down"),
                assert_relative_length: !opts.contains("noassert"),
            },
            strict_relative: false,
        };
        self.map.iterate(&arg(upper), &arg(lower), opts)
    }

    #[track_caller]
    fn iter(&self, upper: &str, lower: &str, opts: &str, expected: &str) {
        let revs = self.iterate(upper, lower, opts).unwrap();
        // Every edge runs from an earlier to a later revision in the reversed order.
        let pos: HashMap<Ix, usize> = revs
            .iter()
            .rev()
            .enumerate()
            .map(|(p, &i)| (i, p))
            .collect();
        for &child in &revs {
            for &parent in &self.map.nodes[child].norm_down {
                if let Some(pp) = pos.get(&parent) {
                    assert!(*pp < pos[&child], "{parent} must precede {child}");
                }
            }
        }
        let names: Vec<String> = revs.iter().map(|&i| self.name(self.map.id(i))).collect();
        assert_eq!(
            names.join(" "),
            expected,
            "iterate {upper} -> {lower} ({opts})"
        );
    }

    #[track_caller]
    fn iter_err(&self, upper: &str, lower: &str, opts: &str, expected: &str) {
        let err = self.iterate(upper, lower, opts).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn resolve(&self, target: &str, expected: &str) {
        let got = self.map.resolve(&self.subst(target)).unwrap();
        assert_eq!(self.names(&got), expected, "resolve {target}");
    }

    #[track_caller]
    fn resolve_one(&self, target: &str, expected: &str) {
        let got = self.map.resolve_one(&self.subst(target)).unwrap();
        assert_eq!(
            got.map(|i| self.name(i.as_str())).unwrap_or_default(),
            expected
        );
    }

    #[track_caller]
    fn resolve_err(&self, target: &str, expected: &str) {
        let err = self.map.resolve(&self.subst(target)).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn resolve_one_err(&self, target: &str, expected: &str) {
        let err = self.map.resolve_one(&self.subst(target)).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn history(&self, range: Option<&str>, current: &str, expected: &str) {
        let range = range.map(|r| self.subst(r));
        let got = self
            .map
            .history(range.as_deref(), &self.ids(current))
            .unwrap();
        let ids: Vec<&RevisionId> = got.iter().map(|r| &r.id).collect();
        assert_eq!(self.names(&ids), expected, "history {range:?}");
    }

    #[track_caller]
    fn history_err(&self, range: &str, current: &str, expected: &str) {
        let err = self
            .map
            .history(Some(&self.subst(range)), &self.ids(current))
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[track_caller]
    fn current(&self, stored: &str, expected: &str) {
        let got = self.map.expand_heads(&self.ids(stored)).unwrap();
        let got: Vec<&RevisionId> = got.iter().collect();
        assert_eq!(self.names(&got), expected);
    }

    #[track_caller]
    fn heads(&self, expected: &str) {
        assert_eq!(self.names(&self.map.heads()), expected);
    }
}

#[track_caller]
fn load_err(spec: &str, expected: &str) {
    assert_eq!(try_graph(spec).unwrap_err().to_string(), expected);
}

fn stamp_step(from: &str, to: &str, direction: Direction, branch_move: bool) -> Step {
    let ids = |s: &str| -> Vec<RevisionId> {
        s.split(',')
            .filter(|s| !s.is_empty())
            .map(|s| RevisionId::new(s).unwrap())
            .collect()
    };
    Step::stamp(ids(from), ids(to), direction, branch_move)
}

// ---------------------------------------------------------------------------------------
// §8.3 G-LIN (RevisionPathTest): cases 1–22.

const G_LIN: &str = "a=e6239818bb3a(); b=548bbb905360(a); c=b7ea43dc85e4(b); \
                     d=1bbe33445780(c); e=3975fb1a0125(d)";

#[test]
fn linear_downgrade_no_ops() {
    let g = g(G_LIN);
    g.down("", "base", "", ""); // 1
    g.down("a", "{a}", "", "a"); // 2 (#838)
    g.down("e", "{e}", "", "e"); // 3 (#839)
    g.down("c", "{c}", "", "c");
}

#[test]
fn linear_upgrade() {
    let g = g(G_LIN);
    g.up("c", "{e}", "+d +e", "e"); // 4
    g.up("", "{c}", "+a +b +c", "c"); // 5
    g.up(
        "",
        "{c}",
        "+a: INSERT a; +b: UPDATE a>b; +c: UPDATE b>c",
        "c",
    );
    g.up("", "head", "+a +b +c +d +e", "e");
    g.up("", "heads", "+a +b +c +d +e", "e");
    g.up("e", "head", "", "e");
    g.up("c", "548b", "", "c");
}

#[test]
fn linear_relative_upgrade() {
    let g = g(G_LIN);
    g.up("a", "+2", "+b +c", "c"); // 6
    g.up("a", "+1", "+b", "b");
    g.up("b", "+3", "+c +d +e", "e"); // 7
    g.up("a", "{b}+2", "+b +c +d", "d"); // 8: relative to b, not to the database
    g.up("a", "{d}-2", "+b", "b"); // 9
    g.up("a", "{b}+0", "+b", "b");
    g.up("a", "head-1", "+b +c +d", "d");
    g.up("", "base+2", "+a +b", "b");
}

#[test]
fn linear_relative_upgrade_errors() {
    let g = g(G_LIN);
    g.up_err(
        "b",
        "-2",
        "Relative revision -2 didn't produce 2 migrations",
    ); // 10
    g.up_err(
        "b",
        "+5",
        "Relative revision +5 didn't produce 5 migrations",
    ); // 11
    g.up_err("b", "+0", "Relative revision 0 didn't produce 0 migrations");
    g.up_err(
        "b",
        "-02",
        "Relative revision -2 didn't produce 2 migrations",
    );
    // Alembic fails an assertion here; we report the walk.
    g.up_err(
        "a",
        "{b}+10",
        "Relative revision +10 didn't produce 10 migrations",
    );
}

#[test]
fn linear_downgrade() {
    let g = g(G_LIN);
    g.down("e", "{c}", "-e -d", "c"); // 12
    g.down("c", "base", "-c -b -a", ""); // 13
    g.down(
        "c",
        "base",
        "-c: UPDATE c>b; -b: UPDATE b>a; -a: DELETE a",
        "",
    );
    g.down("c", "-1", "-c", "b"); // 14
    g.down("e", "-3", "-e -d -c", "b"); // 15
    g.down("d", "{a}+2", "-d", "c"); // 16
    g.down("d", "{c}-2", "-d -c -b", "a"); // 17
    g.down("e", "b7ea", "-e -d", "c");
}

#[test]
fn linear_downgrade_errors() {
    let g = g(G_LIN);
    g.down_err(
        "b",
        "-5",
        "Relative revision -5 didn't produce 5 migrations",
    ); // 18
    g.down_err(
        "b",
        "+2",
        "Relative revision +2 didn't produce 2 migrations",
    ); // 19
    g.down_err(
        "",
        "548",
        "Destination 548 is not a valid downgrade target from current head(s)",
    ); // 20
    g.down_err(
        "b",
        "b7ea",
        "Destination b7ea is not a valid downgrade target from current head(s)",
    ); // 21
    g.down_err("b", "{a}+9", "Walked too far");
    g.down_err("b", "zzzz", "Can't locate revision identified by 'zzzz'");
}

#[test]
fn linear_stamp() {
    let g = g(G_LIN);
    g.stamp("d", "base", "stamp(d>): DELETE d", ""); // 22
    g.stamp("", "base", "", "");
    g.stamp("", "{c}", "stamp(>c): INSERT c", "c");
    g.stamp("b", "{d}", "stamp(b>d): UPDATE b>d", "d");
    g.stamp("d", "{b}", "stamp(d>b): UPDATE d>b", "b");
    g.stamp("d", "{d}", "", "d");
}

// ---------------------------------------------------------------------------------------
// §8.3 G-BR (BranchedPathTest): cases 23–43.

const G_BR: &str = "a(); b(a); c1(b; label=c1branch); d1(c1); c2(b; label=c2branch); d2(c2)";

#[test]
fn branched_stamp() {
    let g = g(G_BR);
    g.stamp("d1 c2", "b", "stamp(d1,c2>b): DELETE d1, UPDATE c2>b", "b"); // 23
    g.stamp("d1 c2", "c1branch@base", "stamp(d1>): DELETE d1", "c2"); // 24
    g.stamp(
        "d1 c2",
        "c2branch@head",
        "stamp(c2>d2): UPDATE c2>d2",
        "d1 d2",
    ); // 25
    // Alembic's behaviour, kept: every head sharing lineage with any head moves, so d1 is
    // merged away.
    g.stamp(
        "d1 c2",
        "heads",
        "stamp(d1,c2>d2): DELETE d1, UPDATE c2>d2",
        "d2",
    );
    g.stamp(
        "b",
        "d1 d2",
        "stamp(b>d1): UPDATE b>d1; stamp(b>d2): INSERT d2",
        "d1 d2",
    );
    g.stamp_err(
        "b",
        "head",
        "Multiple heads are present; please specify a single target revision",
    );
}

#[test]
fn branched_upgrade() {
    let g = g(G_BR);
    g.up("b", "d1", "+c1 +d1", "d1"); // 26
    g.up_tuple("a", "d1 d2", "+b +c2 +d2 +c1 +d1", "d1 d2"); // 27: the branch loaded second runs first
    g.up("a", "heads", "+b +c2 +d2 +c1 +d1", "d1 d2");
    g.up(
        "a",
        "heads",
        "+b: UPDATE a>b; +c2: UPDATE b>c2; +d2: UPDATE c2>d2; +c1: INSERT c1; \
         +d1: UPDATE c1>d1",
        "d1 d2",
    );
    g.up("b", "c2branch@head-1", "+c2", "c2"); // 29
    g.up("c1", "c2branch@+1", "+c2", "c1 c2"); // 38
    g.up("c1 c2", "c2branch@+1", "+d2", "c1 d2"); // 39
    g.up("", "base+1", "+a", "a"); // 41
    g.up("", "+1", "+a", "a");
    g.up("", "c1branch@head", "+a +b +c1 +d1", "d1");
    g.up("d1", "c2branch@head", "+c2 +d2", "d1 d2");
    g.up(
        "d1",
        "c2branch@head",
        "+c2: INSERT c2; +d2: UPDATE c2>d2",
        "d1 d2",
    );
}

#[test]
fn branched_upgrade_errors() {
    let g = g(G_BR);
    g.up_err(
        "c1 c2",
        "+1",
        "Ambiguous upgrade from multiple current revisions",
    ); // 40
    g.up_err(
        "b",
        "head",
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or \
         'heads' for all heads",
    );
    g.up_err(
        "b",
        "nope@head",
        "Can't locate revision identified by 'nope'",
    );
    g.up_err(
        "b",
        "c1branch@d2",
        "Can't locate revision identified by 'd2'",
    );
    g.up_err("a", "b+1", "Ambiguous walk");
}

#[test]
fn branched_downgrade() {
    let g = g(G_BR);
    g.down("d1 d2", "a", "-d1 -c1 -d2 -c2 -b", "a"); // 28
    g.down("d2 d1", "base+2", "-d1 -c1 -d2 -c2", "b"); // 30
    g.down("d2 d1", "c2branch@base+2", "-d2 -c2", "d1"); // 31
    g.down("d2 d1", "c2branch@base+3", "-d2", "c2 d1"); // 32
    g.down("d2 d1", "c2", "-d2", "c2 d1");
    g.down("d1 d2", "c1branch@-1", "-d1", "c1 d2"); // 34
    g.down("d2 c1", "d2-1", "-d2", "c1 c2"); // 35
    g.down("c1 d2", "d2-1", "-d2", "c1 c2");
    g.down("c1 d2", "c1branch@b", "-c1", "d2"); // 36
    g.down("c1 d2", "c2branch@b", "-d2 -c2", "c1");
    g.down("d1 d2", "c2@b", "-d2 -c2", "d1");
    g.down("d1 d2", "d1@b", "-d1 -c1", "d2");
    g.down("d1 d2", "c1branch@head-1", "-d1", "c1 d2"); // 37
    g.down("a", "-1", "-a", ""); // 42
    g.down("d1 c2", "c2", "", "c2 d1"); // 43
    g.down("d1 c2", "d1", "", "c2 d1");
    // Alembic's quirks, kept: `label@base` with a single root takes everything down, and the
    // label of an absolute downgrade target is not checked.
    g.down("d1 d2", "c1branch@base", "-d1 -c1 -d2 -c2 -b -a", "");
    g.down("d1 d2", "nosuchlabel@c1", "-d1", "c1 d2");
}

#[test]
fn branched_relative_downgrade_from_several_heads() {
    // Case 33. Alembic warns and takes down the first head listed; we refuse.
    let g = g(G_BR);
    g.down_err(
        "d2 d1",
        "-1",
        "downgrade -1 from multiple heads is ambiguous; current heads are d2, d1; use \
         '<branchname>@-1' or '<rev>@-1' to choose the branch",
    );
    g.down_err(
        "d1 d2",
        "-2",
        "downgrade -2 from multiple heads is ambiguous; current heads are d1, d2; use \
         '<branchname>@-2' or '<rev>@-2' to choose the branch",
    );
    // What Alembic's `-1` did, spelled out.
    g.down("d2 d1", "c2branch@-1", "-d2", "c2 d1");
    g.down("d2 d1", "d2@-1", "-d2", "c2 d1");
    g.down("d1 d2", "c1branch@-1", "-d1", "c1 d2");
    g.down("c2 d1", "c2branch@-1", "-c2", "d1");
    g.down("c2 d1", "c2@-1", "-c2", "d1");
    g.down("c1 d2", "c1branch@-1", "-c1", "d2");
    // `<rev>-1` is absolute: from a branch point it takes both branches down.
    g.down("c2 d1", "c2-1", "-d1 -c1 -c2", "b");
    // A duplicated row is one head.
    g.down("d1 d1", "-1", "-d1", "c1");
    g.down_err("", "-1", "Relative revision -1 didn't produce 1 migrations"); // 42
}

#[test]
fn branched_label_relative_downgrade_without_current_head_on_branch() {
    // Alembic fails an assertion here.
    let g = g(G_BR);
    g.down_err(
        "d2",
        "c1branch@-1",
        "Relative revision -1 didn't produce 1 migrations",
    );
    let g2 = super::tests::g("a(;label=x); b(a); c1(b); c2(b)");
    g2.down_err(
        "c1 c2",
        "x@-1",
        "downgrade x@-1 is ambiguous; current heads of branch 'x' are c1, c2; use '<rev>@-1' \
         to choose the branch",
    );
}

// ---------------------------------------------------------------------------------------
// §8.3 merges and dependencies: cases 44–58.

#[test]
fn merge_point_to_one_side() {
    // 44 (BranchFromMergepointTest)
    let g = g("a1(); b1(a1); c1(b1); a2(); b2(a2); c2(b2); d1(c1,c2); d2(c2)");
    g.up("d2 b1", "d1", "+c1 +d1", "d1 d2");
    g.up(
        "d2 b1",
        "d1",
        "+c1: UPDATE b1>c1; +d1: UPDATE c1>d1",
        "d1 d2",
    );
    g.down("d2 d1", "b1", "-d1 -c1", "b1 d2");
    g.down(
        "d2 d1",
        "b1",
        "-d1: UPDATE d1>c1; -c1: UPDATE c1>b1",
        "b1 d2",
    );
}

#[test]
fn three_way_merge_point() {
    // 45 (BranchFrom3WayMergepointTest)
    let g = g(
        "a1();b1(a1);c1(b1); a2();b2(a2);c2(b2); a3();b3(a3);c3(b3); \
               d1(c1,c2,c3); d2(c2); d3(c3)",
    );
    g.up("d3 d2 b1", "d1", "+c1 +d1", "d1 d2 d3");
    g.down("d3 d2 d1", "b1", "-d1 -c1", "b1 d2 d3");
    g.up("d3 b2 b1", "d1", "+c2 +c1 +d1", "d1 d3");
    g.up(
        "d3 b2 b1",
        "d1",
        "+c2: UPDATE b2>c2; +c1: UPDATE b1>c1; +d1: DELETE c1, UPDATE c2>d1",
        "d1 d3",
    );
    // d2 "breaks out" of the merge again.
    g.up("d3 d1", "d2", "+d2", "d1 d2 d3");
    g.up("d3 d1", "d2", "+d2: INSERT d2", "d1 d2 d3");
}

fn replay_each(g: &G, start: &str, steps: &[(&str, &str, &str)]) {
    let mut heads = Heads::new(g.ids(start));
    for (step, rows, expected) in steps {
        let (dir, name) = step.split_at(1);
        let id = RevisionId::new(&g.real(name)).unwrap();
        let i = g.map.by_id[&id];
        let step = if dir == "+" {
            Step::upgrade_of(&g.map, i)
        } else {
            Step::downgrade_of(&g.map, i)
        };
        let ops = heads.apply(&g.map, &step).unwrap();
        let ops: Vec<String> = ops.iter().map(|o| g.op_str(o)).collect();
        assert_eq!(ops.join(", "), *rows, "rows of {}", g.step_str(&step));
        assert_eq!(
            g.heads_str(&heads),
            *expected,
            "heads after {}",
            g.step_str(&step)
        );
    }
}

#[test]
fn twin_merge() {
    // 46 (TwinMergeTest, #297): c1 inserts, as none of its parents is a head.
    let g = g("a(); b1(a); b2(a); b3(a); c1(b1,b2,b3); c2(b1,b2,b3); d1(c1); d2(c2)");
    replay_each(
        &g,
        "a",
        &[
            ("+b3", "UPDATE a>b3", "b3"),
            ("+b1", "INSERT b1", "b1 b3"),
            ("+b2", "INSERT b2", "b1 b2 b3"),
            ("+c2", "DELETE b1, DELETE b2, UPDATE b3>c2", "c2"),
            ("+d2", "UPDATE c2>d2", "d2"),
            ("+c1", "INSERT c1", "c1 d2"),
            ("+d1", "UPDATE c1>d1", "d1 d2"),
        ],
    );
}

#[test]
fn not_quite_twin_merge() {
    // 47 (NotQuiteTwinMergeTest)
    let g = g("a(); b1(a); b2(a); b3(a); c1(b1,b2); c2(b2,b3); d1(c1); d2(c2)");
    replay_each(
        &g,
        "a",
        &[
            ("+b2", "UPDATE a>b2", "b2"),
            ("+b3", "INSERT b3", "b2 b3"),
            ("+c2", "DELETE b2, UPDATE b3>c2", "c2"),
            ("+d2", "UPDATE c2>d2", "d2"),
            ("+b1", "INSERT b1", "b1 d2"),
            ("+c1", "UPDATE b1>c1", "c1 d2"),
            ("+d1", "UPDATE c1>d1", "d1 d2"),
        ],
    );
}

const G_DEP1: &str = "a1(;label=lib1); b1(a1); c1(b1); a2(); b2(a2); c2(b2; deps=c1); \
                      d1(c1); e1(d1); f1(e1)";

#[test]
fn depends_on_branch_one() {
    // 48 (DependsOnBranchTestOne)
    let g = g(G_DEP1);
    // c1 is implied by c2's dependency: the d1 row is deleted, not updated to c1.
    replay_each(&g, "c2 d1", &[("-d1", "DELETE d1", "c2")]);
    g.stamp(
        "e1 c2",
        "b1",
        "stamp(e1,c2>b1): DELETE e1, UPDATE c2>b1",
        "b1",
    );
    g.current("c2", "c1 c2");
}

#[test]
fn depends_on_branch_two() {
    // 49 (DependsOnBranchTestTwo)
    let g = g(
        "a1(),a2(),a3(); amerge(a1,a2,a3); b1(),b2(); bmerge(b1,b2); \
               c1(),c2(),c3(); cmerge(c1,c2,c3); d1(; deps=[a3,b2,c1])",
    );
    // b2 is not re-inserted: d1 implies it.
    g.down(
        "amerge bmerge cmerge d1",
        "b2",
        "-bmerge",
        "amerge b1 cmerge d1",
    );
    g.down(
        "amerge bmerge cmerge d1",
        "b2",
        "-bmerge: UPDATE bmerge>b1",
        "amerge b1 cmerge d1",
    );
    // b2 is inserted, because d1 implied it.
    g.down(
        "amerge d1 b1 cmerge",
        "d1@base",
        "-d1",
        "amerge b1 b2 cmerge",
    );
    g.down(
        "amerge d1 b1 cmerge",
        "d1@base",
        "-d1: UPDATE d1>b2",
        "amerge b1 b2 cmerge",
    );
    g.down(
        "amerge b1 b2 cmerge",
        "base",
        "-amerge -a1 -b1 -b2 -cmerge -c1 -a2 -a3 -c2 -c3",
        "",
    );
}

#[test]
fn depends_on_crisscross() {
    // 50 (DependsOnBranchTestThree, #377): b1 is implied by a3.
    let g = g("a1(); a2(a1); b1(); b2(b1; deps=a2); b3(b2); a3(a2; deps=b1)");
    g.down("a3 b2", "b1", "-b2", "a3");
    g.down("a3 b2", "b1", "-b2: DELETE b2", "a3");
}

#[test]
fn depends_on_own_down_revision() {
    // 51 (DependsOnOwnDownrevTest, #843)
    let g = g("a1(); a2(a1; deps=a1)");
    g.up("", "a2", "+a1 +a2", "a2");
    g.down("a2", "a1", "-a2", "a1");
    g.history(None, "", "a2 a1");
}

#[test]
fn depends_on_normalized() {
    // 52 (DependsOnBranchTestFour, #789): a3 is not re-added, b3 still implies it.
    let g = g("a1(); a2(a1); a3(a2); b1(); b2(b1; deps=a3); b3(b2); b4(b3; deps=a3)");
    g.down("b4", "b3", "-b4: UPDATE b4>b3", "b3");
    assert_eq!(
        g.map.normalized_dependencies("b4"),
        Vec::<&RevisionId>::new()
    );
    assert_eq!(g.names(&g.map.normalized_dependencies("b2")), "a3");
}

#[test]
fn depends_on_merge_parent() {
    // 53 (DependsOnBranchTestFive, #1373)
    let g = g("a1(); b1(; deps=a1); bmerge(a1,b1)");
    g.up("a1", "b1", "+b1: UPDATE a1>b1", "b1");
    g.up("b1", "bmerge", "+bmerge: UPDATE b1>bmerge", "bmerge");
    g.down("bmerge", "a1", "-bmerge: UPDATE bmerge>b1", "b1");
    g.down("bmerge", "b1", "-bmerge: UPDATE bmerge>b1", "b1");
}

#[test]
fn depends_on_branch_label() {
    // 54 (DependsOnBranchLabelTest): the dependency's lineage runs first.
    let g = g(
        "a1(;label=lib1); b1(a1); c1(b1;label=c1lib); a2(); b2(a2); c2(b2; deps=c1lib); \
               d1(c1); e1(d1); f1(e1)",
    );
    g.up("a2", "c2", "+a1 +b1 +c1 +b2 +c2", "c2");
    g.up(
        "a2",
        "c2",
        "+a1: INSERT a1; +b1: UPDATE a1>b1; +c1: UPDATE b1>c1; +b2: UPDATE a2>b2; \
         +c2: DELETE b2, UPDATE c1>c2",
        "c2",
    );
}

#[test]
fn forest() {
    // 55 (ForestTest)
    let g = g("a1(); b1(a1); a2(); b2(a2)");
    g.up("", "heads", "+a2 +b2 +a1 +b1", "b1 b2");
    g.up(
        "",
        "heads",
        "+a2: INSERT a2; +b2: UPDATE a2>b2; +a1: INSERT a1; +b1: UPDATE a1>b1",
        "b1 b2",
    );
    g.stamp(
        "",
        "heads",
        "stamp(>b1): INSERT b1; stamp(>b2): INSERT b2",
        "b1 b2",
    );
    g.stamp("b1 b2", "heads", "", "b1 b2");
    g.down("b1 b2", "base", "-b1 -a1 -b2 -a2", "");
}

const G_MERGED: &str = "a(); b(a); c1(b); d1(c1); c2(b;label=c2branch); d2(c2); e(d1,d2); f(e)";

#[test]
fn merged_path() {
    // 56 (MergedPathTest)
    let g = g(G_MERGED);
    g.up(
        "b",
        "f",
        "+c2: UPDATE b>c2; +d2: UPDATE c2>d2; +c1: INSERT c1; +d1: UPDATE c1>d1; \
         +e: DELETE d1, UPDATE d2>e; +f: UPDATE e>f",
        "f",
    );
    g.down(
        "f",
        "b",
        "-f: UPDATE f>e; -e: INSERT d1, UPDATE e>d2; -d1: UPDATE d1>c1; -c1: DELETE c1; \
         -d2: UPDATE d2>c2; -c2: UPDATE c2>b",
        "b",
    );
}

#[test]
fn merged_path_stamps() {
    // 57
    let g = g(G_MERGED);
    g.stamp("e", "c2", "stamp(e>c2): UPDATE e>c2", "c2");
    g.stamp("e", "a", "stamp(e>a): UPDATE e>a", "a");
    g.stamp("c2", "e", "stamp(c2>e): UPDATE c2>e", "e");
    g.stamp(
        "d1 c2",
        "c2branch@head",
        "stamp(d1,c2>f): DELETE d1, UPDATE c2>f",
        "f",
    );
    g.stamp("d1 c2", "e", "stamp(d1,c2>e): DELETE d1, UPDATE c2>e", "e");
    g.stamp("b", "e", "stamp(b>e): UPDATE b>e", "e");
}

#[test]
fn branched_cross_dependencies() {
    // 58 (BranchedPathTestCrossDependencies)
    let g = g("a(); b(a); c1(b;label=c1branch); d1(c1); c2(b;label=c2branch); d2(c2; deps=c1)");
    g.down("d1 d2", "c2branch@b", "-d2 -c2", "d1");
    // Taking down c1 forces d2 down too.
    g.down("d1 d2", "c1branch@b", "-d1 -d2 -c1", "c2");
    // Alembic's INSERT/UPDATE order for d2's unmerge depends on the hash seed; ours follows
    // the down revisions, then the dependencies.
    g.down(
        "d1 d2",
        "c1branch@b",
        "-d1: DELETE d1; -d2: INSERT c2, UPDATE d2>c1; -c1: DELETE c1",
        "c2",
    );
}

#[test]
fn two_roots_with_dependencies() {
    // 82: a library branch and an application depending on it.
    let g = g(
        "1000aaaa(); 1001bbbb(1000aaaa); 1002cccc(1001bbbb; deps=lib1); \
               1003dddd(1002cccc; deps=2001bbbb); 2000aaaa(;label=lib1); 2001bbbb(2000aaaa)",
    );
    g.up(
        "",
        "1003dddd",
        "+2000aaaa: INSERT 2000aaaa; +2001bbbb: UPDATE 2000aaaa>2001bbbb; \
         +1000aaaa: INSERT 1000aaaa; +1001bbbb: UPDATE 1000aaaa>1001bbbb; \
         +1002cccc: UPDATE 1001bbbb>1002cccc; \
         +1003dddd: DELETE 1002cccc, UPDATE 2001bbbb>1003dddd",
        "1003dddd",
    );
    g.current("1003dddd", "1003dddd 2001bbbb");
    g.down(
        "1003dddd",
        "lib1@-1",
        "-1003dddd: INSERT 1002cccc, UPDATE 1003dddd>2001bbbb; -2001bbbb: DELETE 2001bbbb",
        "1002cccc",
    );
    g.current("1002cccc", "1002cccc 2000aaaa");
    g.down(
        "1002cccc",
        "lib1@base",
        "-1002cccc: INSERT 1001bbbb, UPDATE 1002cccc>2000aaaa; -2000aaaa: DELETE 2000aaaa",
        "1001bbbb",
    );
    g.heads("1003dddd 2001bbbb");
    assert_eq!(g.names(&g.map.real_heads()), "1003dddd");
    assert!(g.map.is_effective_head("2001bbbb"));
    assert!(!g.map.is_effective_head("1003dddd"));
    assert_eq!(g.map.branch_labels("2001bbbb"), ["lib1"]);
    assert_eq!(g.map.branch_labels("2000aaaa"), ["lib1"]);
    assert_eq!(g.map.branch_labels("1003dddd"), Vec::<&str>::new());
}

// ---------------------------------------------------------------------------------------
// §8.3 RevisionMap resolution and ordering: cases 59–72 (test_revision.py).

#[test]
fn heads_and_head() {
    // 59
    let g = g("a(); b(a); c1(b); c2(b)");
    g.heads("c1 c2");
    g.resolve_err(
        "head",
        "Multiple heads are present for given argument 'head'; c1, c2",
    );
    g.resolve_one_err(
        "heads",
        "Multiple heads are present for given argument 'heads'; c1, c2",
    );
    g.resolve("heads", "c1 c2");
    let g = super::tests::g("a(); b(a); c1(b); c2(b); d1(c1)");
    g.heads("c2 d1");
    let g = super::tests::g("a(); b(a); c(b)");
    g.resolve_one("head", "c");
    g.resolve_one("base", "");
    g.resolve("base", "");
    let g = super::tests::g("a(); b(a); c(); d(c)");
    g.resolve_one("base", "");
    assert_eq!(g.names(&g.map.bases()), "a c");
}

#[test]
fn command_level_errors() {
    let g = g("a(); b(a); c1(b); c2(b)");
    let err = g.map.resolve("head").unwrap_err().into_command();
    assert_eq!(
        err.to_string(),
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or \
         'heads' for all heads"
    );
    // 79: `revision --depends-on invalid`
    let err = g.map.resolve("invalid").unwrap_err().into_command();
    assert_eq!(
        err.to_string(),
        "Can't locate revision identified by 'invalid'"
    );
}

#[test]
fn iterate_simple() {
    // 60: DIAMOND
    let g = g("a(); b1(a); b2(a); c(b1,b2); d(c)");
    g.iter("d", "a", "incl", "d c b1 b2 a");
    // 61: empty map
    let g = super::tests::g("");
    g.iter("head", "base", "incl", "");
    g.history(None, "", "");
    // Duplicate targets are tolerated.
    let g = super::tests::g("a(); b(a); c(b)");
    g.iter("(c, c)", "a", "", "c b");
    // 62: LONGSHORT
    let g = super::tests::g("a(); b1(a); b2(a); c1(b1); d11(c1); d12(c1)");
    g.iter("heads", "base", "incl", "b2 d11 d12 c1 b1 a");
}

const MULTI: &str = "a(); b1(a); b2(a); cb1(b1); cb2(b2); d1cb1(cb1); d2cb1(cb1); d1cb2(cb2); \
                     d2cb2(cb2); d3cb2(cb2); d1d2cb2(d1cb2,d2cb2)";

#[test]
fn iterate_multiple_branches() {
    // 63 (MultipleBranchTest)
    let g = g(MULTI);
    g.iter("d1d2cb2", "a", "incl", "d1d2cb2 d1cb2 d2cb2 cb2 b2 a");
    g.iter("(d2cb2, d3cb2)", "a", "incl", "d2cb2 d3cb2 cb2 b2 a");
    g.iter("d3cb2", "a", "incl", "d3cb2 cb2 b2 a");
    g.iter("d3cb2", "base", "incl", "d3cb2 cb2 b2 a");
    g.iter("(d3cb2, cb1)", "base", "incl", "cb1 b1 d3cb2 cb2 b2 a");
    // d1cb1 is dropped as it does not descend from b2.
    g.iter("(d1cb1, d2cb2, d3cb2)", "b2", "incl", "d2cb2 d3cb2 cb2 b2");
    // 64
    g.iter_err(
        "b1",
        "d1cb1",
        "incl",
        "Revision d1cb1 is not an ancestor of revision b1",
    );
    g.iter_err(
        "d2cb2",
        "b1",
        "incl",
        "Revision b1 is not an ancestor of revision d2cb2",
    );
    g.iter_err(
        "",
        "d1cb1",
        "incl",
        "Revision d1cb1 is not an ancestor of revision base",
    );
    g.iter_err(
        "()",
        "d1cb1",
        "incl",
        "Revision d1cb1 is not an ancestor of revision base",
    );
}

#[test]
fn iterate_effective_head() {
    // MultipleBranchEffectiveHead
    let g = g("y1(;label=y); x1(;label=x); y2(y1; deps=x1); x2(x1)");
    g.iter("(x2, y2)", "x@-1", "down", "x2");
    g.iter("(x1, y2)", "x@-1", "down", "y2 x1");
    g.iter("y2", "x@-1", "down", "y2 x1");
}

const LABELED: &str = "a(;label=abranch); b(a); somelongername(b); c(somelongername); d(); \
                       e(d;label=ebranch); someothername(e); f(someothername)";

#[test]
fn labeled_resolution() {
    // 65 (LabeledBranchTest)
    let g = g(LABELED);
    g.resolve_one("ebranch@some", "someothername");
    g.resolve_one("abranch@some", "somelongername");
    g.resolve_one_err(
        "ebranch@sos",
        "No such revision or branch 'sos'; please ensure at least four characters are \
         present for partial revision identifier matches",
    );
    g.resolve_one("abranch@head", "c");
    g.resolve_one("abranch@heads", "c");
    g.resolve_one("abranch@base", "");
    g.resolve_one("ebranch@head", "f");
    g.resolve_one("ebranch@d", "d");
    g.resolve_one("ebranch@ebranch", "e");
    g.resolve_one("abranch", "a");
    g.resolve_one("ebranch", "e");
    g.resolve_one_err(
        "ebranch@b",
        "Revision b is not a member of branch 'ebranch'",
    );
    g.resolve_one_err(
        "abranch@d",
        "Revision d is not a member of branch 'abranch'",
    );
    g.resolve_one("e", "e"); // an exact short identifier
    g.resolve_one_err("abranch@qprstuv", "No such revision or branch 'qprstuv'");
    g.resolve_one_err(
        "abranch@qpr",
        "No such revision or branch 'qpr'; please ensure at least four characters are \
         present for partial revision identifier matches",
    );
    g.resolve_one("e@d", "d"); // not actually a branch
    g.resolve_one("someoth@d", "d");
    g.resolve_one_err("x@d", "No such branch: 'x'");
    g.resolve_one_err("zzz@base", "No such branch: 'zzz'");
    g.resolve_one_err(
        "some",
        "Multiple revisions start with 'some': 'somelongername', 'someothername'...",
    );
    // Labels are keys too: a prefix of a label resolves.
    g.resolve_one("ebra", "e");
    // _get_base_revisions
    assert_eq!(
        g.map
            .filter_for_lineage(&g.map.bases, &Arg::Str("somelongername@base"), false)
            .unwrap(),
        vec![0]
    );
    g.resolve("ebranch@-2", "e");
    g.resolve("-1", "somelongername someothername");
}

#[test]
fn labeled_iteration() {
    // 66
    let g = g(LABELED);
    g.iter("heads", "ebranch@base", "incl", "f someothername e d");
    g.iter("heads", "abranch@base", "incl", "c somelongername b a");
    g.iter("ebranch@head", "base", "incl", "f someothername e d");
    g.iter("abranch@head", "base", "incl", "c somelongername b a");
    g.iter("heads", "ebranch@head", "incl", "f");
    g.iter("heads", "ebranch@d", "incl", "f someothername e d");
    g.iter("heads", "e@base", "incl", "f someothername e d");
    g.iter("heads", "c@base", "incl", "c somelongername b a");
    g.iter("heads", "ebranch@-2", "incl", "f someothername e");
    g.iter("ebranch@+2", "base", "incl", "e d");
}

#[test]
fn labeled_branch_propagation() {
    let g = g(LABELED);
    for (id, labels) in [
        ("a", ["abranch"]),
        ("b", ["abranch"]),
        ("c", ["abranch"]),
        ("d", ["ebranch"]),
        ("e", ["ebranch"]),
        ("f", ["ebranch"]),
    ] {
        assert_eq!(g.map.branch_labels(id), labels, "{id}");
    }
    // Labels reach below a labelled revision only down to the first branch point, and from
    // a labelled revision's line to a head.
    let g = super::tests::g("a(;label=abranch); b(a); c1(b); c2(b); d(c1; label=dl); e(d)");
    let labels = |id| g.map.branch_labels(id).join(" ");
    assert_eq!(labels("a"), "abranch");
    assert_eq!(labels("b"), "abranch");
    assert_eq!(labels("c1"), "abranch dl");
    assert_eq!(labels("c2"), "abranch");
    assert_eq!(labels("d"), "abranch dl");
    assert_eq!(labels("e"), "abranch dl");
    // A labelled branch point keeps the label to itself and above.
    let g = super::tests::g("a(); b(a; label=x); c1(b); c2(b)");
    assert_eq!(g.map.branch_labels("a"), Vec::<&str>::new());
    assert_eq!(g.map.branch_labels("c1"), ["x"]);
    // Two labels on one line: everything on the line has both.
    let g = super::tests::g("a(;label=x); b(a); c(b;label=y); d(c)");
    for id in ["a", "b", "c", "d"] {
        assert_eq!(g.map.branch_labels(id), ["x", "y"], "{id}");
    }
}

#[test]
fn duplicate_branch_label() {
    // 67
    load_err(
        "a(); b(a); c(b;label=xy1); d(); e(d;label=xy1); f(e)",
        "Branch name 'xy1' in revision e already used by revision c",
    );
    load_err(
        "a(); b(a; label=a)",
        "Branch name 'a' in revision b already used by revision a",
    );
}

const TRAVEL: &str = "a1(); a2(a1); a3(a2); b1(a3); b2(a3); cb1(b1); cb2(b2); db1(cb1); \
                      db2(cb2); e1b1(db1); fe1b1(e1b1); e2b1(db1); e2b2(db2); merge(e2b1,e2b2)";

#[test]
fn branch_travelling() {
    // 68 (BranchTravellingTest)
    let g = g(TRAVEL);
    g.iter(
        "merge",
        "db1",
        "incl implicit",
        "merge e2b1 db1 e2b2 db2 cb2 b2",
    );
    g.iter(
        "(merge, fe1b1)",
        "a3",
        "incl",
        "fe1b1 e1b1 merge e2b1 db1 cb1 b1 e2b2 db2 cb2 b2 a3",
    );
    g.iter(
        "merge",
        "a1",
        "incl",
        "merge e2b1 db1 cb1 b1 e2b2 db2 cb2 b2 a3 a2 a1",
    );
    g.iter("merge", "b1", "incl", "merge e2b1 db1 cb1 b1");
    g.iter(
        "merge",
        "a2",
        "incl",
        "merge e2b1 db1 cb1 b1 e2b2 db2 cb2 b2 a3 a2",
    );
    g.iter(
        "(merge, fe1b1)",
        "a1",
        "incl",
        "fe1b1 e1b1 merge e2b1 db1 cb1 b1 e2b2 db2 cb2 b2 a3 a2 a1",
    );
    g.iter(
        "(merge, fe1b1)",
        "(cb1, cb2)",
        "incl",
        "fe1b1 e1b1 merge e2b1 db1 cb1 e2b2 db2 cb2",
    );
    g.iter(
        "(merge, fe1b1)",
        "(cb1, cb2)",
        "",
        "fe1b1 e1b1 merge e2b1 db1 e2b2 db2",
    );
    g.iter_err(
        "(db1, b2, fe1b1)",
        "()",
        "",
        "Requested revision fe1b1 overlaps with other requested revisions db1",
    );
    g.iter(
        "(e2b1, b2, fe1b1)",
        "()",
        "",
        "b2 fe1b1 e1b1 e2b1 db1 cb1 b1 a3 a2 a1",
    );
    g.iter("(fe1b1,)", "base", "", "fe1b1 e1b1 db1 cb1 b1 a3 a2 a1");
    let merge = g.map.by_id["merge"];
    let mut ancestors: Vec<&str> = g
        .map
        .related_checked(&[merge], Edges::NormDown)
        .unwrap()
        .iter()
        .map(|i| g.map.id(i))
        .collect();
    ancestors.sort_unstable();
    assert_eq!(
        ancestors.join(" "),
        "a1 a2 a3 b1 b2 cb1 cb2 db1 db2 e2b1 e2b2 merge"
    );
}

const MULTIBASE: &str = "base1(); base2(); base3(); a1a(base1); a1b(base1); a2(base2); a3(base3); \
                         b1a(a1a); b1b(a1b); b2(a2); b3(a3); c2(b2); d2(c2); mergeb3d2(b3,d2)";

#[test]
fn multiple_bases() {
    // 69 (MultipleBaseTest)
    let g = g(MULTIBASE);
    let all = "b1a a1a b1b a1b base1 mergeb3d2 b3 a3 base3 d2 c2 b2 a2 base2";
    g.iter("heads", "base", "incl", all);
    g.iter("heads", "base", "", all);
    g.iter("heads", "", "incl", all);
    g.iter_err(
        "(c2,)",
        "(a2, b2)",
        "incl",
        "Requested revision b2 overlaps with other requested revisions a2",
    );
    g.iter(
        "heads",
        "(c2,)",
        "implicit",
        "b1a a1a b1b a1b base1 mergeb3d2 b3 a3 base3 d2",
    );
    g.iter("heads", "(c2,)", "", "mergeb3d2 d2");
    g.iter(
        "heads",
        "(c2,)",
        "incl implicit",
        "b1a a1a b1b a1b base1 mergeb3d2 b3 a3 base3 d2 c2",
    );
    g.iter("b3", "base3", "incl", "b3 a3 base3");
    g.iter("(b3, b2)", "base3", "implicit", "b2 a2 base2 b3 a3");
}

#[test]
fn multiple_bases_cross_dependency_one() {
    let g = g(
        "base1(;label=b_1); a1a(base1); a1b(base1); b1a(a1a); b1b(a1b; deps=a3); \
               base2(;label=b_2); a2(base2); b2(a2); c2(b2; deps=a3); d2(c2); \
               base3(;label=b_3); a3(base3); b3(a3)",
    );
    g.heads("b1a b1b d2 b3");
    let all = "b1a a1a b1b a1b base1 d2 c2 b2 a2 base2 b3 a3 base3";
    g.iter("heads", "base", "incl", all);
    g.iter("heads", "base", "incl down", all);
    g.iter_err(
        "b2",
        "d2",
        "incl",
        "Revision d2 is not an ancestor of revision b2",
    );
    g.iter_err(
        "b3",
        "d2",
        "incl",
        "Revision d2 is not an ancestor of revision b3",
    );
    g.iter("b_2@head", "base", "incl", "d2 c2 b2 a2 base2 a3 base3");
    g.iter("b_2@head", "b_2@base", "incl down", "d2 c2 b2 a2 base2");
    g.iter("b_3@head", "base", "incl", "b3 a3 base3");
    g.iter("b_3@head", "base", "incl down", "b3 a3 base3");
    g.iter("b1b@head", "base", "incl", "b1b a1b base1 a3 base3");
    g.iter("b1b@head", "b1b@base", "incl down", "b1b a1b base1");
    g.iter("heads", "b_2@base", "incl", "d2 c2 b2 a2 base2 a3 base3");
    g.iter("heads", "b_2@base", "incl down", "d2 c2 b2 a2 base2");
    g.iter("heads", "b_3@base", "incl", "b3 a3 base3");
    g.iter("heads", "b_3@base", "incl down", "b1b d2 c2 b3 a3 base3");
}

#[test]
fn multiple_bases_cross_dependency_two() {
    let g = g("base1(;label=b_1); a1(base1); b1(a1); c1(b1); \
               base2(;deps=b_1;label=b_2); a2(base2); b2(a2); c2(b2); d2(c2); \
               base3(;label=b_3); a3(base3); b3(a3); c3(b3;deps=b2); d3(c3)");
    g.heads("c1 d2 d3");
    g.iter(
        "heads",
        "base",
        "incl",
        "c1 b1 a1 d2 c2 d3 c3 b3 a3 base3 b2 a2 base2 base1",
    );
    g.iter("b_2@head", "base", "incl", "d2 c2 b2 a2 base2 base1");
    g.iter(
        "b_3@head",
        "base",
        "incl",
        "d3 c3 b3 a3 base3 b2 a2 base2 base1",
    );
    g.iter("b_1@head", "base", "incl", "c1 b1 a1 base1");
    g.iter("heads", "b_1@base", "incl", "c1 b1 a1 base1");
    g.iter("heads", "b_2@base", "incl", "d2 c2 b2 a2 base2 base1");
    g.iter(
        "heads",
        "b_3@base",
        "incl",
        "d3 c3 b3 a3 base3 b2 a2 base2 base1",
    );
}

#[test]
fn multiple_bases_cross_dependency_three() {
    let g = g("base1(); a1(base1); b1(a1); c2(; deps=a1); c3(c2)");
    g.iter("heads", "base", "incl", "b1 c3 c2 a1 base1");
}

#[test]
fn normalized_down_revisions() {
    // 70 (NormalizedDownRevTest)
    let g = g(
        "a1(); a2(a1); a3(a2); b1(); b2(b1;deps=a3); b3(b2); b4(b3;deps=a3); \
               b5(b4;deps=b4)",
    );
    let b4 = g.map.by_id["b4"];
    let names = |v: &[Ix]| v.iter().map(|&i| g.map.id(i)).collect::<Vec<_>>().join(" ");
    assert_eq!(names(&g.map.nodes[b4].all_down), "b3 a3");
    assert_eq!(names(&g.map.nodes[b4].norm_down), "b3");
    let b5 = g.map.by_id["b5"];
    assert_eq!(names(&g.map.nodes[b5].all_down), "b4");
    assert_eq!(names(&g.map.nodes[b5].norm_down), "b4");
    g.iter("b4", "b1@base", "incl down", "b4 b3 b2 b1");
    g.iter("heads", "base", "incl down", "b5 b4 b3 b2 b1 a3 a2 a1");
    g.iter("heads", "a2", "incl down", "b5 b4 b3 b2 a3 a2");
    g.iter("heads", "a2", "incl down implicit", "b5 b4 b3 b2 b1 a3 a2");
    g.iter("b5", "(b1,)", "incl implicit", "b5 b4 b3 b2 b1 a3 a2 a1");
    let g = super::tests::g(
        "c1(); a1(); a2(a1;deps=c1); a3(a2;deps=c1); b1(); b2(b1;deps=a3); \
                             b3(b2); b4(b3;deps=a3); b5(b4)",
    );
    g.iter("b5", "(b1,)", "incl implicit", "b5 b4 b3 b2 b1 a3 a2 a1 c1");
}

#[test]
fn loops_and_cycles() {
    // 71 (GraphWithLoopTest, GraphWithCycleTest)
    load_err("a(a)", "Self-loop is detected in revisions (a)");
    load_err("a(a); b(a); c(b)", "Self-loop is detected in revisions (a)");
    load_err(
        "a(); b(a); c(b, c)",
        "Self-loop is detected in revisions (c)",
    );
    load_err(
        "a(); b(a, b); c1(b); c2(b)",
        "Self-loop is detected in revisions (b)",
    );
    load_err(
        "a(); b1(a); b2(a); c(b1, b2, c)",
        "Self-loop is detected in revisions (c)",
    );
    load_err(
        "a(;deps=a)",
        "Dependency self-loop is detected in revisions (a)",
    );
    load_err(
        "a(;deps=a); b(a); c(b)",
        "Dependency self-loop is detected in revisions (a)",
    );
    load_err(
        "a(); b(a); c(b;deps=c)",
        "Dependency self-loop is detected in revisions (c)",
    );
    load_err(
        "a(); b(a;deps=b); c1(b); c2(b)",
        "Dependency self-loop is detected in revisions (b)",
    );
    load_err(
        "a(); b1(a); b2(a); c(b1,b2;deps=c)",
        "Dependency self-loop is detected in revisions (c)",
    );
    load_err(
        "a(c); b(a); c(b)",
        "Cycle is detected in revisions (a, b, c)",
    );
    load_err(
        "a(c); b(a); c(b); d(); e(d)",
        "Cycle is detected in revisions (a, b, c)",
    );
    load_err(
        "a(c); b(a); c(b); d(c); e(d)",
        "Cycle is detected in revisions (a, b, c, d, e)",
    );
    load_err(
        "a(); b(a); c(b,e); d(c); e(d)",
        "Cycle is detected in revisions (a, b, c, d, e)",
    );
    load_err(
        "a(;deps=c); b(a); c(b)",
        "Dependency cycle is detected in revisions (a, b, c)",
    );
    load_err(
        "a(;deps=c); b(a); c(b); d(); e(d)",
        "Dependency cycle is detected in revisions (a, b, c)",
    );
    load_err(
        "a(;deps=c); b(a); c(b); d(c); e(d)",
        "Dependency cycle is detected in revisions (a, b, c, d, e)",
    );
    load_err(
        "a(); b(a); c(b;deps=e); d(c); e(d)",
        "Dependency cycle is detected in revisions (a, b, c, d, e)",
    );
    // Cycles Alembic's check misses: entered from a base, left towards a head.
    load_err(
        "a(); b(a); c(b,e); d(c); e(d); f(d)",
        "Cycle is detected in revisions (c, d, e)",
    );
    load_err(
        "a(); b(a); c(b;deps=e); d(c); e(d); f(d)",
        "Dependency cycle is detected in revisions (c, d, e)",
    );
}

#[test]
fn overlapping_substrings() {
    // 72
    let g = g("user_foo(); user(user_foo)");
    g.iter("heads", "", "incl", "user user_foo");
    let g = super::tests::g("user_foo(); user(; deps=user_foo)");
    g.iter("heads", "", "incl", "user user_foo");
    let g = super::tests::g("user_foo(); user(user_foo; deps=user_foo)");
    g.iter("heads", "", "incl", "user user_foo");
    let all = NodeSet::new(2);
    let mut all = all;
    all.insert(0);
    all.insert(1);
    assert_eq!(g.map.topological_sort(&all, &[1]), vec![1, 0]);
}

#[test]
fn load_errors() {
    load_err("a(); a()", "Revision a is present more than once");
    load_err("a(); b(x)", "Revision x referenced from b is not present");
    load_err(
        "a(); b(a; deps=x)",
        "Revision x referenced from b is not present",
    );
    // A unique prefix of a dependency is accepted.
    let g = g("abcdef(); b(; deps=abcd)");
    assert_eq!(g.names(&g.map.normalized_dependencies("b")), "abcdef");
}

#[test]
fn large_map() {
    // LargeMapTest: every revision once, no revision both ancestor and descendant of
    // another, each revision has an ancestor among the later ones.
    let revs: Vec<Revision> = large_map::DATA
        .iter()
        .map(|(id, down)| rev(id, down, &[], &[]))
        .collect();
    let map = RevisionMap::new(revs).unwrap();
    let order = map
        .iterate_revisions(&["heads"], &["base"], IterateOptions::default())
        .unwrap();
    let ids: Vec<&str> = order.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), map.len());
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), map.len());
    let pos: Vec<Ix> = ids.iter().map(|id| map.by_id[*id]).collect();
    for (idx, &i) in pos.iter().enumerate() {
        let ancestors = map.reach(&[i], Edges::NormDown);
        let descendants = map.reach(&[i], Edges::AllNext);
        assert!(!ancestors.iter().any(|a| a != i && descendants.contains(a)));
        if idx + 1 < pos.len() {
            assert!(pos[idx + 1..].iter().any(|&r| ancestors.contains(r)));
        }
    }
    // And the exact order Alembic 1.20.1 gives.
    assert_eq!(ids, large_map::HEADS_TO_BASE);
}

// ---------------------------------------------------------------------------------------
// §8.3 command level: cases 73–83.

#[test]
fn history_ranges() {
    // 73
    let g = g("a(); b(a); c(b)");
    g.history(None, "", "c b a");
    g.history(Some("a:b"), "", "b a");
    g.history(Some(":b"), "", "b a");
    g.history(Some("a:"), "", "c b a");
    g.history(Some("a:+2"), "", "c b a");
    g.history(Some("-2:c"), "", "c b a");
    // Walks past base without an error.
    g.history(Some("-5:c"), "", "c b a");
    g.history(Some("-4:c"), "", "c b a");
    g.history(Some("current:"), "b", "c b");
    g.history(Some("current:"), "", "c b a");
    g.history(Some(":current"), "b", "b a");
    g.history(Some(":current"), "", "c b a");
    g.history(Some("base:+2"), "", "b a");
    g.history(Some("a:base+2"), "", "b a");
    g.history(Some(" b:c "), "", "c b");
    g.history(Some(":c+5"), "", "c b a");
    g.history(Some(":"), "", "c b a");
    // Alembic's quirk: `-3` lands exactly on base, which is "not an ancestor".
    g.history_err(
        "-3:c",
        "",
        "Requested range -3:c does not refer to ancestor/descendant revisions along the same \
         branch",
    );
    g.history_err(
        "c:a",
        "",
        "Requested range c:a does not refer to ancestor/descendant revisions along the same \
         branch",
    );
    g.history_err(
        "b:-1",
        "",
        "Relative revision -1 didn't produce 1 migrations",
    );
    g.history_err(
        "abc",
        "",
        "History range requires [start]:[end], [start]:, or :[end]",
    );
    g.history_err(
        "a:b:c",
        "",
        "History range requires [start]:[end], [start]:, or :[end]",
    );
    g.history_err("zzzz:", "", "Can't locate revision identified by 'zzzz'");
    g.history_err(
        "c:current",
        "a",
        "Requested range c:('a',) does not refer to ancestor/descendant revisions along the \
         same branch",
    );
    let g = super::tests::g(G_BR);
    g.history(Some("b:heads"), "", "d1 c1 d2 c2 b");
    g.history(None, "", "d1 c1 d2 c2 b a");
    g.history(Some("c2branch@base:"), "", "d2 c2 b a");
    g.history(Some("c2@base:"), "", "d2 c2 b a");
    // Alembic fails an assertion when the revision has no label; we use its lineage.
    g.history(Some("b@base:"), "", "d1 c1 d2 c2 b a");
    g.history(Some("-1:current"), "d2 d1", "d1 c1 d2 c2");
    g.history_err(
        ":head",
        "",
        "Multiple head revisions are present for given argument 'head'; please specify a \
         specific target revision, '<branchname>@head' to narrow to a specific head, or \
         'heads' for all heads",
    );
}

#[test]
fn current_expansion() {
    // 74
    let g = g("a1(); a2(a1); a3(a2); b1(); b2(b1; deps=a2); b3(b2)");
    g.current("b2", "a2 b2");
    g.current("b3", "a2 b3");
    g.current("a3 b3", "a3 b3");
    g.current("", "");
    let ids = |s: &str| g.ids(s);
    assert!(g.map.at_all_heads(&ids("a3 b3")));
    assert!(g.map.at_all_heads(&ids("b3 a3")));
    for stored in ["a2", "a3", "b3", "a2 b3", "a3 b2"] {
        assert!(!g.map.at_all_heads(&ids(stored)), "{stored}");
    }
    g.up("", "b2", "+a1 +a2 +b1 +b2", "b2");
    g.stamp(
        "",
        "a3 b3",
        "stamp(>a3): INSERT a3; stamp(>b3): INSERT b3",
        "a3 b3",
    );
    assert_eq!(
        g.map.expand_heads(&ids("zzzz")).unwrap_err().to_string(),
        "No such revision or branch 'zzzz'"
    );
}

#[test]
fn stamp_offline() {
    // 75: a→b→c; d(b)→e(d); f(b)
    let g = g("a(); b(a); c(b); d(b); e(d); f(b)");
    g.stamp(
        "",
        "heads",
        "stamp(>c): INSERT c; stamp(>e): INSERT e; stamp(>f): INSERT f",
        "c e f",
    );
    g.stamp(
        "b",
        "c e f",
        "stamp(b>c): UPDATE b>c; stamp(b>e): INSERT e; stamp(b>f): INSERT f",
        "c e f",
    );
    g.stamp(
        "b",
        "heads",
        "stamp(b>c): UPDATE b>c; stamp(b>e): INSERT e; stamp(b>f): INSERT f",
        "c e f",
    );
    // --purge plans from nothing.
    let steps = g.map.stamp_steps(&g.ids("e f"), &["c"], true).unwrap();
    g.replay("", &steps, "stamp(>c): INSERT c", "c");
}

#[test]
fn offline_upgrade_and_downgrade() {
    // 76
    let g = g("a=1a2b3c4d5e6f(); b=2b3c4d5e6f7a(a); c=3c4d5e6f7a8b(b)");
    g.up("", "{a}", "+a: INSERT a", "a");
    g.up("b", "{c}", "+c: UPDATE b>c", "c");
    g.down(
        "c",
        "base",
        "-c: UPDATE c>b; -b: UPDATE b>a; -a: DELETE a",
        "",
    );
    g.stamp("", "base", "", "");
    g.up(
        "",
        "head",
        "+a: INSERT a; +b: UPDATE a>b; +c: UPDATE b>c",
        "c",
    );
    // The partial start of `stamp <a[0:7]>:head --sql` resolves to a.
    g.resolve_one("1a2b3c4", "a");
    g.stamp("a", "head", "stamp(a>c): UPDATE a>c", "c");
}

#[test]
fn row_count_errors() {
    // 78, 83
    let op = RowOp::Update {
        from: RevisionId::new("x").unwrap(),
        to: RevisionId::new("b").unwrap(),
    };
    assert!(op.check_row_count("version_table", 1).is_ok());
    assert_eq!(
        op.check_row_count("version_table", 0)
            .unwrap_err()
            .to_string(),
        "Online migration expected to match one row when updating 'x' to 'b' in \
         'version_table'; 0 found"
    );
    assert_eq!(
        op.check_row_count("alembic_version", 2)
            .unwrap_err()
            .to_string(),
        "Online migration expected to match one row when updating 'x' to 'b' in \
         'alembic_version'; 2 found"
    );
    let op = RowOp::Delete(RevisionId::new("x").unwrap());
    assert_eq!(
        op.check_row_count("version_table", 0)
            .unwrap_err()
            .to_string(),
        "Online migration expected to match one row when deleting 'x' in 'version_table'; \
         0 found"
    );
    assert!(
        RowOp::Insert(RevisionId::new("x").unwrap())
            .check_row_count("version_table", 0)
            .is_ok()
    );
}

#[test]
fn head_maintainer_stamp_steps() {
    // 83 (UpdateRevTest): stamp steps applied to the version table.
    use Direction::{Downgrade as Down, Upgrade as Up};
    let map = RevisionMap::new(Vec::new()).unwrap();
    let run = |steps: &[(&str, &str, Direction, bool, &str, &str)]| {
        let mut heads = Heads::default();
        for (from, to, dir, branch, rows, expected) in steps {
            let step = stamp_step(from, to, *dir, *branch);
            let ops = heads.apply(&map, &step).unwrap();
            let ops: Vec<String> = ops
                .iter()
                .map(|o| match o {
                    RowOp::Insert(i) => format!("INSERT {i}"),
                    RowOp::Update { from, to } => format!("UPDATE {from}>{to}"),
                    RowOp::Delete(i) => format!("DELETE {i}"),
                })
                .collect();
            assert_eq!(ops.join(", "), *rows);
            let mut ids: Vec<&str> = heads.ids().iter().map(RevisionId::as_str).collect();
            ids.sort_unstable();
            assert_eq!(ids.join(" "), *expected);
        }
    };
    run(&[("", "a", Up, true, "INSERT a", "a")]);
    run(&[
        ("", "a", Up, true, "INSERT a", "a"),
        ("a", "b", Up, false, "UPDATE a>b", "b"),
    ]);
    run(&[
        ("", "a", Up, true, "INSERT a", "a"),
        ("a", "", Down, true, "DELETE a", ""),
    ]);
    run(&[
        ("", "a", Up, true, "INSERT a", "a"),
        ("a", "b", Up, false, "UPDATE a>b", "b"),
        ("", "c", Up, true, "INSERT c", "b c"),
        ("c", "d", Up, false, "UPDATE c>d", "b d"),
        ("d", "e1", Up, false, "UPDATE d>e1", "b e1"),
        ("d", "e2", Up, true, "INSERT e2", "b e1 e2"),
    ]);
    run(&[
        ("", "d1", Up, true, "INSERT d1", "d1"),
        ("", "d2", Up, true, "INSERT d2", "d1 d2"),
        ("d1", "c", Down, false, "UPDATE d1>c", "c d2"),
        ("d2", "c", Down, true, "DELETE d2", "c"),
        ("c", "b", Down, false, "UPDATE c>b", "b"),
    ]);
    run(&[
        ("", "a", Up, true, "INSERT a", "a"),
        ("a", "b", Up, false, "UPDATE a>b", "b"),
        ("b", "c1", Up, false, "UPDATE b>c1", "c1"),
        ("b", "c2", Up, true, "INSERT c2", "c1 c2"),
        ("c1", "d1", Up, false, "UPDATE c1>d1", "c2 d1"),
        ("c2", "d2", Up, false, "UPDATE c2>d2", "d1 d2"),
        ("d1,d2", "e", Up, false, "DELETE d1, UPDATE d2>e", "e"),
    ]);
    run(&[
        ("", "e", Up, true, "INSERT e", "e"),
        ("e", "d1,d2", Down, false, "INSERT d1, UPDATE e>d2", "d1 d2"),
        ("d2", "c2", Down, false, "UPDATE d2>c2", "c2 d1"),
    ]);
    // A step that does not fit the heads.
    let mut heads = Heads::new([RevisionId::new("a").unwrap()]);
    let err = heads
        .apply(&map, &stamp_step("x", "b", Down, false))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Can't update version x to b: x is not a current head"
    );
    let err = heads
        .apply(&map, &stamp_step("x", "", Down, true))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Can't delete version x: it is not a current head"
    );
}

#[test]
fn step_texts() {
    let g = g("a(); b(a); c(b); m(b, c)");
    let steps = g.map.upgrade_steps(&[], "b").unwrap();
    assert_eq!(steps[0].short_log(), "upgrade  -> a");
    assert_eq!(steps[1].short_log(), "upgrade a -> b");
    assert_eq!(steps[1].log_message(&g.map), "upgrade a -> b, b doc");
    let steps = g.map.downgrade_steps(&g.ids("m"), "c").unwrap();
    assert_eq!(steps[0].short_log(), "downgrade m -> b, c");
    let steps = g.map.downgrade_steps(&g.ids("a"), "base").unwrap();
    assert_eq!(steps[0].log_message(&g.map), "downgrade a -> , a doc");
    let stamp = stamp_step("c,d", "b", Direction::Downgrade, false);
    assert_eq!(stamp.short_log(), "stamp_revision c, d -> b");
    assert_eq!(stamp.log_message(&g.map), "stamp_revision c, d -> b");
}

#[test]
fn graph_queries() {
    let g = g("a(); b(a); c2(b); c1(b); d(c1, c2); e(;deps=d)");
    assert_eq!(g.names(&g.map.children("b")), "c1 c2");
    assert_eq!(g.names(&g.map.dependents("d")), "e");
    assert!(g.map.is_branch_point("b"));
    assert!(!g.map.is_branch_point("a"));
    assert!(g.map.is_merge_point("d"));
    assert!(g.map.is_head("d"));
    assert!(g.map.is_effective_head("d"));
    assert!(!g.map.is_real_head("d"));
    assert!(g.map.is_real_head("e"));
    assert!(!g.map.is_head("zzz"));
    g.heads("d e");
    assert_eq!(g.names(&g.map.real_heads()), "e");
    assert_eq!(g.names(&g.map.bases()), "a e");
    assert_eq!(g.names(&g.map.real_bases()), "a");
    assert_eq!(g.map.len(), 6);
    assert!(!g.map.is_empty());
    assert_eq!(g.map.get("c1").map(|r| r.id.as_str()), Some("c1"));
    assert!(g.map.get("c").is_none());
    assert_eq!(g.map.revisions().count(), 6);
}

#[test]
fn large_graphs_finish() {
    // A 10,000-revision line and a 2,000-branch fan; no timing assertion.
    let n = 10_000;
    let ids: Vec<String> = (0..n).map(|i| format!("r{i:05}")).collect();
    let revs: Vec<Revision> = (0..n)
        .map(|i| {
            let down: Vec<&str> = if i == 0 {
                vec![]
            } else {
                vec![ids[i - 1].as_str()]
            };
            rev(&ids[i], &down, &[], if i == 0 { &["line"] } else { &[] })
        })
        .collect();
    let map = RevisionMap::new(revs).unwrap();
    assert_eq!(map.heads().len(), 1);
    assert_eq!(map.bases().len(), 1);
    assert_eq!(map.history(None, &[]).unwrap().len(), n);
    assert_eq!(map.history(Some("r05000:"), &[]).unwrap().len(), n - 5000);
    let steps = map.upgrade_steps(&[], "heads").unwrap();
    assert_eq!(steps.len(), n);
    let mut heads = Heads::default();
    for step in &steps {
        heads.apply(&map, step).unwrap();
    }
    assert_eq!(heads.ids(), [RevisionId::new("r09999").unwrap()]);
    let steps = map.downgrade_steps(heads.ids(), "base").unwrap();
    assert_eq!(steps.len(), n);
    for step in &steps {
        heads.apply(&map, step).unwrap();
    }
    assert!(heads.ids().is_empty());
    assert_eq!(map.resolve("line@head").unwrap().len(), 1);
    assert_eq!(map.branch_labels("r09999"), ["line"]);
    assert_eq!(
        map.expand_heads(&[RevisionId::new("r09999").unwrap()])
            .unwrap()
            .len(),
        1
    );

    let width = 2_000;
    let mut revs = vec![rev("root", &[], &[], &[])];
    let leaves: Vec<String> = (0..width).map(|i| format!("leaf{i:04}")).collect();
    let tips: Vec<String> = (0..width).map(|i| format!("tip{i:04}")).collect();
    for i in 0..width {
        revs.push(rev(&leaves[i], &["root"], &[], &[]));
        revs.push(rev(&tips[i], &[leaves[i].as_str()], &[], &[]));
    }
    let map = RevisionMap::new(revs).unwrap();
    assert_eq!(map.heads().len(), width);
    assert_eq!(map.history(None, &[]).unwrap().len(), 2 * width + 1);
    let steps = map.upgrade_steps(&[], "heads").unwrap();
    assert_eq!(steps.len(), 2 * width + 1);
    let mut heads = Heads::default();
    for step in &steps {
        heads.apply(&map, step).unwrap();
    }
    assert_eq!(heads.ids().len(), width);
}

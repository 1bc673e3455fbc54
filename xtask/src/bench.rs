//! `cargo xtask bench [CASE...]`: build in release, time each case several times against a
//! real PostgreSQL, and record the medians in `docs/BENCHMARKS.md`, one section per case.
//!
//! The cases run on fixtures generated under `target/bench/` ([`fixtures`]): a cargo
//! workspace of migrations crates scaffolded by the release `cargo alembic init`, whose
//! `versions/` hold up to 10,000 generated revision files, plus a Python Alembic project
//! with the same 1,000 revisions for the comparison figures. The fixtures and their build
//! directory are kept between runs, so only the first run compiles the dependencies.
//!
//! To add a benchmark, write a `fn(&mut Context) -> Result<Report>` that times what it
//! measures with [`Series`] (several runs, the median recorded), states its targets as
//! [`Verdict`]s, and list it in [`CASES`]. Timing stays here, never in tests (DESIGN.md,
//! "Conventions").

mod cases;
mod db;
mod fixtures;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::Result;
use crate::cmd::Cmd;

/// The document this task writes.
const DOC: &str = "docs/BENCHMARKS.md";

/// The section of the document that lists every case's verdicts.
const SUMMARY: &str = "summary";

/// The header of a case's verdict table; the summary collects the rows under it.
const VERDICT_HEADER: &str = "| figure | measured | target | result |";

/// One benchmark.
pub struct Case {
    /// A short name: the argument of `cargo xtask bench NAME` and the document section.
    pub name: &'static str,
    /// What is measured, in a few words.
    pub what: &'static str,
    /// Runs the case: builds what it needs, times it, and returns its report.
    pub run: fn(&mut Context) -> Result<Report>,
}

/// The benchmark cases, in the order they run and are listed.
const CASES: &[Case] = &[
    Case {
        name: "heads-history",
        what: "`cargo alembic heads`/`history` over 1,000 and 10,000 revision files (issue 2)",
        run: cases::heads_history,
    },
    Case {
        name: "upgrade",
        what: "`upgrade head` and `downgrade base` of 1,000 tables vs `psql -f` (issue 3)",
        run: cases::upgrade,
    },
    Case {
        name: "startup",
        what: "the application's start-up check at head with 10,000 revisions (issue 3)",
        run: cases::startup,
    },
    Case {
        name: "upgrade-sql",
        what: "`upgrade head --sql` of 1,000 revisions (issue 3)",
        run: cases::upgrade_sql,
    },
    Case {
        name: "autogenerate",
        what: "introspection + comparison of a 1,000-table schema (issue 5)",
        run: cases::autogenerate,
    },
];

/// What a case may need.
pub struct Context {
    /// The workspace root.
    pub root: PathBuf,
    /// `target/release`, where the release `cargo-alembic` is.
    pub release_dir: PathBuf,
    /// The PostgreSQL server and `psql`.
    pub pg: db::Postgres,
    /// The generated fixtures in `target/bench`.
    pub fixtures: fixtures::Fixtures,
    /// One line describing the machine and the server.
    pub machine: String,
    /// The command line that reproduces this run's sections.
    pub command: String,
}

impl Context {
    /// `target/release/cargo-alembic`.
    pub fn cargo_alembic(&self) -> PathBuf {
        self.release_dir.join("cargo-alembic")
    }

    /// `path` relative to the workspace root, for the document.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// What a case found: rendered as its section of the document.
#[derive(Default)]
pub struct Report {
    /// What the case measures and how, in Markdown.
    pub about: String,
    /// The timed commands.
    pub series: Vec<Series>,
    /// The figures compared with their targets.
    pub verdicts: Vec<Verdict>,
    /// Findings: failures, what dominates the time, caveats.
    pub notes: Vec<String>,
}

/// The samples of one timed command.
pub struct Series {
    /// What runs, in a few words.
    pub label: String,
    /// The command, as the document shows it.
    pub command: String,
    /// One duration per run.
    pub samples: Vec<Duration>,
}

impl Series {
    pub fn new(label: impl Into<String>, command: impl Into<String>) -> Series {
        Series {
            label: label.into(),
            command: command.into(),
            samples: Vec::new(),
        }
    }

    /// The median sample; zero when there are none.
    pub fn median(&self) -> Duration {
        median(&mut self.samples.clone()).unwrap_or_default()
    }
}

/// A figure compared with its target.
pub struct Verdict {
    pub figure: String,
    pub measured: String,
    pub target: String,
    /// `None` for a figure recorded without a target, or one that could not be measured.
    pub pass: Option<bool>,
}

impl Verdict {
    /// A duration against an upper bound.
    pub fn under(figure: &str, measured: Duration, limit: Duration) -> Verdict {
        Verdict {
            figure: figure.to_owned(),
            measured: format_duration(measured),
            target: format!("< {}", format_duration(limit)),
            pass: Some(measured < limit),
        }
    }

    /// A figure with no target.
    pub fn info(figure: &str, measured: String, target: &str) -> Verdict {
        Verdict {
            figure: figure.to_owned(),
            measured,
            target: target.to_owned(),
            pass: None,
        }
    }
}

/// `cargo xtask bench [CASE...]`.
pub fn run(names: &[String]) -> Result<()> {
    let known: Vec<&str> = CASES.iter().map(|case| case.name).collect();
    let unknown: Vec<&String> = names
        .iter()
        .filter(|name| !known.contains(&name.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown benchmark {}; the cases are: {}",
            unknown
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        )
        .into());
    }
    let selected: Vec<&Case> = CASES
        .iter()
        .filter(|case| names.is_empty() || names.iter().any(|name| name == case.name))
        .collect();

    let started = Instant::now();
    let root = crate::project_root();
    Cmd::cargo()
        .args(["build", "--release", "--package", "cargo-alembic"])
        .current_dir(&root)
        .run()?;
    let release_dir = crate::target_dir().join("release");
    let pg = db::Postgres::find()?;
    let fixtures = fixtures::Fixtures::generate(&root, &release_dir.join("cargo-alembic"))?;
    let machine = machine(&pg)?;
    let command = if names.is_empty() {
        "cargo xtask bench".to_owned()
    } else {
        format!("cargo xtask bench {}", names.join(" "))
    };
    let mut context = Context {
        root,
        release_dir,
        pg,
        fixtures,
        machine,
        command,
    };

    let doc = context.root.join(DOC);
    let mut failed = Vec::new();
    for case in selected {
        eprintln!("xtask: bench `{}`: {}", case.name, case.what);
        let case_started = Instant::now();
        let load_before = load_average();
        let report =
            (case.run)(&mut context).map_err(|err| format!("benchmark `{}`: {err}", case.name))?;
        let elapsed = case_started.elapsed();
        let load = format!("{load_before} before, {} after", load_average());
        eprintln!(
            "xtask: bench `{}` took {:.0} s",
            case.name,
            elapsed.as_secs_f64()
        );
        for verdict in &report.verdicts {
            eprintln!(
                "xtask:   {}: {} (target {}){}",
                verdict.figure,
                verdict.measured,
                verdict.target,
                match verdict.pass {
                    Some(true) => " pass",
                    Some(false) => " FAIL",
                    None => "",
                }
            );
            if verdict.pass == Some(false) {
                failed.push(format!("{}: {}", case.name, verdict.figure));
            }
        }
        write_section(
            &doc,
            case.name,
            &render(case, &context, &report, elapsed, &load),
        )?;
    }
    let text = fs::read_to_string(&doc)
        .map_err(|err| format!("failed to read `{}`: {err}", doc.display()))?;
    write_section(&doc, SUMMARY, &summary(&text))?;
    eprintln!(
        "xtask: wrote {} in {:.0} s",
        doc.display(),
        started.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        eprintln!("xtask: targets missed: {}", failed.join("; "));
    }
    Ok(())
}

/// A case's section of the document.
fn render(
    case: &Case,
    context: &Context,
    report: &Report,
    elapsed: Duration,
    load: &str,
) -> String {
    let mut out = format!(
        "### `{}`: {}\n\n*{}. Measured {} by `{}`; this case took {:.0} s, with a load \
         average (1 min) of {load}.*\n\n",
        case.name,
        case.what,
        context.machine,
        today(),
        context.command,
        elapsed.as_secs_f64()
    );
    if !report.about.is_empty() {
        out.push_str(report.about.trim_end());
        out.push_str("\n\n");
    }
    if !report.series.is_empty() {
        out.push_str("| measurement | command | runs | median | min | max |\n");
        out.push_str("| --- | --- | ---: | ---: | ---: | ---: |\n");
        for series in &report.series {
            let mut samples = series.samples.clone();
            samples.sort_unstable();
            let (min, max) = match (samples.first(), samples.last()) {
                (Some(min), Some(max)) => (format_duration(*min), format_duration(*max)),
                _ => ("–".to_owned(), "–".to_owned()),
            };
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {min} | {max} |\n",
                series.label,
                series.command.replace('|', "\\|"),
                samples.len(),
                if samples.is_empty() {
                    "–".to_owned()
                } else {
                    format!("**{}**", format_duration(series.median()))
                },
            ));
        }
        out.push('\n');
    }
    if !report.verdicts.is_empty() {
        out.push_str(VERDICT_HEADER);
        out.push_str("\n| --- | --- | --- | --- |\n");
        for verdict in &report.verdicts {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                verdict.figure,
                verdict.measured,
                verdict.target,
                match verdict.pass {
                    Some(true) => "pass",
                    Some(false) => "**FAIL**",
                    None => "–",
                }
            ));
        }
        out.push('\n');
    }
    for note in &report.notes {
        out.push_str(&format!("- {}\n", note.trim_end()));
    }
    out
}

/// The summary section: every case's verdict rows, collected from its section of `doc`, so
/// running one case keeps the other cases' rows.
pub fn summary(doc: &str) -> String {
    let mut out = String::from("| case | figure | measured | target | result |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for case in CASES {
        let start = format!("<!-- bench:{}:start -->", case.name);
        let end = format!("<!-- bench:{}:end -->", case.name);
        let Some(body) = doc
            .split_once(&start)
            .and_then(|(_, rest)| rest.split_once(&end))
            .map(|(body, _)| body)
        else {
            out.push_str(&format!("| `{}` | not measured yet | | | |\n", case.name));
            continue;
        };
        let rows = body
            .lines()
            .skip_while(|line| *line != VERDICT_HEADER)
            .skip(2)
            .take_while(|line| line.starts_with('|'));
        for row in rows {
            out.push_str(&format!("| `{}` {row}\n", case.name));
        }
    }
    out
}

/// One line on the machine and the server, for every section.
fn machine(pg: &db::Postgres) -> Result<String> {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU", |(_, model)| model.trim());
    let memory = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or_else(String::new, |kb| {
            format!(", {} GiB RAM", (kb + 512 * 1024) / (1024 * 1024))
        });
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let settings = pg.settings()?;
    Ok(format!(
        "{cpus} CPUs ({model}){memory}, Linux {}; PostgreSQL {settings}",
        kernel.trim()
    ))
}

/// The one-minute load average: how busy other processes kept the machine.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Runs `cmd` once and returns its wall time and stdout; a failure is an error carrying
/// stderr.
pub fn time(cmd: Cmd) -> Result<(Duration, String)> {
    let started = Instant::now();
    let stdout = cmd.read()?;
    Ok((started.elapsed(), stdout))
}

/// `1.23 ms`, `45.6 ms`, `1.23 s`.
pub fn format_duration(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// Today's date in UTC, `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The median of `samples` (the mean of the middle two for an even count), or `None` if
/// there are none. Sorts `samples`.
pub fn median(samples: &mut [Duration]) -> Option<Duration> {
    samples.sort_unstable();
    let mid = samples.len() / 2;
    match samples.len() {
        0 => None,
        len if len % 2 == 1 => Some(samples[mid]),
        _ => Some((samples[mid - 1] + samples[mid]) / 2),
    }
}

/// Rewrites the section `name` of the Markdown file at `path` with `body`, creating the
/// file or appending the section as needed. Leaves the file untouched if nothing changed.
pub fn write_section(path: &Path, name: &str, body: &str) -> Result<()> {
    let old = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            String::from("# Benchmarks\n\nWritten by `cargo xtask bench`.\n")
        }
        Err(err) => return Err(format!("failed to read `{}`: {err}", path.display()).into()),
    };
    let new = replace_section(&old, name, body);
    if new != old {
        fs::write(path, new)
            .map_err(|err| format!("failed to write `{}`: {err}", path.display()))?;
    }
    Ok(())
}

/// Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`
/// with `body`, or appends the marked section if it is missing. Text outside the markers
/// is kept, so the document can explain the numbers.
pub fn replace_section(doc: &str, name: &str, body: &str) -> String {
    let start = format!("<!-- bench:{name}:start -->");
    let end = format!("<!-- bench:{name}:end -->");
    let body = body.trim_end();
    if let Some(start_at) = doc.find(&start)
        && let Some(end_offset) = doc[start_at..].find(&end)
    {
        let end_at = start_at + end_offset;
        return format!("{}{start}\n{body}\n{}", &doc[..start_at], &doc[end_at..]);
    }
    let separator = if doc.is_empty() || doc.ends_with("\n\n") {
        ""
    } else if doc.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{doc}{separator}{start}\n{body}\n{end}\n")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{format_duration, median, replace_section, summary};

    #[test]
    fn median_of_odd_even_and_no_samples() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(3), ms(1), ms(2)]), Some(ms(2)));
        assert_eq!(
            median(&mut [ms(4), ms(1), ms(3), ms(2)]),
            Some(Duration::from_micros(2500))
        );
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn replace_section_appends_then_rewrites_in_place() {
        let doc = "# Benchmarks\n\nIntro.\n";
        let once = replace_section(doc, "results", "| a |\n");
        assert_eq!(
            once,
            "# Benchmarks\n\nIntro.\n\n<!-- bench:results:start -->\n| a |\n<!-- bench:results:end -->\n"
        );
        let with_outro = format!("{once}\nOutro.\n");
        let twice = replace_section(&with_outro, "results", "| b |");
        assert_eq!(
            twice,
            "# Benchmarks\n\nIntro.\n\n<!-- bench:results:start -->\n| b |\n<!-- bench:results:end -->\n\nOutro.\n"
        );
        assert_eq!(replace_section(&twice, "results", "| b |"), twice);
    }

    #[test]
    fn format_duration_picks_a_readable_precision() {
        assert_eq!(format_duration(Duration::from_micros(1234)), "1.23 ms");
        assert_eq!(format_duration(Duration::from_micros(45_670)), "45.7 ms");
        assert_eq!(format_duration(Duration::from_millis(2346)), "2.35 s");
    }

    #[test]
    fn summary_collects_the_verdict_rows_of_each_section() {
        let doc = "<!-- bench:upgrade:start -->\n### upgrade\n\n\
                   | figure | measured | target | result |\n| --- | --- | --- | --- |\n\
                   | up | 1.02× | ≤ 1.10× | pass |\n\n- a note\n<!-- bench:upgrade:end -->\n";
        let text = summary(doc);
        assert!(
            text.contains("| `upgrade` | up | 1.02× | ≤ 1.10× | pass |\n"),
            "{text}"
        );
        assert!(
            text.contains("| `heads-history` | not measured yet | | | |\n"),
            "{text}"
        );
    }
}

//! The benchmark cases. Each times whole processes (or, for the start-up check, calls inside
//! one process), several runs, and compares the medians with the targets of its issue.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::db::Database;
use super::fixtures;
use super::fixtures::{CHAIN, STARTUP};
use super::{Context, Report, Series, Verdict, format_duration, time};
use crate::Result;
use crate::cmd::Cmd;

/// Runs of each `heads`/`history` measurement over 1,000 files.
const LISTING_RUNS_1K: usize = 21;
/// Runs of each `heads`/`history` measurement over 10,000 files.
const LISTING_RUNS_10K: usize = 11;
/// Runs of each Python Alembic listing (about a second each).
const PYTHON_LISTING_RUNS: usize = 5;
/// Runs of each tool's upgrade and downgrade, each on a fresh database.
const UPGRADE_RUNS: usize = 5;
/// Runs of Python Alembic's upgrade (several seconds each).
const PYTHON_UPGRADE_RUNS: usize = 3;
/// Processes of the start-up check, each timing [`STARTUP_CALLS`] calls.
const STARTUP_PROCESSES: usize = 5;
/// Calls of the start-up check per process.
const STARTUP_CALLS: usize = 500;
/// Runs of each `upgrade head --sql` measurement.
const OFFLINE_RUNS: usize = 11;
/// Tables of the schema that issue 5's figure introspects and compares.
const AUTOGENERATE_TABLES: usize = 1_000;
/// Introspections and comparisons per process.
const AUTOGENERATE_RUNS: usize = 5;
/// Processes of `autogenerate-check`.
const AUTOGENERATE_PROCESSES: usize = 3;

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Issue 2: `heads` and `history` over 1,000 and 10,000 revision files, whole process.
pub fn heads_history(ctx: &mut Context) -> Result<Report> {
    let mut report = Report {
        about: format!(
            "Whole-process time of the release `cargo-alembic`, run directly (as cargo runs \
             it) in a migrations crate whose `versions/` holds a linear chain of empty Rust \
             revisions with the headers `cargo alembic revision` writes. Output is captured \
             through a pipe. One untimed run first warms the page cache. Python Alembic \
             runs `python3 -m alembic` in a project with {CHAIN} revisions written as its \
             `script.py.mako` writes them."
        ),
        ..Report::default()
    };
    let exe = ctx.cargo_alembic();
    for (name, count, runs, limit) in [
        ("heads1k", 1_000, LISTING_RUNS_1K, MS(25)),
        ("heads10k", 10_000, LISTING_RUNS_10K, MS(200)),
    ] {
        let dir = ctx.fixtures.crate_dir(name);
        for command in ["heads", "history"] {
            let cmd = || Cmd::new(&exe).args(["alembic", command]).current_dir(&dir);
            let (_, output) = time(cmd())?;
            check_listing(command, &output, count)?;
            let mut series = Series::new(
                format!("`{command}`, {count} files"),
                format!(
                    "cd {} && {} alembic {command}",
                    ctx.shown(&dir),
                    ctx.shown(&exe)
                ),
            );
            for _ in 0..runs {
                series.samples.push(time(cmd())?.0);
            }
            report.verdicts.push(Verdict::under(
                &format!("`{command}`, {count} revision files"),
                series.median(),
                limit,
            ));
            report.series.push(series);
        }
    }
    if !python_available() {
        report.notes.push(
            "Python Alembic was not measured: `python3 -c 'import alembic, sqlalchemy, \
             psycopg2'` fails (`pip install alembic sqlalchemy psycopg2-binary`)."
                .to_owned(),
        );
        return Ok(report);
    }
    for command in ["heads", "history"] {
        let python = &ctx.fixtures.python;
        let cmd = || {
            Cmd::new("python3")
                .args(["-m", "alembic", command])
                .current_dir(python)
        };
        let (_, output) = time(cmd())?;
        check_listing(command, &output, CHAIN)?;
        let mut series = Series::new(
            format!("Python Alembic `{command}`, {CHAIN} files"),
            format!("cd {} && python3 -m alembic {command}", ctx.shown(python)),
        );
        for _ in 0..PYTHON_LISTING_RUNS {
            series.samples.push(time(cmd())?.0);
        }
        let ours = report
            .series
            .iter()
            .find(|s| s.label == format!("`{command}`, {CHAIN} files"))
            .map(Series::median)
            .unwrap_or_default();
        report.verdicts.push(Verdict::info(
            &format!("Python Alembic `{command}`, {CHAIN} files"),
            format!(
                "{} ({:.0}× cargo-alembic's)",
                format_duration(series.median()),
                series.median().as_secs_f64() / ours.as_secs_f64().max(f64::MIN_POSITIVE)
            ),
            "issue 2 quotes 1.1 s",
        ));
        report.series.push(series);
    }
    Ok(report)
}

/// `heads` prints the one head; `history` one line per revision.
fn check_listing(command: &str, output: &str, count: usize) -> Result<()> {
    let lines = output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count();
    let right = match command {
        "heads" => lines == 1 && output.contains("(head)"),
        _ => lines == count,
    };
    if right {
        Ok(())
    } else {
        Err(format!(
            "`{command}` over {count} revisions printed {lines} lines, starting:\n{}",
            output.lines().take(5).collect::<Vec<_>>().join("\n")
        )
        .into())
    }
}

/// Who runs the chain of [`CHAIN`] tables.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tool {
    /// `psql -f` of the concatenated sections.
    Psql,
    /// The migrations binary of `chain1k` (SQL revisions).
    Sql,
    /// The migrations binary of `chain1k_rs` (Rust revisions calling `op.execute`).
    Rust,
    /// Python Alembic (upgrade only).
    Python,
}

impl Tool {
    fn label(self) -> &'static str {
        match self {
            Tool::Psql => "psql",
            Tool::Sql => "binary, SQL revisions",
            Tool::Rust => "binary, Rust revisions",
            Tool::Python => "Python Alembic",
        }
    }

    /// The command and how the document shows it.
    fn command(
        self,
        ctx: &Context,
        db: &Database<'_>,
        upgrade: bool,
        per_revision: bool,
    ) -> (Cmd, String) {
        match self {
            Tool::Psql => {
                let script = ctx.fixtures.sql_script(upgrade, per_revision);
                let one = if per_revision { "" } else { " -1" };
                let mut cmd = db.psql();
                if !per_revision {
                    cmd = cmd.arg("-1");
                }
                (
                    cmd.arg("-f").arg(&script),
                    format!(
                        "psql -X -q -v ON_ERROR_STOP=1{one} -d $URL -f {}",
                        ctx.shown(&script)
                    ),
                )
            }
            Tool::Sql | Tool::Rust => {
                let package = if self == Tool::Sql {
                    "chain1k"
                } else {
                    "chain1k_rs"
                };
                let binary = ctx.fixtures.binary(package);
                let flag = if per_revision {
                    " --transaction-per-migration"
                } else {
                    ""
                };
                let target = if upgrade {
                    ["upgrade", "head"]
                } else {
                    ["downgrade", "base"]
                };
                let mut cmd = Cmd::new(&binary).args(["--quiet", "--url", &db.url]);
                if per_revision {
                    cmd = cmd.arg("--transaction-per-migration");
                }
                (
                    cmd.args(target),
                    format!(
                        "{} --quiet --url $URL{flag} {}",
                        ctx.shown(&binary),
                        target.join(" ")
                    ),
                )
            }
            Tool::Python => {
                let python = &ctx.fixtures.python;
                let url = python_url(&db.url);
                let mut cmd = Cmd::new("python3").args(["-m", "alembic", "-x", &url]);
                let mut shown = format!(
                    "cd {} && python3 -m alembic -x url=postgresql+psycopg2://...",
                    ctx.shown(python)
                );
                if per_revision {
                    cmd = cmd.args(["-x", "transaction_per_migration=true"]);
                    shown.push_str(" -x transaction_per_migration=true");
                }
                shown.push_str(" upgrade head");
                (cmd.args(["upgrade", "head"]).current_dir(python), shown)
            }
        }
    }

    /// Tables in `public` once the chain is applied, or reverted.
    fn expected_tables(self, upgraded: bool) -> usize {
        let version_table = usize::from(self != Tool::Psql);
        if upgraded {
            CHAIN + version_table
        } else {
            version_table
        }
    }
}

/// Issue 3: `upgrade head` and `downgrade base` of [`CHAIN`] tables with an index and a
/// foreign key each, the migrations binary against `psql -f` of the same SQL.
pub fn upgrade(ctx: &mut Context) -> Result<Report> {
    let build_sql = ctx
        .fixtures
        .rebuild("chain1k", &format!("{CHAIN} SQL revisions"))?;
    let build_rust = ctx
        .fixtures
        .rebuild("chain1k_rs", &format!("{CHAIN} Rust revisions"))?;
    let python = python_available();
    let mut report = Report {
        about: format!(
            "Each revision of a linear chain of {CHAIN} creates a table with an identity \
             primary key, a `text` column with an index, and a foreign key to the previous \
             revision's table; its downgrade drops the table. Every run starts on a fresh \
             database, and within a run the tools take turns (the order rotates from run to \
             run), so a binary's run and psql's run of the same round are close in time. \
             Times are whole processes, connection included. `psql` runs the revisions' \
             upgrade (or downgrade) sections concatenated, so it does no version-table \
             bookkeeping: the binary also creates `alembic_version` and writes it once per \
             revision, as Alembic does. Measured in both of Alembic's transaction modes: \
             the whole run in one transaction (the default; `psql -1`) and one transaction \
             per revision (`--transaction-per-migration`; `psql` with each revision wrapped \
             in `BEGIN`/`COMMIT`). The verdict is the median over the rounds of each \
             round's ratio, which cancels most of the load that other processes put on the \
             machine; the medians of the two series are shown beside it."
        ),
        ..Report::default()
    };
    report.series.push(build_sql);
    report.series.push(build_rust);
    let mut python_done = false;
    for per_revision in [false, true] {
        let mode = if per_revision {
            "one transaction per revision"
        } else {
            "one transaction"
        };
        let mut tools = vec![Tool::Psql, Tool::Sql, Tool::Rust];
        // Python Alembic takes several times longer: one mode is enough, its default one
        // unless that fails.
        if python && !python_done {
            tools.push(Tool::Python);
        }
        // The samples of each tool and direction, with the round they were taken in.
        let mut rounds: BTreeMap<(Tool, bool), Vec<(usize, Duration)>> = BTreeMap::new();
        let mut commands: BTreeMap<(Tool, bool), String> = BTreeMap::new();
        let mut failures: BTreeMap<(Tool, bool), String> = BTreeMap::new();
        for round in 0..UPGRADE_RUNS {
            for turn in 0..tools.len() {
                let tool = tools[(round + turn) % tools.len()];
                if tool == Tool::Python && round >= PYTHON_UPGRADE_RUNS
                    || failures.contains_key(&(tool, true))
                {
                    continue;
                }
                let db = ctx.pg.fresh_database()?;
                for upgrade in [true, false] {
                    if !upgrade && (tool == Tool::Python || failures.contains_key(&(tool, false))) {
                        break;
                    }
                    let (cmd, shown) = tool.command(ctx, &db, upgrade, per_revision);
                    commands.entry((tool, upgrade)).or_insert(shown);
                    let what = format!(
                        "{}, {}, {mode}",
                        if upgrade { "upgrade" } else { "downgrade" },
                        tool.label()
                    );
                    match time(cmd) {
                        Ok((elapsed, _)) => rounds
                            .entry((tool, upgrade))
                            .or_default()
                            .push((round, elapsed)),
                        Err(err) => {
                            let summary = failure_summary(&err.to_string())
                                .replace(&format!("{}/", ctx.root.display()), "");
                            eprintln!("xtask: {what} failed: {summary}");
                            failures.insert((tool, upgrade), summary);
                            break;
                        }
                    }
                    let tables = count_tables(&db)?;
                    if tables != tool.expected_tables(upgrade) {
                        return Err(format!(
                            "after {what}, `public` holds {tables} tables, not {}",
                            tool.expected_tables(upgrade)
                        )
                        .into());
                    }
                }
            }
        }
        if tools.contains(&Tool::Python) && !failures.contains_key(&(Tool::Python, true)) {
            python_done = true;
        }
        let median_of = |key: (Tool, bool)| -> Option<Duration> {
            let mut samples: Vec<Duration> = rounds.get(&key)?.iter().map(|(_, d)| *d).collect();
            super::median(&mut samples)
        };
        let verdict = |tool: Tool, upgrade: bool, limit: Option<f64>| -> Verdict {
            let op = if upgrade {
                "upgrade head"
            } else {
                "downgrade base"
            };
            let figure = format!("`{op}`, {}, {mode}", tool.label());
            let target = match limit {
                Some(limit) => format!("≤ {limit:.2}× psql"),
                None => "issue 3 quotes ≈ 3.9× psql".to_owned(),
            };
            let (ours, psql) = (median_of((tool, upgrade)), median_of((Tool::Psql, upgrade)));
            let (Some(ours), Some(psql)) = (ours, psql) else {
                let state = |tool: Tool, median: Option<Duration>| match median {
                    Some(median) => format!("{} {}", tool.label(), format_duration(median)),
                    None => format!(
                        "{} fails: {}",
                        tool.label(),
                        failures
                            .get(&(tool, upgrade))
                            .map_or("not run", |f| first_error_line(f))
                    ),
                };
                return Verdict::info(
                    &figure,
                    format!("{}; {}", state(tool, ours), state(Tool::Psql, psql)),
                    &target,
                );
            };
            // Each round's ratio, for the rounds in which both ran.
            let psql_rounds: BTreeMap<usize, Duration> = rounds
                .get(&(Tool::Psql, upgrade))
                .map(|samples| samples.iter().copied().collect())
                .unwrap_or_default();
            let mut ratios: Vec<f64> = rounds
                .get(&(tool, upgrade))
                .into_iter()
                .flatten()
                .filter_map(|(round, elapsed)| {
                    let psql = psql_rounds.get(round)?;
                    Some(elapsed.as_secs_f64() / psql.as_secs_f64().max(f64::MIN_POSITIVE))
                })
                .collect();
            ratios.sort_by(f64::total_cmp);
            let paired = match ratios.len() {
                0 => ours.as_secs_f64() / psql.as_secs_f64().max(f64::MIN_POSITIVE),
                len if len % 2 == 1 => ratios[len / 2],
                len => (ratios[len / 2 - 1] + ratios[len / 2]) / 2.0,
            };
            Verdict {
                figure,
                measured: format!(
                    "{paired:.2}× (median of {} rounds' ratios; medians {} vs {})",
                    ratios.len(),
                    format_duration(ours),
                    format_duration(psql)
                ),
                target,
                pass: limit.map(|limit| paired <= limit),
            }
        };
        for upgrade in [true, false] {
            let limit = if upgrade { 1.10 } else { 1.15 };
            for tool in [Tool::Sql, Tool::Rust] {
                report.verdicts.push(verdict(tool, upgrade, Some(limit)));
            }
        }
        if tools.contains(&Tool::Python) {
            report.verdicts.push(verdict(Tool::Python, true, None));
        }
        for (key, command) in commands {
            let (tool, upgrade) = key;
            let label = format!(
                "{}, {}, {mode}",
                if upgrade { "upgrade" } else { "downgrade" },
                tool.label()
            );
            let samples: Vec<Duration> = rounds
                .remove(&key)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, elapsed)| elapsed)
                .collect();
            if let Some(failure) = failures.get(&key) {
                report
                    .notes
                    .push(format!("**`{command}` fails** ({mode}): {failure}"));
            }
            report.series.push(Series {
                label: if samples.is_empty() && failures.contains_key(&key) {
                    format!("{label} (**fails**, see below)")
                } else {
                    label
                },
                command,
                samples,
            });
        }
    }
    if !python {
        report.notes.push(
            "Python Alembic was not measured: `python3 -c 'import alembic, sqlalchemy, \
             psycopg2'` fails."
                .to_owned(),
        );
    }
    Ok(report)
}

/// Issue 3: the application's start-up check at head, with [`STARTUP`] revisions embedded.
pub fn startup(ctx: &mut Context) -> Result<Report> {
    let build = ctx
        .fixtures
        .rebuild("startup10k", &format!("{STARTUP} SQL revisions"))?;
    let build_time = build.median();
    let mut report = Report {
        about: format!(
            "`startup-check` is an application depending on a migrations crate of {STARTUP} \
             small SQL revisions (`default-features = false`, as an application does). It \
             connects once, then times {STARTUP_CALLS} calls of \
             `MIGRATIONS.upgrade(&mut client, \"head\")` on a database already at head, and \
             as many bare round trips for comparison; each process prints its medians, and \
             the table shows the spread over {STARTUP_PROCESSES} processes. The database is \
             brought to head once by the crate's binary, from base, which is timed too."
        ),
        ..Report::default()
    };
    report.series.push(build);
    let db = ctx.pg.fresh_database()?;
    let binary = ctx.fixtures.binary("startup10k");
    let (elapsed, _) =
        time(Cmd::new(&binary).args(["--quiet", "--url", &db.url, "upgrade", "head"]))?;
    report.series.push(Series {
        label: format!("upgrade head from base, {STARTUP} small revisions, one transaction"),
        command: format!("{} --quiet --url $URL upgrade head", ctx.shown(&binary)),
        samples: vec![elapsed],
    });
    let check = ctx.fixtures.binary("startup-check");
    let shown = format!("{} $URL {STARTUP_CALLS}", ctx.shown(&check));
    let mut series: BTreeMap<&str, Series> = BTreeMap::new();
    let labels = [
        ("check_ns", "start-up check at head (median per process)"),
        ("first_ns", "first start-up check of the process"),
        (
            "select_version_ns",
            "bare round trip: the version-table query",
        ),
        ("select_one_ns", "bare round trip: `SELECT 1`"),
        ("connect_ns", "connecting (not part of the check)"),
    ];
    for _ in 0..STARTUP_PROCESSES {
        let (_, output) = time(Cmd::new(&check).arg(&db.url).arg(STARTUP_CALLS.to_string()))?;
        let values: BTreeMap<&str, &str> = output
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .collect();
        if values.get("revisions") != Some(&STARTUP.to_string().as_str()) {
            return Err(format!("startup-check embeds the wrong revisions: {output}").into());
        }
        for (key, label) in labels {
            let nanos: u64 = values
                .get(key)
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| format!("startup-check printed no `{key}`: {output}"))?;
            series
                .entry(key)
                .or_insert_with(|| Series::new(label, shown.clone()))
                .samples
                .push(Duration::from_nanos(nanos));
        }
    }
    let median = |key: &str| series.get(key).map(Series::median).unwrap_or_default();
    let check_median = median("check_ns");
    // An application checks once per start: its first call is the figure that counts.
    report.verdicts.push(Verdict::under(
        &format!("first start-up check of a process, {STARTUP} revisions"),
        median("first_ns"),
        MS(5),
    ));
    report.verdicts.push(Verdict::under(
        &format!("later start-up checks, {STARTUP} revisions"),
        check_median,
        MS(5),
    ));
    let round_trip = median("select_version_ns");
    let ratio = check_median.as_secs_f64() / round_trip.as_secs_f64().max(f64::MIN_POSITIVE);
    report.verdicts.push(Verdict {
        figure: "round trips of the check".to_owned(),
        measured: format!(
            "{ratio:.2}× one bare version-table query ({} vs {})",
            micros(check_median),
            micros(round_trip)
        ),
        target: "one round trip (< 1.5×)".to_owned(),
        pass: Some(ratio < 1.5),
    });
    report.verdicts.push(Verdict::info(
        &format!("build of the migrations crate, {STARTUP} revisions"),
        format_duration(build_time),
        "builds (issue 3)",
    ));
    for (key, _) in labels {
        if let Some(series) = series.remove(key) {
            report.series.push(series);
        }
    }
    Ok(report)
}

/// Issue 3: `upgrade head --sql` of [`CHAIN`] revisions, whole process, no database.
pub fn upgrade_sql(ctx: &mut Context) -> Result<Report> {
    ctx.fixtures.build()?;
    let mut report = Report {
        about: "Whole-process time of the migrations binary printing the offline script \
                of a whole chain (no database connection), output captured through a pipe. \
                `cargo alembic upgrade head --sql --release` adds cargo's up-to-date check \
                of the migrations crate before it runs the same binary."
            .to_owned(),
        ..Report::default()
    };
    let offline = |binary: &Path| Cmd::new(binary).args(["upgrade", "head", "--sql"]);
    for (package, count, label) in [
        ("chain1k", CHAIN, "SQL revisions"),
        ("chain1k_rs", CHAIN, "Rust revisions"),
        ("startup10k", STARTUP, "small SQL revisions"),
    ] {
        let binary = ctx.fixtures.binary(package);
        let (_, script) = time(offline(&binary))?;
        let steps = script.matches("-- Running upgrade").count();
        if steps != count {
            return Err(format!(
                "`{package} upgrade head --sql` printed {steps} steps, not {count}"
            )
            .into());
        }
        let mut series = Series::new(
            format!("`upgrade head --sql`, {count} {label}"),
            format!("{} upgrade head --sql", ctx.shown(&binary)),
        );
        for _ in 0..OFFLINE_RUNS {
            series.samples.push(time(offline(&binary))?.0);
        }
        if package == "chain1k" {
            report.verdicts.push(Verdict::under(
                &format!("`upgrade head --sql`, {count} {label}"),
                series.median(),
                MS(200),
            ));
        } else {
            report.verdicts.push(Verdict::info(
                &format!("`upgrade head --sql`, {count} {label}"),
                format_duration(series.median()),
                "–",
            ));
        }
        report.series.push(series);
    }
    let dir = ctx.fixtures.crate_dir("chain1k");
    let target = ctx.fixtures.target.to_string_lossy().into_owned();
    let cargo_alembic = || {
        Cmd::new(ctx.cargo_alembic())
            .args([
                "alembic",
                "--quiet",
                "upgrade",
                "head",
                "--sql",
                "--release",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&dir)
    };
    time(cargo_alembic())?;
    let mut series = Series::new(
        format!("`cargo alembic upgrade head --sql --release`, {CHAIN} SQL revisions"),
        format!(
            "cd {} && CARGO_TARGET_DIR={} {} alembic --quiet upgrade head --sql --release",
            ctx.shown(&dir),
            ctx.shown(&ctx.fixtures.target),
            ctx.shown(&ctx.cargo_alembic())
        ),
    );
    for _ in 0..OFFLINE_RUNS {
        series.samples.push(time(cargo_alembic())?.0);
    }
    report.verdicts.push(Verdict::info(
        &format!("`cargo alembic upgrade head --sql --release`, {CHAIN} revisions"),
        format_duration(series.median()),
        "– (includes cargo's up-to-date check)",
    ));
    report.series.push(series);
    Ok(report)
}

/// Issue 5: introspection of a 1,000-table schema and its comparison with a target, as
/// `check` and `revision --autogenerate` do them.
pub fn autogenerate(ctx: &mut Context) -> Result<Report> {
    ctx.fixtures.build()?;
    let check = ctx.fixtures.binary("autogenerate-check");
    let tables = AUTOGENERATE_TABLES.to_string();
    let (_, sql) = time(Cmd::new(&check).args(["schema", &tables]))?;
    let script = ctx.fixtures.sql.join(format!("synthetic-{tables}.sql"));
    fixtures::write_if_changed(&script, &sql)?;
    let mut report = Report {
        about: format!(
            "The live database holds `autogenerate::synthetic_schema_sql({AUTOGENERATE_TABLES})` \
             ({AUTOGENERATE_TABLES} tables, each with eight columns, an identity primary key, a \
             foreign key, a unique constraint, a check, a partial and a GIN index, defaults \
             and comments; an enum type and a sequence). The target is a copy of it with one \
             column added. `autogenerate-check` connects to both, introspects the target \
             once, then {AUTOGENERATE_RUNS} times introspects the live database \
             (`introspect::introspect_with_report`) and compares it with the target \
             (`autogenerate::compare`), and prints the medians; the table shows the spread \
             over {AUTOGENERATE_PROCESSES} processes. Connecting is not timed."
        ),
        ..Report::default()
    };
    let live = ctx.pg.fresh_database()?;
    let (elapsed, _) = time(live.psql().arg("-f").arg(&script))?;
    report.series.push(Series {
        label: format!("create the schema ({AUTOGENERATE_TABLES} tables, autocommit)"),
        command: format!(
            "psql -X -q -v ON_ERROR_STOP=1 -d $URL -f {}",
            ctx.shown(&script)
        ),
        samples: vec![elapsed],
    });
    let target = ctx.pg.copy_database(&live)?;
    // language=SQL
    target.query("ALTER TABLE synthetic_00500 ADD COLUMN note text")?;
    let shown = format!(
        "{} $LIVE_URL $TARGET_URL {AUTOGENERATE_RUNS}",
        ctx.shown(&check)
    );
    let labels = [
        (
            "total_ns",
            "introspection + comparison (median per process)",
        ),
        ("introspect_ns", "introspection of the live database"),
        ("compare_ns", "comparison"),
        (
            "first_total_ns",
            "first introspection + comparison of the process",
        ),
        (
            "target_introspect_ns",
            "introspection of the target (once per process)",
        ),
    ];
    let mut series: BTreeMap<&str, Series> = BTreeMap::new();
    for _ in 0..AUTOGENERATE_PROCESSES {
        let (_, output) = time(
            Cmd::new(&check)
                .arg(&live.url)
                .arg(&target.url)
                .arg(AUTOGENERATE_RUNS.to_string()),
        )?;
        let values: BTreeMap<&str, &str> = output
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .collect();
        let operations: Vec<&str> = output
            .lines()
            .filter_map(|line| line.strip_prefix("operation="))
            .collect();
        if values.get("tables") != Some(&tables.as_str())
            || operations.len() != 1
            || !operations[0].contains("add_column")
        {
            return Err(format!(
                "autogenerate-check should see {tables} tables and one add_column: {output}"
            )
            .into());
        }
        for (key, label) in labels {
            let nanos: u64 = values
                .get(key)
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| format!("autogenerate-check printed no `{key}`: {output}"))?;
            series
                .entry(key)
                .or_insert_with(|| Series::new(label, shown.clone()))
                .samples
                .push(Duration::from_nanos(nanos));
        }
        if report.notes.is_empty() {
            report.notes.push(format!(
                "Introspection sent {} catalog queries and left {} objects out; the \
                 comparison found: {}.",
                values.get("queries").unwrap_or(&"?"),
                values.get("skipped").unwrap_or(&"?"),
                operations.join("; ")
            ));
        }
    }
    let median = |key: &str| series.get(key).map(Series::median).unwrap_or_default();
    report.verdicts.push(Verdict::under(
        &format!("introspection + comparison, {AUTOGENERATE_TABLES} tables"),
        median("total_ns"),
        MS(1000),
    ));
    for (key, _) in labels {
        if let Some(series) = series.remove(key) {
            report.series.push(series);
        }
    }
    Ok(report)
}

/// Whether Python Alembic and the PostgreSQL driver are importable.
fn python_available() -> bool {
    Cmd::new("python3")
        .args(["-c", "import alembic, sqlalchemy, psycopg2"])
        .probe()
}

/// `url=postgresql+psycopg2://...` for Python Alembic's `-x`.
fn python_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    format!("url=postgresql+psycopg2://{rest}")
}

/// The tables in `public`.
fn count_tables(db: &Database<'_>) -> Result<usize> {
    // language=SQL
    let count = db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")?;
    count
        .trim()
        .parse()
        .map_err(|err| format!("unexpected table count {count:?}: {err}").into())
}

/// The lines of a failed command's error that say why (PostgreSQL's `ERROR` and `HINT`,
/// an `error:` line and its `hint:`), each cut to 200 characters.
fn failure_summary(error: &str) -> String {
    let cut = |line: &str| -> String {
        let mut text: String = line.chars().take(200).collect();
        if text.len() < line.len() {
            text.push('…');
        }
        text
    };
    let lines: Vec<String> = error
        .lines()
        .map(str::trim)
        .filter(|line| {
            ["ERROR:", "HINT:", "error:", "hint:", "sqlalchemy.exc"]
                .iter()
                .any(|marker| line.contains(marker))
        })
        .take(4)
        .map(cut)
        .collect();
    if lines.is_empty() {
        cut(error.lines().last().unwrap_or(error).trim())
    } else {
        lines.join(" / ")
    }
}

fn first_error_line(failure: &str) -> &str {
    failure.split(" / ").next().unwrap_or(failure)
}

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

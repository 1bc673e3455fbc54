//! `cargo xtask bench`: build in release, time each case several times, and record the
//! medians in `docs/BENCHMARKS.md`.
//!
//! To add a benchmark, write a `fn(&Context) -> Result<Duration>` that runs the thing
//! once and returns how long the part being measured took, and list it in [`CASES`].
//! Timing stays here, never in tests (DESIGN.md, "Conventions").

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Result;
use crate::cmd::Cmd;

/// How many times each case runs; the median is recorded.
const RUNS: usize = 5;

/// The section of `docs/BENCHMARKS.md` that this task owns and rewrites.
const SECTION: &str = "results";

/// One benchmark.
pub struct Case {
    /// A short name, shown in the table.
    pub name: &'static str,
    /// What is measured, shown in the table.
    pub what: &'static str,
    /// Runs the case once and returns the measured time.
    pub run: fn(&Context) -> Result<Duration>,
}

/// What a case may need.
pub struct Context {
    /// The workspace root.
    pub root: PathBuf,
    /// `target/release`, where the release binaries are.
    #[expect(
        dead_code,
        reason = "for the benchmark cases to come; remove once one reads it"
    )]
    pub release_dir: PathBuf,
}

/// The benchmark cases, in the order they run and are listed.
const CASES: &[Case] = &[];

pub fn run() -> Result<()> {
    let root = crate::project_root();
    Cmd::cargo()
        .args(["build", "--release", "--workspace"])
        .current_dir(&root)
        .run()?;
    if CASES.is_empty() {
        println!("no benchmarks yet");
        return Ok(());
    }
    let context = Context {
        release_dir: crate::target_dir().join("release"),
        root,
    };
    let mut table = String::from("| case | what | median | runs |\n| --- | --- | ---: | ---: |\n");
    for case in CASES {
        let mut samples = Vec::with_capacity(RUNS);
        for run in 1..=RUNS {
            let sample = (case.run)(&context)
                .map_err(|err| format!("benchmark `{}`, run {run}: {err}", case.name))?;
            samples.push(sample);
        }
        let median = median(&mut samples).ok_or("no samples")?;
        eprintln!("xtask: {}: median {median:?} over {RUNS} runs", case.name);
        table.push_str(&format!(
            "| {} | {} | {:.1} ms | {RUNS} |\n",
            case.name,
            case.what,
            median.as_secs_f64() * 1000.0
        ));
    }
    let doc = context.root.join("docs").join("BENCHMARKS.md");
    write_section(&doc, SECTION, &table)?;
    eprintln!("xtask: wrote {}", doc.display());
    Ok(())
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

    use super::{median, replace_section};

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
}

//! The server the benchmarks run against, reached through `psql`: fresh databases per run,
//! and the settings the document records.

use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::cmd::{self, Cmd};
use crate::pg;

/// The prefix of the databases the benchmarks create; the process id follows it, so a run
/// can tell its own databases from those an interrupted run left behind.
const DATABASE_PREFIX: &str = "alembic_bench_";

/// The server the benchmarks use, and the `psql` to reach it.
///
/// `DATABASE_URL` when it is set; otherwise the throwaway cluster of `cargo xtask pg`
/// (`target/pg-cluster`), started if it is not running and stopped again at the end if
/// this run started it. Not the server on port 5432 that `cargo xtask test` prefers: test
/// suites running there at the same time made the same DDL take two to three times as
/// long from one run to the next, which drowned the differences the benchmarks measure.
pub struct Postgres {
    url: String,
    /// Where the server came from, for the document.
    pub origin: String,
    /// The throwaway cluster, when this run started it.
    started: Option<pg::Cluster>,
    psql: PathBuf,
    /// How many databases this run created, to name the next one.
    created: Cell<usize>,
}

impl Postgres {
    /// Finds or starts the server, and drops databases of earlier, interrupted runs.
    pub fn find() -> Result<Postgres> {
        let psql = find_psql().ok_or("psql not found on PATH nor in /usr/lib/postgresql/*/bin")?;
        let (url, origin, started) =
            if cmd::env("DATABASE_URL").is_some_and(|url| !url.trim().is_empty()) {
                let url = pg::find_or_start()?.keep_running();
                (url, "the server of `DATABASE_URL`".to_owned(), None)
            } else {
                let mut cluster = pg::Cluster::locate()?;
                match cluster.running_port() {
                    Some(port) => (
                        pg::local_url(port),
                        "the throwaway cluster of `cargo xtask pg start`".to_owned(),
                        None,
                    ),
                    None => {
                        let port = cluster.start()?;
                        (
                            pg::local_url(port),
                            "a throwaway cluster started for the run".to_owned(),
                            Some(cluster),
                        )
                    }
                }
            };
        let postgres = Postgres {
            url,
            origin,
            started,
            psql,
            created: Cell::new(0),
        };
        postgres.sweep()?;
        Ok(postgres)
    }

    /// The admin URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `psql` with the options every benchmark uses: no `.psqlrc`, no password prompt.
    pub fn psql(&self) -> Cmd {
        Cmd::new(&self.psql).args(["-X", "-w"])
    }

    /// Runs `sql` on the admin database and returns the rows, one per line, fields
    /// separated by tabs.
    pub fn query(&self, sql: &str) -> Result<String> {
        self.psql()
            .args(["-A", "-t", "-F", "\t", "-d", self.url(), "-c", sql])
            .read()
    }

    /// `15.20 (fsync=on, ...)`: the version and the settings that move the numbers.
    pub fn settings(&self) -> Result<String> {
        // language=SQL
        let sql = "SELECT current_setting('server_version'), \
                   current_setting('fsync'), current_setting('synchronous_commit'), \
                   current_setting('max_locks_per_transaction'), \
                   current_setting('max_connections'), current_setting('shared_buffers')";
        let row = self.query(sql)?;
        let fields: Vec<&str> = row.trim().split('\t').collect();
        let [version, fsync, sync_commit, locks, connections, buffers] = fields[..] else {
            return Err(format!("unexpected answer to the settings query: {row:?}").into());
        };
        let version = version.split_whitespace().next().unwrap_or(version);
        Ok(format!(
            "{version}, {} (fsync={fsync}, synchronous_commit={sync_commit}, \
             max_locks_per_transaction={locks}, max_connections={connections}, \
             shared_buffers={buffers})",
            self.origin
        ))
    }

    /// Creates an empty database, dropped again when the returned value is.
    pub fn fresh_database(&self) -> Result<Database<'_>> {
        self.create_database(None)
    }

    /// Creates a copy of `template` (`CREATE DATABASE ... TEMPLATE`), dropped again when the
    /// returned value is. Nothing may be connected to `template` meanwhile.
    pub fn copy_database(&self, template: &Database<'_>) -> Result<Database<'_>> {
        self.create_database(Some(&template.name))
    }

    fn create_database(&self, template: Option<&str>) -> Result<Database<'_>> {
        self.created.set(self.created.get() + 1);
        let name = format!(
            "{DATABASE_PREFIX}{}_{}",
            std::process::id(),
            self.created.get()
        );
        self.query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        match template {
            Some(template) => self.query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))?,
            None => self.query(&format!("CREATE DATABASE {name}"))?,
        };
        let url = with_database(self.url(), &name)?;
        Ok(Database {
            postgres: self,
            name,
            url,
        })
    }

    /// Drops the databases of benchmark runs whose process is gone.
    fn sweep(&self) -> Result<()> {
        // language=SQL
        let sql = format!(
            "SELECT datname FROM pg_database WHERE datname LIKE '{}%' ORDER BY 1",
            DATABASE_PREFIX.replace('_', r"\_")
        );
        for name in self.query(&sql)?.lines().filter(|line| !line.is_empty()) {
            let pid = name
                .strip_prefix(DATABASE_PREFIX)
                .and_then(|rest| rest.split('_').next())
                .and_then(|pid| pid.parse::<u32>().ok());
            if pid.is_some_and(|pid| Path::new("/proc").join(pid.to_string()).exists()) {
                continue;
            }
            self.query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(cluster) = self.started.take()
            && let Err(err) = cluster.stop()
        {
            eprintln!("xtask: warning: {err}");
        }
    }
}

/// A database created for one run of a benchmark; dropped on drop.
pub struct Database<'p> {
    postgres: &'p Postgres,
    pub name: String,
    /// `postgres://.../<name>`.
    pub url: String,
}

impl Database<'_> {
    /// `psql` connected to this database, stopping at the first error.
    pub fn psql(&self) -> Cmd {
        self.postgres
            .psql()
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &self.url])
    }

    /// Runs `sql` in this database and returns the rows, as [`Postgres::query`].
    pub fn query(&self, sql: &str) -> Result<String> {
        self.postgres
            .psql()
            .args(["-A", "-t", "-F", "\t", "-d", &self.url, "-c", sql])
            .read()
    }
}

impl Drop for Database<'_> {
    fn drop(&mut self) {
        let dropped = self.postgres.query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
        if let Err(err) = dropped {
            eprintln!("xtask: warning: {err}");
        }
    }
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority = base.find("://").map(|at| at + 3).ok_or_else(|| {
        format!(
            "the benchmarks need a postgres:// URL, not `{}`",
            cmd::redact_password(url)
        )
    })?;
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |at| authority + at);
    Ok(format!(
        "{}/{name}{}",
        &base[..path],
        query.map(|query| format!("?{query}")).unwrap_or_default()
    ))
}

/// `psql` on `PATH`, else in the newest `/usr/lib/postgresql/*/bin`.
fn find_psql() -> Option<PathBuf> {
    if let Some(path) = cmd::env("PATH") {
        let found = std::env::split_paths(&path)
            .map(|dir| dir.join("psql"))
            .find(|candidate| candidate.is_file());
        if found.is_some() {
            return found;
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin").join("psql")))
        })
        .filter(|(_, psql)| psql.is_file())
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().next().map(|(_, psql)| psql)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn with_database_replaces_only_the_path() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/b",
            ),
            ("postgres://u:p@h:1", "postgres://u:p@h:1/b"),
            (
                "postgresql://h/db?sslmode=disable",
                "postgresql://h/b?sslmode=disable",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(with_database(url, "b").unwrap(), expected);
        }
        assert!(with_database("host=h dbname=x", "b").is_err());
    }
}

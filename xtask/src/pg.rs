//! Finding, starting and cleaning the PostgreSQL server that the tests use.
//!
//! The order is `DATABASE_URL`, then `127.0.0.1:5432` as `postgres` without a password,
//! then a stopped local cluster (`pg_lsclusters`), then a throwaway cluster of our own,
//! as pgtemp does it: `initdb -A trust`, `pg_ctl start` on a free port with a private
//! socket directory, wait until it answers (<https://github.com/boustrophedon/pgtemp>).

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use crate::Result;
use crate::cmd::{self, Cmd};

/// The prefix of test database names; keep in sync with `tests/support/src/db.rs`.
const TEST_DATABASE_LIKE: &str = r"alembic\_t\_%";

/// The start of a test database's comment, before the owning process id; keep in sync
/// with `OWNER_COMMENT_PREFIX` in `tests/support/src/db.rs`.
const OWNER_COMMENT_PREFIX: &str = "alembic-test-support pid=";

/// The system user that runs the throwaway cluster when we are root and there is no
/// `postgres` user.
const CLUSTER_USER: &str = "alembic-pg";

/// How long a probe waits for a connection, in seconds.
const CONNECT_TIMEOUT: &str = "5";

/// A server the tests can use.
pub struct Server {
    /// The admin URL to export as `DATABASE_URL`.
    pub url: String,
    /// The throwaway cluster that this run started; dropping the server stops it.
    started: Option<Cluster>,
}

impl Server {
    /// Returns the URL and leaves a cluster started by this run running.
    pub fn keep_running(mut self) -> String {
        self.started = None;
        std::mem::take(&mut self.url)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(cluster) = self.started.take()
            && let Err(err) = cluster.stop()
        {
            eprintln!("xtask: warning: {err}");
        }
    }
}

/// The URL of a server on `127.0.0.1:port` with trust authentication.
pub fn local_url(port: u16) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// Finds a server the tests can use, starting one if need be.
pub fn find_or_start() -> Result<Server> {
    if let Some(url) = cmd::env("DATABASE_URL").filter(|url| !url.trim().is_empty()) {
        match find_tool("psql") {
            Some(psql) if !connects(&psql, &url) => {
                return Err(format!(
                    "DATABASE_URL={} does not accept connections; fix it, or unset it to let \
                     xtask find or start a server",
                    cmd::redact_password(&url)
                )
                .into());
            }
            Some(_) => eprintln!("xtask: using DATABASE_URL from the environment"),
            None => eprintln!("xtask: warning: psql not found; cannot check DATABASE_URL"),
        }
        return Ok(Server { url, started: None });
    }

    if find_tool("psql").is_none() {
        install_postgresql()?;
    }
    let port = probe_port()?;
    if local_server_accepts(port) {
        eprintln!("xtask: using the server on 127.0.0.1:{port}");
        return Ok(Server {
            url: local_url(port),
            started: None,
        });
    }
    if let Some(port) = start_stopped_system_cluster() {
        return Ok(Server {
            url: local_url(port),
            started: None,
        });
    }

    let mut cluster = Cluster::locate()?;
    if let Some(port) = cluster.running_port() {
        eprintln!("xtask: using the throwaway cluster on port {port}");
        return Ok(Server {
            url: local_url(port),
            started: None,
        });
    }
    eprintln!("xtask: no server on 127.0.0.1:{port}; starting a throwaway cluster");
    let port = cluster.start()?;
    Ok(Server {
        url: local_url(port),
        started: Some(cluster),
    })
}

/// Drops the test databases that earlier runs left behind.
///
/// A database whose creating process (recorded in its comment) is still alive belongs to
/// a run in progress, perhaps another developer's on the same server, and is kept.
pub fn sweep(url: &str) -> Result<()> {
    let Some(psql) = find_tool("psql") else {
        eprintln!("xtask: warning: psql not found; not sweeping old test databases");
        return Ok(());
    };
    // language=SQL
    let list = format!(
        "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') \
         FROM pg_database WHERE datname LIKE '{TEST_DATABASE_LIKE}' ORDER BY 1"
    );
    let listing = Cmd::new(&psql)
        .args(["-X", "-w", "-A", "-t", "-F", "\t", "-d", url, "-c", &list])
        .env("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT)
        .read()?;
    let mut stale = Vec::new();
    for line in listing.lines().filter(|line| !line.is_empty()) {
        let (name, comment) = line.split_once('\t').unwrap_or((line, ""));
        match owner_pid(comment) {
            Some(pid) if process_alive(pid) => {
                eprintln!("xtask: keeping {name}: its test process {pid} is still running");
            }
            _ => stale.push(name),
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: dropping {} leftover test database(s)", stale.len());
    // One `-c` per statement: DROP DATABASE cannot run inside the implicit transaction of
    // a multi-statement string.
    let mut drop = Cmd::new(&psql).args(["-X", "-w", "-q", "-d", url]);
    for name in stale {
        drop = drop.arg("-c").arg(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(name)
        ));
    }
    drop.env("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT)
        .stdout_to_stderr()
        .run()
}

/// The process id in a test database's comment.
fn owner_pid(comment: &str) -> Option<u32> {
    comment
        .strip_prefix(OWNER_COMMENT_PREFIX)?
        .trim()
        .parse()
        .ok()
}

fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The port probed on 127.0.0.1: `XTASK_PG_PROBE_PORT`, else 5432.
fn probe_port() -> Result<u16> {
    match cmd::env("XTASK_PG_PROBE_PORT") {
        Some(port) if !port.is_empty() => port
            .parse()
            .map_err(|err| format!("XTASK_PG_PROBE_PORT=`{port}`: {err}").into()),
        _ => Ok(5432),
    }
}

/// Whether `url` accepts a connection and a query, without a password prompt.
fn connects(psql: &Path, url: &str) -> bool {
    Cmd::new(psql)
        .args(["-X", "-w", "-A", "-t", "-d", url, "-c", "SELECT 1"])
        .env("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT)
        .probe()
}

/// Whether `127.0.0.1:port` lets user `postgres` in without a password.
fn local_server_accepts(port: u16) -> bool {
    let port_text = port.to_string();
    if let Some(pg_isready) = find_tool("pg_isready") {
        let ready = Cmd::new(pg_isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port_text, "-t", "3"])
            .probe();
        if !ready {
            return false;
        }
    }
    find_tool("psql").is_some_and(|psql| connects(&psql, &local_url(port)))
}

/// Starts a cluster that `pg_lsclusters` shows as down and returns its port, if one then
/// accepts connections.
fn start_stopped_system_cluster() -> Option<u16> {
    let lsclusters = find_on_path("pg_lsclusters")?;
    let listing = Cmd::new(lsclusters).arg("--no-header").read().ok()?;
    for line in listing.lines() {
        // Ver Cluster Port Status Owner Data-directory Log-file
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [version, name, port, status, ..] = fields[..] else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if !status.starts_with("down") {
            continue;
        }
        let started = Cmd::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", version, name, "start"])
            .stdout_to_stderr()
            .run();
        match started {
            Ok(()) if local_server_accepts(port) => {
                eprintln!("xtask: started cluster {version}/{name} on 127.0.0.1:{port}");
                return Some(port);
            }
            Ok(()) => {
                eprintln!(
                    "xtask: cluster {version}/{name} does not let `postgres` in on \
                     127.0.0.1:{port} without a password; stopping it again"
                );
                let stopped = Cmd::new("pg_ctlcluster")
                    .args(["--skip-systemctl-redirect", version, name, "stop"])
                    .stdout_to_stderr()
                    .run();
                if let Err(err) = stopped {
                    eprintln!("xtask: warning: {err}");
                }
            }
            Err(err) => eprintln!("xtask: warning: {err}"),
        }
    }
    None
}

/// A throwaway cluster of our own, in `target/pg-cluster` (or a directory in the system's
/// temporary directory when, as root, the cluster's user cannot reach the target
/// directory).
pub struct Cluster {
    /// Holds `data/` and `postgres.log`.
    dir: PathBuf,
    /// Where `initdb` and `pg_ctl` live, if PostgreSQL is installed.
    bin: Option<PathBuf>,
    /// The user to run server programs as: set when we are root, which `initdb` refuses.
    user: Option<String>,
}

impl Cluster {
    /// Works out where the cluster lives, without changing anything.
    pub fn locate() -> Result<Cluster> {
        let primary = crate::target_dir().join("pg-cluster");
        let fallback = fallback_dir();
        let dir = if !has_data(&primary) && has_data(&fallback) {
            fallback
        } else {
            primary
        };
        let user = is_root().then(|| {
            if user_exists("postgres") {
                "postgres".to_owned()
            } else {
                CLUSTER_USER.to_owned()
            }
        });
        Ok(Cluster {
            dir,
            bin: server_bin_dir(),
            user,
        })
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The directory for the server's Unix socket: private to the cluster, and short
    /// enough for the 107-byte limit on socket paths.
    fn socket_dir(&self) -> PathBuf {
        let beside = self.dir.join("sock");
        if beside.as_os_str().len() <= 80 {
            beside
        } else {
            PathBuf::from(format!("{}-sock", fallback_dir().display()))
        }
    }

    /// The port of the running cluster, if it is running and answers.
    pub fn running_port(&self) -> Option<u16> {
        // postmaster.pid: pid, data directory, start time, port, socket directory, ...
        let pid_file = fs::read_to_string(self.data_dir().join("postmaster.pid")).ok()?;
        let mut lines = pid_file.lines();
        let pid: u32 = lines.next()?.trim().parse().ok()?;
        let port: u16 = lines.nth(2)?.trim().parse().ok()?;
        (process_alive(pid) && local_server_accepts(port)).then_some(port)
    }

    /// Starts the cluster, or reuses it if it is running, and returns its port.
    pub fn start_or_reuse(mut self) -> Result<u16> {
        match self.running_port() {
            Some(port) => {
                eprintln!("xtask: the throwaway cluster is already running on port {port}");
                Ok(port)
            }
            None => self.start(),
        }
    }

    /// Initialises the cluster if needed, starts it on a free port and waits until it
    /// accepts connections.
    pub fn start(&mut self) -> Result<u16> {
        let bin = match &self.bin {
            Some(bin) => bin.clone(),
            None => {
                install_postgresql()?;
                server_bin_dir()
                    .ok_or("initdb and pg_ctl not found on PATH nor in /usr/lib/postgresql/*/bin")?
            }
        };
        self.bin = Some(bin.clone());
        if let Some(user) = &self.user {
            ensure_user(user)?;
        }
        self.prepare_dirs()?;
        let user = self.user.as_deref();
        let data = self.data_dir();
        if !data.join("PG_VERSION").exists() {
            if data.exists() {
                fs::remove_dir_all(&data)
                    .map_err(|err| format!("failed to remove `{}`: {err}", data.display()))?;
            }
            Cmd::as_user(user, bin.join("initdb"))
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ])
                .arg("-D")
                .arg(&data)
                .current_dir(&self.dir)
                .stdout_to_stderr()
                .run()?;
        }
        let log = self.dir.join("postgres.log");
        let mut last_error = None;
        // A free port can be taken between our check and the server's bind: retry.
        for _ in 0..3 {
            let port = free_port()?;
            // pg_ctl passes `-o` through a shell, so paths are quoted.
            let options = format!(
                "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off",
                shell_quote(&self.socket_dir())
            );
            let started = Cmd::as_user(user, bin.join("pg_ctl"))
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &options])
                .current_dir(&self.dir)
                .stdout_to_stderr()
                .run();
            match started {
                Ok(()) => {
                    wait_until_ready(port)?;
                    eprintln!("xtask: throwaway cluster running on 127.0.0.1:{port}");
                    return Ok(port);
                }
                Err(err) => {
                    print_log_tail(&log);
                    last_error = Some(err);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| "pg_ctl start failed".into()))
    }

    /// Stops the cluster if it is running.
    pub fn stop(&self) -> Result<()> {
        let data = self.data_dir();
        if !data.join("postmaster.pid").exists() {
            eprintln!("xtask: the throwaway cluster is not running");
            return Ok(());
        }
        let bin = self.bin.as_ref().ok_or("pg_ctl not found")?;
        Cmd::as_user(self.user.as_deref(), bin.join("pg_ctl"))
            .args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&data)
            .current_dir(&self.dir)
            .stdout_to_stderr()
            .run()
    }

    /// Creates the cluster's directories; as root, hands them to the cluster's user and
    /// moves to the fallback directory if that user cannot write the target directory
    /// (say, a checkout under `/root`).
    fn prepare_dirs(&mut self) -> Result<()> {
        let Some(user) = self.user.clone() else {
            return create_dirs(&[&self.dir, &self.socket_dir()]);
        };
        for dir in [self.dir.clone(), fallback_dir()] {
            self.dir = dir;
            let socket_dir = self.socket_dir();
            create_dirs(&[&self.dir, &socket_dir])?;
            Cmd::new("chown")
                .args(["-R", &format!("{user}:")])
                .arg(&self.dir)
                .arg(&socket_dir)
                .stdout_to_stderr()
                .run()?;
            let usable = Cmd::as_user(Some(&user), "test")
                .arg("-w")
                .arg(&self.dir)
                .current_dir(Path::new("/"))
                .probe();
            if usable {
                return Ok(());
            }
            eprintln!(
                "xtask: user {user} cannot write `{}`; trying elsewhere",
                self.dir.display()
            );
        }
        Err(format!("no directory that user {user} can write for the throwaway cluster").into())
    }
}

/// Whether `dir` holds an initialised cluster.
fn has_data(dir: &Path) -> bool {
    dir.join("data").join("PG_VERSION").exists()
}

/// `<temp dir>/alembic-pg-<hash of the project root>`: reachable by every user.
fn fallback_dir() -> PathBuf {
    let root = crate::project_root();
    let hash = root
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    std::env::temp_dir().join(format!("alembic-pg-{:08x}", hash & 0xffff_ffff))
}

fn create_dirs(dirs: &[&Path]) -> Result<()> {
    for dir in dirs {
        fs::create_dir_all(dir)
            .map_err(|err| format!("failed to create `{}`: {err}", dir.display()))?;
    }
    Ok(())
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

/// A port on 127.0.0.1 that nothing listens on right now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|err| format!("cannot find a free port: {err}"))?;
    Ok(listener.local_addr()?.port())
}

fn wait_until_ready(port: u16) -> Result<()> {
    for _ in 0..60 {
        if local_server_accepts(port) {
            return Ok(());
        }
        sleep(Duration::from_millis(500));
    }
    Err(
        format!("the throwaway cluster on port {port} did not accept connections within 30s")
            .into(),
    )
}

fn print_log_tail(log: &Path) {
    if let Ok(text) = fs::read_to_string(log) {
        let lines: Vec<&str> = text.lines().collect();
        eprintln!("xtask: last lines of `{}`:", log.display());
        for line in &lines[lines.len().saturating_sub(20)..] {
            eprintln!("    {line}");
        }
    }
}

/// Installs PostgreSQL from Debian's packages, if we are root on Debian.
fn install_postgresql() -> Result<()> {
    if !(is_root() && Path::new("/etc/debian_version").exists()) {
        return Err(
            "PostgreSQL is not installed (no psql, initdb or pg_ctl); install it, \
                    or set DATABASE_URL to a server"
                .into(),
        );
    }
    eprintln!("xtask: PostgreSQL is not installed; installing it from Debian's packages");
    Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout_to_stderr()
        .run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout_to_stderr()
        .run()
}

/// Creates `user` as a system user unless it exists.
fn ensure_user(user: &str) -> Result<()> {
    if user_exists(user) {
        return Ok(());
    }
    Cmd::new("useradd")
        .args(["--system", "--user-group", "--no-create-home"])
        .args([
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            user,
        ])
        .stdout_to_stderr()
        .run()
}

fn user_exists(user: &str) -> bool {
    fs::read_to_string("/etc/passwd").is_ok_and(|passwd| {
        passwd
            .lines()
            .any(|line| line.split(':').next() == Some(user))
    })
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

/// `name` on `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = cmd::env("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The `bin` directories of installed PostgreSQL versions, newest first.
fn versioned_bin_dirs() -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

/// A client program (`psql`, `pg_isready`): on `PATH`, else in `/usr/lib/postgresql`.
fn find_tool(name: &str) -> Option<PathBuf> {
    find_on_path(name).or_else(|| {
        versioned_bin_dirs()
            .into_iter()
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The directory holding both `initdb` and `pg_ctl`, found through `PATH` (following
/// symlinks such as `/usr/local/bin/initdb`), else the newest `/usr/lib/postgresql/*/bin`.
fn server_bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    find_on_path("initdb")
        .and_then(|initdb| fs::canonicalize(initdb).ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
        .filter(|dir| complete(dir))
        .or_else(|| versioned_bin_dirs().into_iter().find(|dir| complete(dir)))
}

#[cfg(test)]
mod tests {
    use super::{OWNER_COMMENT_PREFIX, owner_pid, quote_ident};

    #[test]
    fn owner_pid_reads_the_comment_of_a_test_database() {
        assert_eq!(
            owner_pid(&format!("{OWNER_COMMENT_PREFIX}1234")),
            Some(1234)
        );
        assert_eq!(owner_pid(""), None);
        assert_eq!(owner_pid("someone else's comment"), None);
    }

    #[test]
    fn quote_ident_doubles_quotes() {
        assert_eq!(quote_ident("alembic_t_x"), r#""alembic_t_x""#);
        assert_eq!(quote_ident(r#"a"b"#), r#""a""b""#);
    }
}

//! The migrator: reads the version table, plans the steps, takes the lock, runs each
//! revision's statements and version-table update in transactions, and renders the same plan
//! as an offline SQL script.
//!
//! Architecture invariants:
//! - A revision's statements and its version-table row change commit together.
//! - By default the whole run is one transaction (Alembic's default on PostgreSQL);
//!   `transaction_per_migration` commits after each revision.
//! - Statements PostgreSQL refuses inside a transaction block run between a `COMMIT` and a
//!   `BEGIN`, online and offline alike, and the log says so.
//! - When the version table already holds the target heads, `upgrade` costs one read-only
//!   query: no lock, no DDL.
//! - Otherwise a session-level advisory lock serialises migrators; it is released on every
//!   path, including an error, a panic in a revision, and a dropped future. Session-level,
//!   not transaction-level, because autocommit statements end the transaction.

use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use postgres_types::{ToSql, Type};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::dialect::{self, Dialect, Postgres, Statement, VersionTable};
use crate::embed::{Body, EmbeddedRevision, Migrations};
use crate::graph::{GraphError, Heads, RevisionMap, RowOp, Step};
use crate::ops::{Op, OpError};
use crate::revision::RevisionId;

/// The `tracing` target of the migrator's log lines, as Alembic's logger name.
pub const LOG_TARGET: &str = "alembic.runtime.migration";

/// How long a migrator waiting for the lock sleeps, on the server, between two attempts.
const LOCK_POLL: Duration = Duration::from_millis(50);

/// What a migration run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The steps run, in order, as the log lines describe them (`upgrade a -> b, doc`).
    pub steps: Vec<String>,
    /// The version table's rows afterwards.
    pub heads: Vec<String>,
}

impl Report {
    /// Whether nothing had to be done.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Who holds the migration lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// The backend's process id.
    pub pid: i32,
    /// Its `application_name`.
    pub application_name: String,
    /// When its current state began.
    pub since: String,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if !self.application_name.is_empty() {
            write!(f, " ({})", self.application_name)?;
        }
        write!(f, ", since {}", self.since)
    }
}

/// Why a migration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The target or the graph is wrong.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// The version table names revisions this build does not contain.
    #[error(
        "the version table {table} holds {}, which this build of the migrations does not contain\n\
         help: the database was migrated by a newer build or another branch; build from that \
         revision, or if the revision was deleted on purpose, reset the table with \
         `stamp --purge <revision>`",
        quoted_list(ids)
    )]
    UnknownRevision {
        /// The version table.
        table: String,
        /// The unknown ids.
        ids: Vec<String>,
    },
    /// A statement failed.
    #[error("{}", statement_message(revision.as_deref(), statement, source, outcome))]
    Statement {
        /// `id (path:line)` of the revision, when the statement belongs to one.
        revision: Option<String>,
        /// The statement.
        statement: String,
        /// PostgreSQL's error.
        source: tokio_postgres::Error,
        /// What state the database was left in.
        outcome: String,
    },
    /// A database call outside any revision failed (connecting, reading the version table).
    #[error("{context}: {}", db_message(source))]
    Database {
        /// What was being done.
        context: String,
        /// PostgreSQL's error.
        source: tokio_postgres::Error,
    },
    /// The lock was not granted in time.
    #[error("timed out after {:?} waiting for the migration lock on {table}{}", waited, holder.as_ref().map(|h| format!(", held by {h}")).unwrap_or_default())]
    LockTimeout {
        /// The version table the lock guards.
        table: String,
        /// How long the migrator waited.
        waited: Duration,
        /// Who held the lock when waiting began.
        holder: Option<LockHolder>,
    },
    /// A revision's operations are invalid.
    #[error("revision {revision}: {source}")]
    Operation {
        /// The revision.
        revision: String,
        /// What is wrong.
        source: OpError,
    },
    /// A revision's `upgrade` or `downgrade` function panicked.
    #[error("revision {revision}: {function}() panicked: {message}")]
    Panicked {
        /// The revision.
        revision: String,
        /// `upgrade` or `downgrade`.
        function: &'static str,
        /// The panic message.
        message: String,
    },
    /// A request that makes no sense offline or online, such as a range target online.
    #[error("{0}")]
    Invalid(String),
}

fn quoted_list(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn db_message(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_owned();
            if let Some(detail) = db.detail() {
                let _ = write!(text, "\n  detail: {detail}");
            }
            if let Some(hint) = db.hint() {
                let _ = write!(text, "\n  hint: {hint}");
            }
            text
        }
        None => err.to_string(),
    }
}

fn statement_message(
    revision: Option<&str>,
    statement: &str,
    err: &tokio_postgres::Error,
    outcome: &str,
) -> String {
    let mut text = match revision {
        Some(revision) => format!("revision {revision} failed: {}", db_message(err)),
        None => format!("statement failed: {}", db_message(err)),
    };
    let shown: String = statement.trim().chars().take(2000).collect();
    let _ = write!(text, "\n  statement: {shown}");
    match err.code() {
        Some(code) if *code == SqlState::ACTIVE_SQL_TRANSACTION => {
            text.push_str(
                "\n  help: this statement cannot run inside a transaction block; wrap it in \
                 op.autocommit_block(...) in a Rust revision, or put it in its own revision with \
                 transaction_per_migration = true",
            );
        }
        Some(code) if *code == SqlState::OUT_OF_MEMORY => {
            text.push_str(
                "\n  help: one transaction took more locks than the server's lock table holds \
                 (max_locks_per_transaction); set transaction_per_migration = true in \
                 alembic.toml (or pass --transaction-per-migration) to commit each revision on \
                 its own, or raise max_locks_per_transaction on the server",
            );
        }
        _ => {}
    }
    let _ = write!(text, "\n  {outcome}");
    text
}

/// What a run should do.
#[derive(Debug, Clone, Copy)]
enum Command<'a> {
    Upgrade(&'a str),
    Downgrade(&'a str),
    Stamp(&'a [&'a str], bool),
}

impl Command<'_> {
    fn needs_table(&self) -> bool {
        !matches!(self, Command::Downgrade(_))
    }
}

/// Runs the embedded migrations against a database; built by [`Migrations::migrator`].
#[derive(Debug, Clone)]
pub struct Migrator<'m> {
    migrations: &'m Migrations,
    table: VersionTable,
    per_migration: bool,
    lock_timeout: Option<Duration>,
}

impl Migrations {
    /// A migrator with the embedded configuration.
    pub fn migrator(&self) -> Migrator<'_> {
        let config = self.config();
        Migrator {
            migrations: self,
            table: VersionTable {
                schema: config.version_table_schema.map(str::to_owned),
                name: config.version_table.to_owned(),
            },
            per_migration: config.transaction_per_migration,
            lock_timeout: None,
        }
    }

    /// Upgrades the database to `target` (`head`, `heads`, an id, `+2`, `label@head`, ...).
    /// Applying a target the database is already at does nothing; with `head` or `heads`
    /// that costs one read-only query.
    ///
    /// # Errors
    ///
    /// [`MigrateError`]: a bad target, a failing statement (the transaction is rolled back), a
    /// version table naming unknown revisions.
    pub async fn upgrade(&self, client: &mut Client, target: &str) -> Result<Report, MigrateError> {
        self.migrator().upgrade(client, target).await
    }

    /// Downgrades the database to `target` (`base`, an id, `-1`, `label@-1`, ...).
    ///
    /// # Errors
    ///
    /// As [`upgrade`](Self::upgrade).
    pub async fn downgrade(
        &self,
        client: &mut Client,
        target: &str,
    ) -> Result<Report, MigrateError> {
        self.migrator().downgrade(client, target).await
    }

    /// The version table's rows: the database's current heads (empty when the table does not
    /// exist, which this never creates).
    ///
    /// # Errors
    ///
    /// [`MigrateError::Database`] when the table cannot be read.
    pub async fn current(&self, client: &mut Client) -> Result<Vec<String>, MigrateError> {
        self.migrator().current(client).await
    }

    /// Sets the version table to `targets` without running any revision; with `purge`, all
    /// rows are deleted first.
    ///
    /// # Errors
    ///
    /// As [`upgrade`](Self::upgrade).
    pub async fn stamp(
        &self,
        client: &mut Client,
        targets: &[&str],
        purge: bool,
    ) -> Result<Report, MigrateError> {
        self.migrator().stamp(client, targets, purge).await
    }
}

impl<'m> Migrator<'m> {
    /// Uses another version table.
    pub fn version_table(mut self, name: &str, schema: Option<&str>) -> Self {
        self.table = VersionTable {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        };
        self
    }

    /// Commits each revision in its own transaction (`true`) or the whole run in one.
    pub fn transaction_per_migration(mut self, yes: bool) -> Self {
        self.per_migration = yes;
        self
    }

    /// Gives up waiting for the migration lock after `timeout`.
    pub fn lock_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// See [`Migrations::upgrade`].
    ///
    /// # Errors
    ///
    /// See [`Migrations::upgrade`].
    pub async fn upgrade(&self, client: &mut Client, target: &str) -> Result<Report, MigrateError> {
        reject_range(target)?;
        // The start-up fast path: compare the table with the heads computed at build time,
        // without building the graph. `head` takes it only when it names one revision, so
        // that several heads still fail as they should.
        let fast = target == "heads" || (target == "head" && self.migrations.single_head());
        if fast
            && let Some(rows) = self.read_rows(client).await?
            && same_set(&rows, self.migrations.stored_heads())
        {
            return Ok(Report {
                steps: Vec::new(),
                heads: rows,
            });
        }
        self.run_locked(client, Command::Upgrade(target)).await
    }

    /// See [`Migrations::downgrade`].
    ///
    /// # Errors
    ///
    /// See [`Migrations::upgrade`].
    pub async fn downgrade(
        &self,
        client: &mut Client,
        target: &str,
    ) -> Result<Report, MigrateError> {
        reject_range(target)?;
        self.run_locked(client, Command::Downgrade(target)).await
    }

    /// See [`Migrations::stamp`].
    ///
    /// # Errors
    ///
    /// See [`Migrations::upgrade`].
    pub async fn stamp(
        &self,
        client: &mut Client,
        targets: &[&str],
        purge: bool,
    ) -> Result<Report, MigrateError> {
        for target in targets {
            reject_range(target)?;
        }
        self.run_locked(client, Command::Stamp(targets, purge))
            .await
    }

    /// See [`Migrations::current`].
    ///
    /// # Errors
    ///
    /// See [`Migrations::current`].
    pub async fn current(&self, client: &mut Client) -> Result<Vec<String>, MigrateError> {
        Ok(self.read_rows(client).await?.unwrap_or_default())
    }

    /// The version table as SQL names it, for messages.
    fn table_name(&self) -> String {
        self.table.qualified_name(&Postgres)
    }

    fn map(&self) -> Result<&'m RevisionMap, MigrateError> {
        self.migrations
            .map()
            .map_err(|err| MigrateError::Invalid(err.to_string()))
    }

    /// The version table's rows, or `None` when the table does not exist.
    async fn read_rows(&self, client: &Client) -> Result<Option<Vec<String>>, MigrateError> {
        match client.simple_query(&self.table.select(&Postgres).sql).await {
            Ok(messages) => Ok(Some(
                messages
                    .into_iter()
                    .filter_map(|message| match message {
                        tokio_postgres::SimpleQueryMessage::Row(row) => {
                            row.get(0).map(str::to_owned)
                        }
                        _ => None,
                    })
                    .collect(),
            )),
            Err(err) if err.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(None),
            Err(source) => Err(MigrateError::Database {
                context: format!("failed to read the version table {}", self.table_name()),
                source,
            }),
        }
    }

    fn known_heads(&self, rows: &[String]) -> Result<Vec<RevisionId>, MigrateError> {
        let map = self.map()?;
        let unknown: Vec<String> = rows
            .iter()
            .filter(|id| map.get(id).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(MigrateError::UnknownRevision {
                table: self.table_name(),
                ids: unknown,
            });
        }
        Ok(rows
            .iter()
            .filter_map(|id| RevisionId::new(id).ok())
            .collect())
    }

    async fn run_locked(
        &self,
        client: &mut Client,
        command: Command<'_>,
    ) -> Result<Report, MigrateError> {
        let key = lock_key(&self.table);
        // Armed before the lock is asked for: if this future is dropped while a request is
        // in flight, the server may still grant it, and the queued unlock then releases it
        // (an unlock of a lock not held only warns).
        let mut guard = LockGuard {
            client,
            key,
            in_transaction: false,
            armed: true,
        };
        if let Err(err) = self.acquire_lock(guard.client, key).await {
            // Nothing in flight and nothing held.
            guard.armed = false;
            return Err(err);
        }
        let result = self.run(&mut guard, command).await;
        if guard.in_transaction {
            let _ = guard.client.batch_execute("ROLLBACK").await;
            guard.in_transaction = false;
        }
        let unlock = guard
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&key])
            .await;
        guard.armed = false;
        let report = result?;
        unlock.map_err(|source| MigrateError::Database {
            context: "failed to release the migration lock".to_owned(),
            source,
        })?;
        Ok(report)
    }

    async fn acquire_lock(&self, client: &Client, key: i64) -> Result<(), MigrateError> {
        let db = |context: &str| {
            let context = context.to_owned();
            move |source| MigrateError::Database { context, source }
        };
        let row = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await
            .map_err(db("failed to take the migration lock"))?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        let holder = lock_holder(client, key).await;
        match &holder {
            Some(holder) => tracing::info!(
                target: LOG_TARGET,
                "Waiting for the migration lock on {}, held by {holder}",
                self.table_name()
            ),
            None => tracing::info!(
                target: LOG_TARGET,
                "Waiting for the migration lock on {}",
                self.table_name()
            ),
        }
        // Wait by polling, not in `pg_advisory_lock`: a session blocked in a statement
        // holds a snapshot, and a `CREATE INDEX CONCURRENTLY` run by the lock holder waits
        // for every older snapshot to end, a deadlock PostgreSQL breaks by failing one of
        // them. Each poll is one short statement (its snapshot ends with it), and the
        // sleep is the server's, so no timer is needed in the caller's runtime.
        let deadline = self.lock_timeout.map(|timeout| Instant::now() + timeout);
        loop {
            let pause = deadline.map_or(LOCK_POLL, |deadline| {
                LOCK_POLL.min(deadline.saturating_duration_since(Instant::now()))
            });
            // language=SQL
            let row = client
                .query_one(
                    "SELECT pg_try_advisory_lock($1) FROM pg_sleep($2)",
                    &[&key, &pause.as_secs_f64()],
                )
                .await
                .map_err(db("failed to take the migration lock"))?;
            if row.get::<_, bool>(0) {
                return Ok(());
            }
            if let (Some(timeout), Some(deadline)) = (self.lock_timeout, deadline)
                && Instant::now() >= deadline
            {
                return Err(MigrateError::LockTimeout {
                    table: self.table_name(),
                    waited: timeout,
                    holder,
                });
            }
        }
    }

    async fn run(
        &self,
        guard: &mut LockGuard<'_>,
        command: Command<'_>,
    ) -> Result<Report, MigrateError> {
        let map = self.map()?;
        let rows = self.read_rows(guard.client).await?;
        let table_exists = rows.is_some();
        let rows = rows.unwrap_or_default();
        // `stamp --purge` starts from no heads and deletes every row first, as Alembic does
        // (`_ensure_version_table(purge=True)`); rows naming unknown revisions are what it
        // is for, so they are not an error here.
        let purge = matches!(command, Command::Stamp(_, true));
        let current = if purge {
            Vec::new()
        } else {
            self.known_heads(&rows)?
        };
        let delete_rows = purge && !rows.is_empty();
        let steps = plan(map, &current, command)?;
        let mut heads = Heads::new(current);
        let mut done = Vec::new();
        if steps.is_empty() && !delete_rows {
            return Ok(Report {
                steps: done,
                heads: rows,
            });
        }
        let dialect = Postgres;
        let mut exec = Executor {
            guard,
            per_migration: self.per_migration,
            committed: Vec::new(),
            table: &self.table,
        };
        if !table_exists && command.needs_table() {
            exec.begin().await?;
            exec.run(None, &self.table.create_table(&dialect), &done)
                .await?;
        }
        if delete_rows {
            // language=SQL
            let delete = Statement::new(format!("DELETE FROM {}", self.table_name()));
            exec.run(None, &delete, &done).await?;
        }
        for step in &steps {
            let planned = plan_step(
                self.migrations,
                map,
                &dialect,
                &self.table,
                step,
                &mut heads,
            )?;
            tracing::info!(target: LOG_TARGET, "Running {}", planned.description);
            for (index, statement) in planned.statements.iter().enumerate() {
                exec.run(planned.label(Some(index)), statement, &done)
                    .await?;
            }
            for row in &planned.rows {
                exec.run_row(&planned, row, &done).await?;
            }
            done.push(planned.description.clone());
            if self.per_migration {
                exec.commit().await?;
                exec.committed.push(planned.description.clone());
            }
        }
        exec.commit().await?;
        Ok(Report {
            steps: done,
            heads: heads.ids().iter().map(ToString::to_string).collect(),
        })
    }

    /// The offline script of `upgrade start:end --sql` (or `end` alone, from base).
    ///
    /// # Errors
    ///
    /// A bad target.
    pub fn upgrade_sql(&self, range: &str) -> Result<String, MigrateError> {
        let (start, end) = split_range(range);
        self.offline(start, Command::Upgrade(end))
    }

    /// The offline script of `downgrade start:end --sql`.
    ///
    /// # Errors
    ///
    /// A bad target, or no `start:` (a downgrade needs a known starting point).
    pub fn downgrade_sql(&self, range: &str) -> Result<String, MigrateError> {
        let (start, end) = split_range(range);
        let Some(start) = start else {
            return Err(MigrateError::Invalid(
                "downgrade with --sql requires <fromrev>:<torev>".to_owned(),
            ));
        };
        self.offline(Some(start), Command::Downgrade(end))
    }

    /// The offline script of `stamp target... --sql`. Each target may be `start:end`; all
    /// starts must agree.
    ///
    /// # Errors
    ///
    /// A bad target, `purge`, or differing starts.
    pub fn stamp_sql(&self, targets: &[&str], purge: bool) -> Result<String, MigrateError> {
        if purge {
            return Err(MigrateError::Invalid(
                "Can't use --purge with --sql mode".to_owned(),
            ));
        }
        let mut start: Option<Option<&str>> = None;
        let mut ends = Vec::new();
        for target in targets {
            let (s, e) = split_range(target);
            match start {
                None => start = Some(s),
                Some(previous) if previous != s => {
                    return Err(MigrateError::Invalid(
                        "Stamp operation with --sql only supports a single starting revision at a time"
                            .to_owned(),
                    ));
                }
                Some(_) => {}
            }
            ends.push(e);
        }
        self.offline(start.flatten(), Command::Stamp(&ends, false))
    }

    fn offline(&self, start: Option<&str>, command: Command<'_>) -> Result<String, MigrateError> {
        let map = self.map()?;
        let current: Vec<RevisionId> = match start {
            None | Some("base") | Some("") => Vec::new(),
            // Alembic reads the start with get_revision: one revision, or an error.
            Some(start) => map
                .resolve_one(start)
                .map_err(GraphError::into_command)?
                .into_iter()
                .cloned()
                .collect(),
        };
        let steps = plan(map, &current, command)?;
        let dialect = Postgres;
        let mut heads = Heads::new(current.clone());
        let mut out = String::new();
        if steps.is_empty() {
            // Alembic's env.py wraps the run in `begin_transaction()` whatever it holds, so
            // an empty run still prints the pair; per migration there is no outer one.
            if !self.per_migration {
                out.push_str("BEGIN;\n\nCOMMIT;\n\n");
            }
            return Ok(out);
        }
        let mut in_tx = false;
        let begin = |out: &mut String, in_tx: &mut bool| {
            if !*in_tx {
                out.push_str("BEGIN;\n\n");
                *in_tx = true;
            }
        };
        let emit = |out: &mut String, sql: &str| {
            out.push_str(sql.trim());
            out.push_str(";\n\n");
        };
        if current.is_empty() && command.needs_table() {
            begin(&mut out, &mut in_tx);
            emit(&mut out, &self.table.create_table(&dialect).sql);
        }
        for step in &steps {
            let planned = plan_step(
                self.migrations,
                map,
                &dialect,
                &self.table,
                step,
                &mut heads,
            )?;
            tracing::info!(target: LOG_TARGET, "Running {}", planned.description);
            begin(&mut out, &mut in_tx);
            let _ = write!(out, "-- Running {}\n\n", planned.comment);
            for statement in &planned.statements {
                if statement.transactional {
                    begin(&mut out, &mut in_tx);
                    emit(&mut out, &statement.render_offline(&dialect));
                } else {
                    if in_tx {
                        out.push_str("COMMIT;\n\n");
                        in_tx = false;
                    }
                    emit(&mut out, &statement.render_offline(&dialect));
                }
            }
            for row in &planned.rows {
                begin(&mut out, &mut in_tx);
                emit(&mut out, &row.statement.render_offline(&dialect));
            }
            if self.per_migration && in_tx {
                out.push_str("COMMIT;\n\n");
                in_tx = false;
            }
        }
        if in_tx {
            out.push_str("COMMIT;\n\n");
        }
        Ok(out)
    }
}

/// Runs statements, opening and committing transactions as the statements require.
struct Executor<'g, 'c> {
    guard: &'g mut LockGuard<'c>,
    per_migration: bool,
    committed: Vec<String>,
    table: &'g VersionTable,
}

impl Executor<'_, '_> {
    async fn begin(&mut self) -> Result<(), MigrateError> {
        if !self.guard.in_transaction {
            self.simple("BEGIN").await?;
            self.guard.in_transaction = true;
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), MigrateError> {
        if self.guard.in_transaction {
            self.simple("COMMIT").await?;
            self.guard.in_transaction = false;
        }
        Ok(())
    }

    async fn simple(&mut self, sql: &str) -> Result<(), MigrateError> {
        self.guard
            .client
            .batch_execute(sql)
            .await
            .map_err(|source| MigrateError::Database {
                context: format!("{sql} failed"),
                source,
            })
    }

    fn outcome(&self, done: &[String]) -> String {
        let _ = self.per_migration;
        if self.committed.is_empty() {
            if done.is_empty() {
                "the transaction was rolled back; the database is unchanged".to_owned()
            } else {
                format!(
                    "the transaction was rolled back; the database is unchanged (not applied: {})",
                    done.join("; ")
                )
            }
        } else {
            format!(
                "the transaction was rolled back; committed before the failure: {}",
                self.committed.join("; ")
            )
        }
    }

    async fn run(
        &mut self,
        label: Option<String>,
        statement: &Statement,
        done: &[String],
    ) -> Result<(), MigrateError> {
        if statement.transactional {
            self.begin().await?;
        } else if self.guard.in_transaction {
            tracing::info!(
                target: LOG_TARGET,
                "Committing before a statement that cannot run inside a transaction"
            );
            self.commit().await?;
            self.committed.extend(done.iter().cloned());
        }
        let result = execute(self.guard.client, statement).await;
        if let Err(source) = result {
            return Err(MigrateError::Statement {
                revision: label,
                statement: statement.sql.clone(),
                source,
                outcome: self.outcome(done),
            });
        }
        if !statement.transactional {
            self.committed.extend(done.iter().cloned());
        }
        Ok(())
    }

    async fn run_row(
        &mut self,
        step: &PlannedStep,
        row: &RowStatement,
        done: &[String],
    ) -> Result<(), MigrateError> {
        self.begin().await?;
        match execute(self.guard.client, &row.statement).await {
            Ok(found) => Ok(row.op.check_row_count(&self.table.name, found)?),
            Err(source) => Err(MigrateError::Statement {
                revision: step.label(None),
                statement: row.statement.sql.clone(),
                source,
                outcome: self.outcome(done),
            }),
        }
    }
}

async fn execute(client: &Client, statement: &Statement) -> Result<u64, tokio_postgres::Error> {
    if statement.params.is_empty() {
        client.batch_execute(&statement.sql).await.map(|()| 0)
    } else {
        // Values travel in text format with an unknown type: the server infers each
        // parameter's type, and no prepare round trip is needed.
        let params: Vec<(&(dyn ToSql + Sync), Type)> = statement
            .params
            .iter()
            .map(|value| (value as &(dyn ToSql + Sync), Type::UNKNOWN))
            .collect();
        client.execute_typed(&statement.sql, &params).await
    }
}

/// Holds the migration lock; dropping it unarmed does nothing, dropping it armed (an early
/// return or a dropped future) queues a rollback and the unlock on the connection.
struct LockGuard<'c> {
    client: &'c mut Client,
    key: i64,
    in_transaction: bool,
    armed: bool,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        // Polling once queues the query on the connection without awaiting the answer; the
        // connection task sends it even though this future is gone.
        if self.in_transaction {
            poll_once(self.client.batch_execute("ROLLBACK"));
        }
        let unlock = format!("SELECT pg_advisory_unlock({})", self.key);
        poll_once(self.client.batch_execute(&unlock));
    }
}

fn poll_once<F: Future>(future: F) {
    let future = pin!(future);
    let _: Poll<F::Output> = future.poll(&mut Context::from_waker(Waker::noop()));
}

async fn lock_holder(client: &Client, key: i64) -> Option<LockHolder> {
    // A bigint advisory key is stored as classid (high half), objid (low half), objsubid 1.
    let high = i64::from(u32::try_from((key >> 32) & 0xffff_ffff).ok()?);
    let low = i64::from(u32::try_from(key & 0xffff_ffff).ok()?);
    let row = client
        .query_opt(
            "SELECT a.pid, coalesce(a.application_name, ''), \
                    coalesce(to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"'), '') \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted \
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 1 \
             LIMIT 1",
            &[&high, &low],
        )
        .await
        .ok()??;
    Some(LockHolder {
        pid: row.get(0),
        application_name: row.get(1),
        since: row.get(2),
    })
}

/// The advisory lock key for a version table: stable across builds and versions.
pub fn lock_key(table: &VersionTable) -> i64 {
    // FNV-1a, 64 bits.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let text = format!(
        "alembic_version_lock:{}.{}",
        table.schema.as_deref().unwrap_or(""),
        table.name
    );
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

fn reject_range(target: &str) -> Result<(), MigrateError> {
    if target.contains(':') {
        return Err(MigrateError::Invalid(
            "Range revision not allowed".to_owned(),
        ));
    }
    Ok(())
}

fn split_range(target: &str) -> (Option<&str>, &str) {
    match target.split_once(':') {
        Some((start, end)) => (Some(start), end),
        None => (None, target),
    }
}

fn same_set(rows: &[String], heads: &[&str]) -> bool {
    rows.len() == heads.len() && heads.iter().all(|h| rows.iter().any(|r| r == h))
}

fn plan(
    map: &RevisionMap,
    current: &[RevisionId],
    command: Command<'_>,
) -> Result<Vec<Step>, MigrateError> {
    Ok(match command {
        Command::Upgrade(target) => map.upgrade_steps(current, target)?,
        Command::Downgrade(target) => map.downgrade_steps(current, target)?,
        Command::Stamp(targets, purge) => map.stamp_steps(current, targets, purge)?,
    })
}

/// A version-table statement and the row change it makes, for Alembic's online row-count
/// check.
struct RowStatement {
    statement: Statement,
    op: RowOp,
}

/// One step, ready to run or print.
struct PlannedStep {
    /// `upgrade a -> b, doc`: what the log says.
    description: String,
    /// `upgrade a -> b`: what the offline comment says.
    comment: String,
    /// `id (path:line)`, for errors.
    /// The revision's id and file, for errors.
    revision: Option<(String, &'static str)>,
    /// The line of each statement in the revision file, where known (SQL revisions).
    lines: Vec<Option<usize>>,
    statements: Vec<Statement>,
    rows: Vec<RowStatement>,
}

fn plan_step(
    migrations: &Migrations,
    map: &RevisionMap,
    dialect: &Postgres,
    table: &VersionTable,
    step: &Step,
    heads: &mut Heads,
) -> Result<PlannedStep, MigrateError> {
    let mut statements = Vec::new();
    let mut lines = Vec::new();
    let mut revision = None;
    if let Some(id) = &step.revision {
        let Some(embedded) = migrations.get(id.as_str()) else {
            return Err(MigrateError::Invalid(format!(
                "revision {id} is in the graph but has no embedded body"
            )));
        };
        revision = Some((id.to_string(), embedded.path));
        (statements, lines) = revision_statements(embedded, dialect, step.is_upgrade())?
            .into_iter()
            .unzip();
    }
    let rows = heads
        .apply(map, step)?
        .into_iter()
        .map(|op| row_statement(dialect, table, op))
        .collect();
    Ok(PlannedStep {
        description: step.log_message(map),
        comment: step.short_log(),
        revision,
        lines,
        statements,
        rows,
    })
}

impl PlannedStep {
    /// `id (path:line)` of the statement at `index`, or `id (path)` for the step's
    /// version-table update; `None` outside a revision.
    fn label(&self, index: Option<usize>) -> Option<String> {
        let (id, path) = self.revision.as_ref()?;
        Some(
            match index.and_then(|i| self.lines.get(i).copied().flatten()) {
                Some(line) => format!("{id} ({path}:{line})"),
                None => format!("{id} ({path})"),
            },
        )
    }
}

fn row_statement(dialect: &Postgres, table: &VersionTable, op: RowOp) -> RowStatement {
    let statement = match &op {
        RowOp::Insert(id) => table.insert(dialect, id.as_str()),
        RowOp::Update { from, to } => table.update(dialect, from.as_str(), to.as_str()),
        RowOp::Delete(id) => table.delete(dialect, id.as_str()),
    };
    RowStatement { statement, op }
}

/// A revision's statements, each with its line in the revision file where known.
fn revision_statements(
    revision: &EmbeddedRevision,
    dialect: &Postgres,
    upgrade: bool,
) -> Result<Vec<(Statement, Option<usize>)>, MigrateError> {
    match revision.body {
        Body::Sql {
            upgrade: up,
            upgrade_line,
            downgrade: down,
            downgrade_line,
        } => {
            let (text, first_line) = if upgrade {
                (up, upgrade_line)
            } else {
                (down, downgrade_line)
            };
            Ok(dialect::split_statements(text)
                .into_iter()
                .map(|piece| {
                    let mut statement = Statement::new(piece.sql);
                    statement.transactional = piece.transactional;
                    (statement, Some(first_line + piece.line - 1))
                })
                .collect())
        }
        Body::Rust {
            upgrade: up,
            downgrade: down,
        } => {
            let (function, name) = if upgrade {
                (up, "upgrade")
            } else {
                (down, "downgrade")
            };
            let mut op = Op::new();
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| function(&mut op)));
            if let Err(payload) = outcome {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic payload".to_owned());
                return Err(MigrateError::Panicked {
                    revision: revision.id.to_owned(),
                    function: name,
                    message,
                });
            }
            let operations = op.finish().map_err(|source| MigrateError::Operation {
                revision: revision.id.to_owned(),
                source,
            })?;
            let mut statements = Vec::new();
            for operation in &operations {
                let rendered =
                    dialect
                        .statements(operation)
                        .map_err(|source| MigrateError::Operation {
                            revision: revision.id.to_owned(),
                            source,
                        })?;
                statements.extend(rendered.into_iter().map(|statement| (statement, None)));
            }
            Ok(statements)
        }
    }
}

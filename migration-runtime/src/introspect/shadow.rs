//! The shadow database: a declarative `schema.sql` applied to a temporary database and
//! introspected, the target side of an autogenerate comparison.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::Client;

use super::{IntrospectError, IntrospectOptions, error_message, introspect};
use crate::dialect::{SqlPiece, split_statements};
use crate::schema::Metadata;
use crate::url::DatabaseUrl;

/// The prefix of every shadow database's name.
pub const SHADOW_DATABASE_PREFIX: &str = "alembic_shadow_";

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// How [`shadow_metadata`] works.
#[derive(Debug, Clone, Default)]
pub struct ShadowOptions {
    /// What to introspect once the SQL is applied.
    pub introspect: IntrospectOptions,
    /// An existing, empty database to use instead of a temporary one (for servers where the
    /// user may not create databases). The SQL then runs in one transaction that is rolled
    /// back after introspection, so the database stays empty; statements PostgreSQL refuses
    /// in a transaction (`CREATE INDEX CONCURRENTLY`) fail there.
    pub shadow_url: Option<DatabaseUrl>,
}

/// What went wrong building the target schema from SQL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShadowError {
    /// Connecting to the server, or to the shadow database.
    #[error("shadow database: {0}")]
    Connect(String),
    /// `CREATE DATABASE` failed (the user may lack `CREATEDB`: give a `shadow_url`).
    #[error("cannot create shadow database \"{name}\": {message}")]
    CreateDatabase {
        /// The database's name.
        name: String,
        /// The server's message.
        message: String,
    },
    /// A statement of the schema SQL failed.
    #[error("line {line}: {message}\n    in: {statement}")]
    Statement {
        /// The statement's first line, counted from 1 in the SQL text.
        line: usize,
        /// The statement, cut to its first line.
        statement: String,
        /// The server's message.
        message: String,
    },
    /// The given shadow database holds objects already.
    #[error("shadow database {url} is not empty: it holds {what}")]
    NotEmpty {
        /// The database's URL, password masked.
        url: String,
        /// What it holds, for example `table public.account`.
        what: String,
    },
    /// Reading the schema back failed.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
    /// Dropping the shadow database failed; it is left behind.
    #[error("cannot drop shadow database \"{name}\" (drop it by hand): {message}")]
    DropDatabase {
        /// The database's name.
        name: String,
        /// The server's message.
        message: String,
    },
    /// A statement run to set up or clean up (`BEGIN`, `ROLLBACK`) failed.
    #[error("shadow database: `{sql}` failed: {message}")]
    Setup {
        /// The statement.
        sql: String,
        /// The server's message.
        message: String,
    },
}

/// The schema `schema_sql` declares, read back from a temporary database.
///
/// Connects to `admin_url` (any database of the server, by a user who may create
/// databases), creates a database with a unique name (`alembic_shadow_<pid>_<n>_<time>`),
/// applies the SQL statement by statement, introspects it, and drops it, also when applying
/// or introspecting fails. With [`ShadowOptions::shadow_url`] the given empty database is
/// used instead and left as it was.
///
/// Connections use TLS as the URL's `sslmode` says when the `tls` feature is on, and plain
/// TCP otherwise.
///
/// # Errors
///
/// [`ShadowError`]; a failing statement is reported with its line in `schema_sql`.
pub async fn shadow_metadata(
    admin_url: &DatabaseUrl,
    schema_sql: &str,
    options: &ShadowOptions,
) -> Result<Metadata, ShadowError> {
    if let Some(shadow_url) = &options.shadow_url {
        let client = connect(shadow_url).await.map_err(ShadowError::Connect)?;
        return in_rolled_back_transaction(&client, shadow_url, schema_sql, options).await;
    }
    let admin = connect(admin_url).await.map_err(ShadowError::Connect)?;
    shadow_metadata_with(
        &admin,
        |name| async move {
            let url = DatabaseUrl::parse(&with_database(admin_url.expose(), &name))
                .map_err(|err| err.to_string())?;
            connect(&url).await
        },
        schema_sql,
        &options.introspect,
    )
    .await
}

/// [`shadow_metadata`] with a connection of your own to the server (`admin`) and a
/// function connecting to a database by name, for callers that configure connections
/// themselves (TLS, pools).
///
/// # Errors
///
/// As [`shadow_metadata`].
pub async fn shadow_metadata_with<F, Fut, E>(
    admin: &Client,
    connect: F,
    schema_sql: &str,
    options: &IntrospectOptions,
) -> Result<Metadata, ShadowError>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Client, E>>,
    E: std::fmt::Display,
{
    let name = shadow_database_name();
    let quoted = quote(&name);
    admin
        .batch_execute(&format!("CREATE DATABASE {quoted} TEMPLATE template0"))
        .await
        .map_err(|err| ShadowError::CreateDatabase {
            name: name.clone(),
            message: error_message(&err),
        })?;
    let result: Result<Metadata, ShadowError> = async {
        let client = connect(name.clone())
            .await
            .map_err(|err| ShadowError::Connect(err.to_string()))?;
        apply(&client, schema_sql).await?;
        Ok(introspect(&client, options).await?)
    }
    .await;
    let dropped = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        .await
        .map_err(|err| ShadowError::DropDatabase {
            name,
            message: error_message(&err),
        });
    let metadata = result?;
    dropped?;
    Ok(metadata)
}

async fn in_rolled_back_transaction(
    client: &Client,
    url: &DatabaseUrl,
    schema_sql: &str,
    options: &ShadowOptions,
) -> Result<Metadata, ShadowError> {
    setup(client, "BEGIN").await?;
    let result: Result<Metadata, ShadowError> = async {
        let existing = introspect(client, &options.introspect).await?;
        if let Some(what) = first_object(&existing) {
            return Err(ShadowError::NotEmpty {
                url: url.to_string(),
                what,
            });
        }
        for piece in split_statements(schema_sql) {
            run_piece(client, &piece).await?;
        }
        Ok(introspect(client, &options.introspect).await?)
    }
    .await;
    let rolled_back = setup(client, "ROLLBACK").await;
    let metadata = result?;
    rolled_back?;
    Ok(metadata)
}

fn first_object(metadata: &Metadata) -> Option<String> {
    if let Some(name) = metadata.tables.keys().next() {
        return Some(format!("table {name}"));
    }
    if let Some(name) = metadata.enums.keys().next() {
        return Some(format!("type {name}"));
    }
    metadata
        .sequences
        .keys()
        .next()
        .map(|name| format!("sequence {name}"))
}

async fn setup(client: &Client, sql: &str) -> Result<(), ShadowError> {
    client
        .batch_execute(sql)
        .await
        .map_err(|err| ShadowError::Setup {
            sql: sql.to_owned(),
            message: error_message(&err),
        })
}

/// Applies the SQL: runs of statements PostgreSQL accepts in a transaction go as one
/// simple query (one implicit transaction, one round trip); the others run alone. When a
/// run fails, its statements are replayed one at a time to name the failing one.
async fn apply(client: &Client, sql: &str) -> Result<(), ShadowError> {
    let pieces = split_statements(sql);
    let mut start = 0;
    while start < pieces.len() {
        if !pieces[start].transactional {
            run_piece(client, &pieces[start]).await?;
            start += 1;
            continue;
        }
        let end = pieces[start..]
            .iter()
            .position(|p| !p.transactional)
            .map_or(pieces.len(), |offset| start + offset);
        let batch: Vec<&str> = pieces[start..end].iter().map(|p| p.sql.as_str()).collect();
        if client.batch_execute(&batch.join(";\n")).await.is_err() {
            // The implicit transaction rolled the whole run back: replay it to find the
            // statement at fault.
            for piece in &pieces[start..end] {
                run_piece(client, piece).await?;
            }
        }
        start = end;
    }
    Ok(())
}

async fn run_piece(client: &Client, piece: &SqlPiece) -> Result<(), ShadowError> {
    client
        .batch_execute(&piece.sql)
        .await
        .map_err(|err| ShadowError::Statement {
            line: piece.line,
            statement: first_line(&piece.sql),
            message: error_message(&err),
        })
}

fn first_line(sql: &str) -> String {
    let mut lines = sql.lines();
    let first = lines.next().unwrap_or_default().trim_end().to_owned();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}

/// A name no other shadow database has: the prefix, the process id, a per-process counter
/// and the time.
fn shadow_database_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() % 1_000_000_000_000);
    format!(
        "{SHADOW_DATABASE_PREFIX}{}_{}_{nanos}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    )
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// `url` pointing at `database`: the path of a URL replaced (a `dbname` query option
/// dropped), or `dbname=` appended to a key/value string, where the last one wins.
fn with_database(url: &str, database: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let options: Vec<&str> = tail
            .split_once('?')
            .map(|(_, query)| query.split('#').next().unwrap_or(""))
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("dbname="))
            .collect();
        let query = if options.is_empty() {
            String::new()
        } else {
            format!("?{}", options.join("&"))
        };
        return format!("{scheme}://{authority}/{database}{query}");
    }
    format!(
        "{} dbname='{}'",
        url.trim_end(),
        database.replace('\'', "\\'")
    )
}

/// Connects, with TLS as the URL says when the `tls` feature is on.
async fn connect(url: &DatabaseUrl) -> Result<Client, String> {
    #[cfg(feature = "tls")]
    {
        crate::url::connect(url)
            .await
            .map_err(|err| err.to_string())
    }
    #[cfg(not(feature = "tls"))]
    {
        if matches!(
            url.tls(),
            crate::url::TlsMode::Require | crate::url::TlsMode::Verify
        ) {
            return Err(format!(
                "{url} asks for TLS, which needs migration-runtime's `tls` feature"
            ));
        }
        let (client, connection) = url
            .config()
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|err| format!("cannot connect to {url}: {}", error_message(&err)))?;
        tokio::spawn(connection);
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::{SHADOW_DATABASE_PREFIX, shadow_database_name, with_database};

    #[test]
    fn names_are_unique_and_fit() {
        let a = shadow_database_name();
        let b = shadow_database_name();
        assert_ne!(a, b);
        assert!(
            a.starts_with(SHADOW_DATABASE_PREFIX) && a.len() <= 63,
            "{a}"
        );
    }

    #[test]
    fn database_replaced_in_urls() {
        assert_eq!(
            with_database(
                "postgres://u:p@h:5432/postgres?sslmode=disable&dbname=x",
                "s"
            ),
            "postgres://u:p@h:5432/s?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "s"), "postgres://h/s");
        assert_eq!(
            with_database("host=h user=u dbname=postgres", "s"),
            "host=h user=u dbname=postgres dbname='s'"
        );
    }
}

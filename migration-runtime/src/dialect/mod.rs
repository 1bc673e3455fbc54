//! Dialects: operations to SQL statements, quoting, literals, and the version table.
//!
//! A [`Dialect`] renders each [`Operation`] as [`Statement`]s. Online, the migrator runs
//! a statement's SQL with its parameters bound; offline (`--sql`), it prints
//! [`Statement::render_offline`], the same SQL with literals in place of the parameters, so
//! both modes run the same statements.
//!
//! ```
//! use migration_runtime::dialect::{Dialect, Postgres};
//! use migration_runtime::prelude::*;
//!
//! let mut op = Op::new();
//! op.add_column("account", Column::new("last_login", Type::TimestampTz));
//! let operations = op.finish().unwrap();
//! let statements = Postgres.statements(&operations[0]).unwrap();
//! assert_eq!(
//!     statements[0].sql,
//!     "ALTER TABLE account ADD COLUMN last_login TIMESTAMP WITH TIME ZONE"
//! );
//! ```
//!
//! Architecture Invariant: dialects are pure. They never connect to a database; the
//! migrator does.

mod lexer;
mod postgres;

pub use postgres::Postgres;

use crate::ops::{OpError, Operation, Value};

/// One SQL statement, ready to run online or to print offline.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL, without a trailing `;`. Parameters are written as the dialect's
    /// placeholders (`$1`, `$2`, ... on PostgreSQL).
    pub sql: String,
    /// The values of the placeholders, in order.
    pub params: Vec<Value>,
    /// False when the statement must run outside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE ... ADD VALUE`, anything in an
    /// `autocommit_block`).
    pub transactional: bool,
}

impl Statement {
    /// A transactional statement without parameters.
    pub fn new(sql: impl Into<String>) -> Statement {
        Statement {
            sql: sql.into(),
            params: Vec::new(),
            transactional: true,
        }
    }

    /// A transactional statement with parameters.
    pub fn with_params(sql: impl Into<String>, params: Vec<Value>) -> Statement {
        Statement {
            sql: sql.into(),
            params,
            transactional: true,
        }
    }

    /// The statement as offline SQL: each placeholder replaced by the literal of its value,
    /// with no trailing `;`. Placeholders inside strings, quoted identifiers and comments
    /// are left alone.
    ///
    /// ```
    /// use migration_runtime::dialect::{Postgres, Statement};
    /// use migration_runtime::ops::Value;
    ///
    /// let statement = Statement::with_params(
    ///     "UPDATE account SET name = $1 WHERE id = $2",
    ///     vec![Value::from("o'brien"), Value::from(7)],
    /// );
    /// assert_eq!(
    ///     statement.render_offline(&Postgres),
    ///     "UPDATE account SET name = 'o''brien' WHERE id = 7"
    /// );
    /// ```
    pub fn render_offline(&self, dialect: &dyn Dialect) -> String {
        if self.params.is_empty() {
            return self.sql.clone();
        }
        lexer::replace_placeholders(&self.sql, |n| {
            n.checked_sub(1)
                .and_then(|i| self.params.get(i))
                .map(|value| dialect.literal(value))
        })
    }
}

/// A database's SQL: how operations, identifiers and values are written.
pub trait Dialect {
    /// The dialect's name, as SQLAlchemy calls it: `postgresql`.
    fn name(&self) -> &'static str;

    /// Whether DDL runs inside transactions, so a failed revision rolls back entirely.
    fn transactional_ddl(&self) -> bool;

    /// The longest identifier the database keeps, in bytes.
    fn max_identifier_length(&self) -> usize;

    /// The statements that carry out `operation`, in order. An operation may need none
    /// (an `alter_column` that changes nothing), one, or several.
    ///
    /// # Errors
    ///
    /// When the operation is invalid ([`Operation::validate`]) or asks for something this
    /// dialect cannot express; the error names the operation.
    fn statements(&self, operation: &Operation) -> Result<Vec<Statement>, OpError>;

    /// `name` as an identifier, quoted only when it must be.
    fn quote_identifier(&self, name: &str) -> String;

    /// `value` as an SQL literal.
    fn literal(&self, value: &Value) -> String;

    /// The placeholder for the `index`-th parameter, counting from 1.
    fn placeholder(&self, index: usize) -> String;

    /// Whether the version table's INSERT ends with `RETURNING`, as SQLAlchemy renders it
    /// for this database.
    fn insert_returning(&self) -> bool {
        false
    }
}

/// One statement of an SQL text, from [`split_statements`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlPiece {
    /// The statement, from its first token to its last, without the `;`. Comments before
    /// the first token are left out; comments inside are kept.
    pub sql: String,
    /// The 1-based line of the statement's first token, relative to the text.
    pub line: usize,
    /// False when PostgreSQL refuses to run the statement inside a transaction block.
    pub transactional: bool,
}

/// Splits an SQL text (a `.sql` revision's section, or `op.execute` text) into statements.
///
/// The split happens at `;` outside `'…'` strings (with `''` escapes), `E'…'` strings (with
/// backslash escapes), `"…"` identifiers, `$$…$$` and `$tag$…$tag$` dollar quotes, `--`
/// comments and nested `/* */` comments. Statements made only of comments and whitespace
/// are dropped. Each piece records whether PostgreSQL would refuse it inside a transaction
/// block: `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY`
/// and `REINDEX SCHEMA | DATABASE | SYSTEM`, `ALTER TYPE ... ADD VALUE`,
/// `CREATE | DROP DATABASE`, `ALTER DATABASE ... SET TABLESPACE`, `CREATE | DROP TABLESPACE`,
/// `CREATE | DROP SUBSCRIPTION`, `VACUUM`, `ALTER SYSTEM`, `CLUSTER` without a table,
/// `DISCARD ALL`, `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY`, and
/// `COMMIT PREPARED` / `ROLLBACK PREPARED`.
///
/// ```
/// use migration_runtime::dialect::split_statements;
///
/// let pieces = split_statements("CREATE TABLE t (x text DEFAULT ';');\n\nCREATE INDEX CONCURRENTLY ix ON t (x);");
/// assert_eq!(pieces.len(), 2);
/// assert_eq!(pieces[0].sql, "CREATE TABLE t (x text DEFAULT ';')");
/// assert_eq!((pieces[1].line, pieces[1].transactional), (3, false));
/// ```
pub fn split_statements(sql: &str) -> Vec<SqlPiece> {
    let tokens = lexer::tokenize(sql);
    let mut pieces = Vec::new();
    let mut statement: Vec<lexer::Token> = Vec::new();
    let mut flush = |statement: &mut Vec<lexer::Token>| {
        let significant: Vec<&lexer::Token> = statement
            .iter()
            .filter(|t| t.kind.is_significant())
            .collect();
        if let (Some(first), Some(last)) = (significant.first(), significant.last()) {
            let words: Vec<String> = significant
                .iter()
                .map(|t| match t.kind {
                    lexer::TokenKind::Word => sql[t.start..t.end].to_ascii_uppercase(),
                    _ => sql[t.start..t.end].to_owned(),
                })
                .collect();
            pieces.push(SqlPiece {
                sql: sql[first.start..last.end].to_owned(),
                line: 1 + sql[..first.start].matches('\n').count(),
                transactional: !refused_in_transaction(&words),
            });
        }
        statement.clear();
    };
    for token in tokens {
        if token.kind == lexer::TokenKind::Semicolon {
            flush(&mut statement);
        } else {
            statement.push(token);
        }
    }
    flush(&mut statement);
    pieces
}

/// Whether PostgreSQL refuses a statement, given as its significant tokens (keywords
/// upper-cased), inside a transaction block.
///
/// See the "cannot be executed inside a transaction block" notes of each command in the
/// PostgreSQL reference (`PreventInTransactionBlock` in the server source).
fn refused_in_transaction(words: &[String]) -> bool {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let has = |w: &str| words.iter().any(|x| x == w);
    let followed_by = |first: &str, second: &str| {
        words
            .windows(2)
            .any(|pair| pair[0] == first && pair[1] == second)
    };
    match word(0) {
        "CREATE" => {
            let kind = if word(1) == "UNIQUE" { 2 } else { 1 };
            (word(kind) == "INDEX" && word(kind + 1) == "CONCURRENTLY")
                || matches!(word(1), "DATABASE" | "TABLESPACE" | "SUBSCRIPTION")
        }
        "DROP" => {
            (word(1) == "INDEX" && word(2) == "CONCURRENTLY")
                || matches!(word(1), "DATABASE" | "TABLESPACE" | "SUBSCRIPTION")
        }
        "REINDEX" => {
            let kind = words.iter().position(|w| {
                matches!(
                    w.as_str(),
                    "INDEX" | "TABLE" | "SCHEMA" | "DATABASE" | "SYSTEM"
                )
            });
            match kind {
                Some(at) => {
                    matches!(word(at), "SCHEMA" | "DATABASE" | "SYSTEM")
                        || word(at + 1) == "CONCURRENTLY"
                }
                None => false,
            }
        }
        "ALTER" => match word(1) {
            "TYPE" => followed_by("ADD", "VALUE"),
            "SYSTEM" => true,
            "DATABASE" => followed_by("SET", "TABLESPACE"),
            "TABLE" => followed_by("DETACH", "PARTITION") && has("CONCURRENTLY"),
            _ => false,
        },
        "VACUUM" => true,
        "CLUSTER" => words.len() == 1 || (words.len() == 2 && word(1) == "VERBOSE"),
        "DISCARD" => word(1) == "ALL",
        "COMMIT" | "ROLLBACK" => word(1) == "PREPARED",
        _ => false,
    }
}

/// The version table, compatible with Alembic's: `alembic_version (version_num VARCHAR(32))`
/// with one row per applied head.
///
/// Each method returns the statement with parameters; [`Statement::render_offline`] gives
/// exactly what Alembic prints with `--sql`:
///
/// ```
/// use migration_runtime::dialect::{Postgres, VersionTable};
///
/// let table = VersionTable::default();
/// assert_eq!(
///     table.update(&Postgres, "a", "b").render_offline(&Postgres),
///     "UPDATE alembic_version SET version_num='b' WHERE alembic_version.version_num = 'a'"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTable {
    /// The table's schema; `None` uses the search path.
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
}

impl Default for VersionTable {
    fn default() -> VersionTable {
        VersionTable {
            schema: None,
            name: "alembic_version".to_owned(),
        }
    }
}

impl VersionTable {
    /// The table `name` in `schema`.
    pub fn new(schema: Option<&str>, name: &str) -> VersionTable {
        VersionTable {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    /// The table, schema-qualified where a schema is set, quoted as needed.
    pub fn qualified_name(&self, dialect: &dyn Dialect) -> String {
        let name = dialect.quote_identifier(&self.name);
        match &self.schema {
            Some(schema) => format!("{}.{name}", dialect.quote_identifier(schema)),
            None => name,
        }
    }

    /// `CREATE TABLE alembic_version (...)`, with the primary key named `<table>_pkc`.
    pub fn create_table(&self, dialect: &dyn Dialect) -> Statement {
        Statement::new(format!(
            "CREATE TABLE {} (\n    version_num VARCHAR(32) NOT NULL,\n    CONSTRAINT {} PRIMARY KEY (version_num)\n)",
            self.qualified_name(dialect),
            dialect.quote_identifier(&format!("{}_pkc", self.name)),
        ))
    }

    /// `CREATE TABLE IF NOT EXISTS alembic_version (...)`, for online runs where another
    /// process may create it first.
    pub fn create_table_if_not_exists(&self, dialect: &dyn Dialect) -> Statement {
        let mut statement = self.create_table(dialect);
        statement.sql = statement
            .sql
            .replacen("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1);
        statement
    }

    /// `SELECT alembic_version.version_num FROM alembic_version`.
    pub fn select(&self, dialect: &dyn Dialect) -> Statement {
        let table = self.qualified_name(dialect);
        Statement::new(format!("SELECT {table}.version_num FROM {table}"))
    }

    /// Inserts a head: `INSERT INTO alembic_version (version_num) VALUES ('x')`, with
    /// `RETURNING alembic_version.version_num` where SQLAlchemy adds it (PostgreSQL).
    pub fn insert(&self, dialect: &dyn Dialect, version: &str) -> Statement {
        let table = self.qualified_name(dialect);
        let mut sql = format!(
            "INSERT INTO {table} (version_num) VALUES ({})",
            dialect.placeholder(1)
        );
        if dialect.insert_returning() {
            sql.push_str(&format!(" RETURNING {table}.version_num"));
        }
        Statement::with_params(sql, vec![Value::Text(version.to_owned())])
    }

    /// Moves a head: `UPDATE alembic_version SET version_num='to' WHERE
    /// alembic_version.version_num = 'from'`.
    pub fn update(&self, dialect: &dyn Dialect, from: &str, to: &str) -> Statement {
        let table = self.qualified_name(dialect);
        Statement::with_params(
            format!(
                "UPDATE {table} SET version_num={} WHERE {table}.version_num = {}",
                dialect.placeholder(1),
                dialect.placeholder(2)
            ),
            vec![Value::Text(to.to_owned()), Value::Text(from.to_owned())],
        )
    }

    /// Removes a head: `DELETE FROM alembic_version WHERE alembic_version.version_num = 'x'`.
    pub fn delete(&self, dialect: &dyn Dialect, version: &str) -> Statement {
        let table = self.qualified_name(dialect);
        Statement::with_params(
            format!(
                "DELETE FROM {table} WHERE {table}.version_num = {}",
                dialect.placeholder(1)
            ),
            vec![Value::Text(version.to_owned())],
        )
    }
}

//! Operations: what revision files ask for, recorded as values.
//!
//! A revision's `upgrade(op: &mut Op)` does not touch the database: it records
//! [`Operation`]s. The migrator turns them into SQL through a
//! [`Dialect`](crate::dialect::Dialect), runs them online or prints them with `--sql`, so the
//! same revision serves both.
//!
//! ```
//! use migration_runtime::prelude::*;
//!
//! fn upgrade(op: &mut Op) {
//!     op.create_table("account", [
//!         Column::new("id", Type::BigInt).identity(Identity::always()).primary_key(),
//!         Column::new("email", Type::varchar(200)).not_null().unique(),
//!         Column::new("created_at", Type::TimestampTz).not_null().server_default("now()"),
//!     ])
//!     .comment("one row per customer");
//!     op.create_index("account", ["created_at"]).concurrently();
//! }
//!
//! let mut op = Op::new();
//! upgrade(&mut op);
//! let operations = op.finish().unwrap();
//! assert_eq!(operations.len(), 2);
//! ```
//!
//! Recording never fails and never panics. Mistakes (an empty table name, a column declared
//! twice, a foreign key naming no columns) are reported by [`Op::finish`], which also names
//! unnamed constraints and indexes from the [`NamingConvention`]; the dialect then rejects
//! what it cannot express. Either way the error names the operation, before anything
//! reaches the database.

use std::collections::HashSet;

use crate::schema::{
    CheckConstraint, Column, Constraint, ForeignKey, IndexElement, IndexMethod, Name, NameContext,
    NamedKind, NamingConvention, PrimaryKey, SequenceOptions, ServerDefault, Type,
    UniqueConstraint,
};

/// A value for a bound parameter ([`Op::execute_with`]) or a row of [`Op::bulk_insert`].
///
/// Online, values are bound as parameters in PostgreSQL's text format, so the server
/// converts them to whatever type the statement needs (a [`Value::Text`] can fill a `date`
/// column). Offline they are rendered as SQL literals: the same text, quoted, so the script
/// means the same thing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer, for any integer column (and numeric ones).
    Int(i64),
    /// A floating-point number; NaN and the infinities are allowed.
    Float(f64),
    /// An exact decimal written as text: `"12.50"`.
    Numeric(String),
    /// Text.
    Text(String),
    /// Binary data, for `bytea`.
    Bytes(Vec<u8>),
    /// JSON text, for `json` and `jsonb`.
    Json(String),
    /// A UUID, as its 128-bit number (`uuid::Uuid::as_u128`).
    Uuid(u128),
    /// A date in PostgreSQL's input format: `"2024-01-31"`.
    Date(String),
    /// A time of day: `"13:45:00"`.
    Time(String),
    /// A timestamp without time zone: `"2024-01-31 13:45:00"`.
    Timestamp(String),
    /// A timestamp with time zone: `"2024-01-31 13:45:00+00"`.
    TimestampTz(String),
    /// An interval: `"1 day 02:00:00"`.
    Interval(String),
    /// An array; elements may be arrays themselves for more dimensions.
    Array(Vec<Value>),
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<i16> for Value {
    fn from(value: i16) -> Value {
        Value::Int(value.into())
    }
}

impl From<i32> for Value {
    fn from(value: i32) -> Value {
        Value::Int(value.into())
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(value)
    }
}

impl From<f32> for Value {
    fn from(value: f32) -> Value {
        Value::Float(value.into())
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Float(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(value.to_owned())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(value)
    }
}

impl From<Vec<u8>> for Value {
    fn from(value: Vec<u8>) -> Value {
        Value::Bytes(value)
    }
}

impl From<&[u8]> for Value {
    fn from(value: &[u8]) -> Value {
        Value::Bytes(value.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// An operation that failed validation, naming the operation; the migrator adds the
/// revision.
///
/// Displayed as `create_table 'account': column 'id' is declared twice`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{operation}: {kind}")]
#[non_exhaustive]
pub struct OpError {
    /// The operation, as `create_table 'app.account'`.
    pub operation: String,
    /// What is wrong with it.
    pub kind: OpErrorKind,
}

impl OpError {
    /// An error about `operation`.
    pub fn new(operation: &Operation, kind: OpErrorKind) -> OpError {
        OpError {
            operation: operation.describe(),
            kind,
        }
    }
}

/// What is wrong with an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpErrorKind {
    /// A required name is empty.
    #[error("empty {0} name")]
    EmptyName(&'static str),
    /// A table declares a column twice, or a bulk insert lists one twice.
    #[error("column '{0}' is declared twice")]
    DuplicateColumn(String),
    /// A constraint, index or insert lists no columns.
    #[error("{0} names no columns")]
    NoColumns(&'static str),
    /// A foreign key's column lists differ in length.
    #[error("foreign key has {columns} columns but refers to {referred}")]
    ColumnCountMismatch {
        /// Local columns.
        columns: usize,
        /// Referenced columns.
        referred: usize,
    },
    /// A constraint in `create_table` names a column the table does not declare.
    #[error("{constraint} names column '{column}', which the table does not declare")]
    UnknownColumn {
        /// The kind of constraint.
        constraint: &'static str,
        /// The column.
        column: String,
    },
    /// More than one primary key.
    #[error("the table declares more than one primary key")]
    MultiplePrimaryKeys,
    /// A check constraint with an empty condition.
    #[error("check constraint has an empty condition")]
    EmptyCondition,
    /// An enum value listed twice.
    #[error("enum value '{0}' is listed twice")]
    DuplicateValue(String),
    /// `using` given to `alter_column` without a new type.
    #[error("using needs a new type (set_type)")]
    UsingWithoutType,
    /// A sequence incrementing by zero.
    #[error("sequence increment must not be zero")]
    ZeroIncrement,
    /// A bulk-insert row of the wrong length.
    #[error("row {row} has {values} values for {columns} columns")]
    RowLength {
        /// The row, counted from 1.
        row: usize,
        /// Values in the row.
        values: usize,
        /// Columns of the insert.
        columns: usize,
    },
    /// The naming convention cannot name a constraint or index.
    #[error("{0}")]
    NamingConvention(String),
    /// A type the dialect cannot express.
    #[error("{dialect} cannot express type {ty}: {reason}")]
    UnsupportedType {
        /// The type, as generic SQL.
        ty: String,
        /// The dialect's name.
        dialect: &'static str,
        /// Why not.
        reason: String,
    },
    /// An identifier longer than the dialect allows.
    #[error("identifier '{name}' is {len} bytes long; {dialect} allows at most {max}")]
    IdentifierTooLong {
        /// The identifier.
        name: String,
        /// Its length in bytes.
        len: usize,
        /// The dialect's name.
        dialect: &'static str,
        /// The dialect's limit.
        max: usize,
    },
    /// `execute_with` parameters that do not match the placeholders.
    #[error("the SQL uses {used} parameters but {given} were given")]
    ParamCount {
        /// The highest placeholder number in the SQL.
        used: usize,
        /// Parameters given.
        given: usize,
    },
    /// `execute_with` SQL holding several statements.
    #[error("parameters need exactly one statement; the SQL holds {0}")]
    ParamsNeedOneStatement(usize),
    /// Options that cannot go together, and similar.
    #[error("{0}")]
    Invalid(String),
}

/// One recorded change: the value revisions and autogenerate produce, dialects render and
/// the renderer writes back as Rust.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "a revision records a handful of operations; boxed payloads would make every match and builder clumsier"
)]
pub enum Operation {
    /// Raw SQL: any number of statements, or one statement with `$1`-style parameters.
    Execute {
        /// The SQL text.
        sql: String,
        /// Values for `$1`, `$2`, ...; empty for none.
        params: Vec<Value>,
    },
    /// Operations run outside the migration's transaction, each statement committing on
    /// its own (Alembic's `autocommit_block`).
    AutocommitBlock(Vec<Operation>),
    /// `CREATE TABLE`.
    CreateTable(CreateTable),
    /// `DROP TABLE`.
    DropTable(DropTable),
    /// `ALTER TABLE ... RENAME TO`.
    RenameTable(RenameTable),
    /// `COMMENT ON TABLE`.
    TableComment(TableComment),
    /// `ALTER TABLE ... ADD COLUMN`.
    AddColumn(AddColumn),
    /// `ALTER TABLE ... DROP COLUMN`.
    DropColumn(DropColumn),
    /// `ALTER TABLE ... ALTER COLUMN` and friends.
    AlterColumn(AlterColumn),
    /// `CREATE INDEX`.
    CreateIndex(CreateIndex),
    /// `DROP INDEX`.
    DropIndex(DropIndex),
    /// `ALTER TABLE ... ADD CONSTRAINT`.
    AddConstraint(AddConstraint),
    /// `ALTER TABLE ... DROP CONSTRAINT`.
    DropConstraint(DropConstraint),
    /// `CREATE TYPE ... AS ENUM`.
    CreateEnum(CreateEnum),
    /// `DROP TYPE`.
    DropEnum(DropEnum),
    /// `ALTER TYPE ... ADD VALUE`.
    AddEnumValue(AddEnumValue),
    /// `ALTER TYPE ... RENAME VALUE`.
    RenameEnumValue(RenameEnumValue),
    /// `CREATE SEQUENCE`.
    CreateSequence(CreateSequence),
    /// `DROP SEQUENCE`.
    DropSequence(DropSequence),
    /// `CREATE SCHEMA`.
    CreateSchema(CreateSchema),
    /// `DROP SCHEMA`.
    DropSchema(DropSchema),
    /// `CREATE EXTENSION`.
    CreateExtension(CreateExtension),
    /// `DROP EXTENSION`.
    DropExtension(DropExtension),
    /// `INSERT` of rows of values.
    BulkInsert(BulkInsert),
}

/// `schema.name`, or `name`, for messages.
fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_owned(),
    }
}

impl Operation {
    /// The operation as Alembic would call it, with its target: `create_table 'app.account'`,
    /// `add_column 'account.email'`, `create_index on 'account'`.
    pub fn describe(&self) -> String {
        match self {
            Operation::Execute { .. } => "execute".to_owned(),
            Operation::AutocommitBlock(_) => "autocommit_block".to_owned(),
            Operation::CreateTable(t) => {
                format!("create_table '{}'", qualified(t.schema.as_deref(), &t.name))
            }
            Operation::DropTable(t) => {
                format!("drop_table '{}'", qualified(t.schema.as_deref(), &t.name))
            }
            Operation::RenameTable(t) => {
                format!("rename_table '{}'", qualified(t.schema.as_deref(), &t.name))
            }
            Operation::TableComment(t) => format!(
                "{} '{}'",
                if t.comment.is_some() {
                    "create_table_comment"
                } else {
                    "drop_table_comment"
                },
                qualified(t.schema.as_deref(), &t.table)
            ),
            Operation::AddColumn(c) => format!(
                "add_column '{}.{}'",
                qualified(c.schema.as_deref(), &c.table),
                c.column.name
            ),
            Operation::DropColumn(c) => format!(
                "drop_column '{}.{}'",
                qualified(c.schema.as_deref(), &c.table),
                c.column
            ),
            Operation::AlterColumn(c) => format!(
                "alter_column '{}.{}'",
                qualified(c.schema.as_deref(), &c.table),
                c.column
            ),
            Operation::CreateIndex(i) => {
                format!(
                    "create_index on '{}'",
                    qualified(i.schema.as_deref(), &i.table)
                )
            }
            Operation::DropIndex(i) => format!(
                "drop_index '{}'",
                qualified(i.schema.as_deref(), i.name.as_str())
            ),
            Operation::AddConstraint(c) => format!(
                "{} on '{}'",
                match c.constraint {
                    Constraint::PrimaryKey(_) => "create_primary_key",
                    Constraint::Unique(_) => "create_unique_constraint",
                    Constraint::ForeignKey(_) => "create_foreign_key",
                    Constraint::Check(_) => "create_check_constraint",
                },
                qualified(c.schema.as_deref(), &c.table)
            ),
            Operation::DropConstraint(c) => format!(
                "drop_constraint '{}' on '{}'",
                c.name.as_str(),
                qualified(c.schema.as_deref(), &c.table)
            ),
            Operation::CreateEnum(e) => {
                format!("create_enum '{}'", qualified(e.schema.as_deref(), &e.name))
            }
            Operation::DropEnum(e) => {
                format!("drop_enum '{}'", qualified(e.schema.as_deref(), &e.name))
            }
            Operation::AddEnumValue(e) => {
                format!(
                    "add_enum_value '{}'",
                    qualified(e.schema.as_deref(), &e.name)
                )
            }
            Operation::RenameEnumValue(e) => format!(
                "rename_enum_value '{}'",
                qualified(e.schema.as_deref(), &e.name)
            ),
            Operation::CreateSequence(s) => {
                format!(
                    "create_sequence '{}'",
                    qualified(s.schema.as_deref(), &s.name)
                )
            }
            Operation::DropSequence(s) => {
                format!(
                    "drop_sequence '{}'",
                    qualified(s.schema.as_deref(), &s.name)
                )
            }
            Operation::CreateSchema(s) => format!("create_schema '{}'", s.name),
            Operation::DropSchema(s) => format!("drop_schema '{}'", s.name),
            Operation::CreateExtension(e) => format!("create_extension '{}'", e.name),
            Operation::DropExtension(e) => format!("drop_extension '{}'", e.name),
            Operation::BulkInsert(b) => {
                format!("bulk_insert '{}'", qualified(b.schema.as_deref(), &b.table))
            }
        }
    }

    /// Checks what every dialect needs: names present, columns declared once, constraints
    /// that name columns, rows as long as the column list. Dialects check the rest (types
    /// they cannot express, identifier lengths).
    ///
    /// # Errors
    ///
    /// The first problem found, naming this operation.
    pub fn validate(&self) -> Result<(), OpError> {
        self.check().map_err(|kind| OpError::new(self, kind))
    }

    fn check(&self) -> Result<(), OpErrorKind> {
        match self {
            Operation::Execute { .. } => Ok(()),
            // Inner operations report themselves; see `Op::finish`.
            Operation::AutocommitBlock(_) => Ok(()),
            Operation::CreateTable(t) => t.check(),
            Operation::DropTable(t) => {
                schema_name(t.schema.as_deref())?;
                non_empty("table", &t.name)
            }
            Operation::RenameTable(t) => {
                schema_name(t.schema.as_deref())?;
                non_empty("table", &t.name)?;
                non_empty("new table", &t.new_name)
            }
            Operation::TableComment(t) => {
                schema_name(t.schema.as_deref())?;
                non_empty("table", &t.table)
            }
            Operation::AddColumn(c) => {
                schema_name(c.schema.as_deref())?;
                non_empty("table", &c.table)?;
                check_column(&c.column)?;
                let columns = [c.column.name.clone()];
                for constraint in &c.constraints {
                    check_constraint(constraint, Some(&columns))?;
                }
                Ok(())
            }
            Operation::DropColumn(c) => {
                schema_name(c.schema.as_deref())?;
                non_empty("table", &c.table)?;
                non_empty("column", &c.column)
            }
            Operation::AlterColumn(c) => {
                schema_name(c.schema.as_deref())?;
                non_empty("table", &c.table)?;
                non_empty("column", &c.column)?;
                if let Some(new_name) = &c.new_name {
                    non_empty("new column", new_name)?;
                }
                if c.using.is_some() && c.new_type.is_none() {
                    return Err(OpErrorKind::UsingWithoutType);
                }
                Ok(())
            }
            Operation::CreateIndex(i) => {
                schema_name(i.schema.as_deref())?;
                non_empty("table", &i.table)?;
                if let Some(name) = &i.name {
                    non_empty("index", name.as_str())?;
                }
                if i.elements.is_empty() {
                    return Err(OpErrorKind::NoColumns("index"));
                }
                for element in &i.elements {
                    match element {
                        IndexElement::Column(column) => non_empty("column", column)?,
                        IndexElement::Expression(sql) => non_empty("index expression", sql)?,
                    }
                }
                for column in &i.include {
                    non_empty("included column", column)?;
                }
                Ok(())
            }
            Operation::DropIndex(i) => {
                schema_name(i.schema.as_deref())?;
                non_empty("index", i.name.as_str())?;
                if i.concurrently && i.cascade {
                    return Err(OpErrorKind::Invalid(
                        "concurrently cannot be combined with cascade".to_owned(),
                    ));
                }
                Ok(())
            }
            Operation::AddConstraint(c) => {
                schema_name(c.schema.as_deref())?;
                non_empty("table", &c.table)?;
                check_constraint(&c.constraint, None)
            }
            Operation::DropConstraint(c) => {
                schema_name(c.schema.as_deref())?;
                non_empty("table", &c.table)?;
                non_empty("constraint", c.name.as_str())
            }
            Operation::CreateEnum(e) => {
                schema_name(e.schema.as_deref())?;
                non_empty("enum", &e.name)?;
                let mut seen = HashSet::new();
                for value in &e.values {
                    non_empty("enum value", value)?;
                    if !seen.insert(value) {
                        return Err(OpErrorKind::DuplicateValue(value.clone()));
                    }
                }
                Ok(())
            }
            Operation::DropEnum(e) => {
                schema_name(e.schema.as_deref())?;
                non_empty("enum", &e.name)
            }
            Operation::AddEnumValue(e) => {
                schema_name(e.schema.as_deref())?;
                non_empty("enum", &e.name)?;
                non_empty("enum value", &e.value)?;
                match &e.position {
                    Some(EnumValuePosition::Before(v) | EnumValuePosition::After(v)) => {
                        non_empty("enum value", v)
                    }
                    None => Ok(()),
                }
            }
            Operation::RenameEnumValue(e) => {
                schema_name(e.schema.as_deref())?;
                non_empty("enum", &e.name)?;
                non_empty("enum value", &e.value)?;
                non_empty("enum value", &e.new_value)
            }
            Operation::CreateSequence(s) => {
                schema_name(s.schema.as_deref())?;
                non_empty("sequence", &s.name)?;
                if s.options.increment == Some(0) {
                    return Err(OpErrorKind::ZeroIncrement);
                }
                Ok(())
            }
            Operation::DropSequence(s) => {
                schema_name(s.schema.as_deref())?;
                non_empty("sequence", &s.name)
            }
            Operation::CreateSchema(s) => non_empty("schema", &s.name),
            Operation::DropSchema(s) => non_empty("schema", &s.name),
            Operation::CreateExtension(e) => {
                schema_name(e.schema.as_deref())?;
                non_empty("extension", &e.name)
            }
            Operation::DropExtension(e) => non_empty("extension", &e.name),
            Operation::BulkInsert(b) => {
                schema_name(b.schema.as_deref())?;
                non_empty("table", &b.table)?;
                if b.columns.is_empty() {
                    return Err(OpErrorKind::NoColumns("bulk insert"));
                }
                let mut seen = HashSet::new();
                for column in &b.columns {
                    non_empty("column", column)?;
                    if !seen.insert(column) {
                        return Err(OpErrorKind::DuplicateColumn(column.clone()));
                    }
                }
                for (i, row) in b.rows.iter().enumerate() {
                    if row.len() != b.columns.len() {
                        return Err(OpErrorKind::RowLength {
                            row: i + 1,
                            values: row.len(),
                            columns: b.columns.len(),
                        });
                    }
                }
                Ok(())
            }
        }
    }
}

fn non_empty(what: &'static str, name: &str) -> Result<(), OpErrorKind> {
    if name.is_empty() {
        Err(OpErrorKind::EmptyName(what))
    } else {
        Ok(())
    }
}

fn schema_name(schema: Option<&str>) -> Result<(), OpErrorKind> {
    match schema {
        Some(schema) => non_empty("schema", schema),
        None => Ok(()),
    }
}

fn check_column(column: &Column) -> Result<(), OpErrorKind> {
    non_empty("column", &column.name)?;
    if let Type::Enum { schema, name } = &column.ty {
        schema_name(schema.as_deref())?;
        non_empty("enum", name)?;
    }
    if let Some(unique) = &column.unique {
        check_constraint(&Constraint::Unique(unique.clone()), None)?;
    }
    if let Some(foreign_key) = &column.foreign_key {
        check_constraint(&Constraint::ForeignKey(foreign_key.clone()), None)?;
    }
    Ok(())
}

/// Checks one constraint; with `table_columns`, also that it names only those columns.
fn check_constraint(
    constraint: &Constraint,
    table_columns: Option<&[String]>,
) -> Result<(), OpErrorKind> {
    if let Some(name) = constraint.name() {
        non_empty("constraint", name.as_str())?;
    }
    match constraint {
        Constraint::Check(check) => {
            if check.condition.trim().is_empty() {
                return Err(OpErrorKind::EmptyCondition);
            }
        }
        Constraint::ForeignKey(fk) => {
            if fk.columns.is_empty() {
                return Err(OpErrorKind::NoColumns("foreign key"));
            }
            schema_name(fk.referred_schema.as_deref())?;
            non_empty("referred table", &fk.referred_table)?;
            if !fk.referred_columns.is_empty() && fk.referred_columns.len() != fk.columns.len() {
                return Err(OpErrorKind::ColumnCountMismatch {
                    columns: fk.columns.len(),
                    referred: fk.referred_columns.len(),
                });
            }
            for column in &fk.referred_columns {
                non_empty("referred column", column)?;
            }
        }
        Constraint::PrimaryKey(_) | Constraint::Unique(_) => {
            if constraint.columns().is_empty() {
                return Err(OpErrorKind::NoColumns(constraint.kind()));
            }
        }
    }
    for column in constraint.columns() {
        non_empty("column", column)?;
        if let Some(table_columns) = table_columns
            && !table_columns.contains(column)
        {
            return Err(OpErrorKind::UnknownColumn {
                constraint: constraint.kind(),
                column: column.clone(),
            });
        }
    }
    Ok(())
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreateTable {
    /// The table's schema; `None` uses the search path.
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Table constraints, in order. [`Op::finish`] moves the column-level ones here (the
    /// primary key first, the others after the table-level ones), as SQLAlchemy orders them.
    pub constraints: Vec<Constraint>,
    /// The table's comment.
    pub comment: Option<String>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

impl CreateTable {
    /// A table with these columns, in the search path's schema.
    pub fn new(name: impl Into<String>, columns: impl IntoIterator<Item = Column>) -> CreateTable {
        CreateTable {
            schema: None,
            name: name.into(),
            columns: columns.into_iter().collect(),
            constraints: Vec::new(),
            comment: None,
            if_not_exists: false,
        }
    }

    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// The table's comment.
    pub fn comment(&mut self, comment: impl Into<String>) -> &mut Self {
        self.comment = Some(comment.into());
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }

    /// Adds a table constraint: a [`PrimaryKey`], [`UniqueConstraint`], [`ForeignKey`] or
    /// [`CheckConstraint`].
    pub fn constraint(&mut self, constraint: impl Into<Constraint>) -> &mut Self {
        self.constraints.push(constraint.into());
        self
    }

    /// Moves column-level constraints into [`CreateTable::constraints`] in SQLAlchemy's order:
    /// the primary key first, then the table-level constraints as declared, then each
    /// column's unique constraint and foreign key, column by column. Running it twice
    /// changes nothing.
    pub fn normalize(&mut self) {
        let has_primary_key = self
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::PrimaryKey(_)));
        let key_columns: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect();
        if !has_primary_key && !key_columns.is_empty() {
            self.constraints
                .insert(0, Constraint::PrimaryKey(PrimaryKey::new(key_columns)));
        } else if let Some(at) = self
            .constraints
            .iter()
            .position(|c| matches!(c, Constraint::PrimaryKey(_)))
        {
            let key = self.constraints.remove(at);
            self.constraints.insert(0, key);
        }
        for column in &mut self.columns {
            if let Some(unique) = column.unique.take() {
                self.constraints.push(Constraint::Unique(unique));
            }
            if let Some(foreign_key) = column.foreign_key.take() {
                self.constraints.push(Constraint::ForeignKey(foreign_key));
            }
        }
    }

    fn check(&self) -> Result<(), OpErrorKind> {
        schema_name(self.schema.as_deref())?;
        non_empty("table", &self.name)?;
        let mut seen = HashSet::new();
        for column in &self.columns {
            check_column(column)?;
            if !seen.insert(&column.name) {
                return Err(OpErrorKind::DuplicateColumn(column.name.clone()));
            }
        }
        let names: Vec<String> = self.columns.iter().map(|c| c.name.clone()).collect();
        let mut primary_keys = 0;
        for constraint in &self.constraints {
            check_constraint(constraint, Some(&names))?;
            if let Constraint::PrimaryKey(key) = constraint {
                primary_keys += 1;
                let flagged_outside = self
                    .columns
                    .iter()
                    .any(|c| c.primary_key && !key.columns.contains(&c.name));
                if flagged_outside {
                    return Err(OpErrorKind::MultiplePrimaryKeys);
                }
            }
        }
        if primary_keys > 1 {
            return Err(OpErrorKind::MultiplePrimaryKeys);
        }
        Ok(())
    }
}

/// `DROP TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropTable {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`: also drop what depends on the table (views, foreign keys).
    pub cascade: bool,
}

impl DropTable {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `ALTER TABLE ... RENAME TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenameTable {
    /// The table's schema; the table stays in it.
    pub schema: Option<String>,
    /// The current name.
    pub name: String,
    /// The new name.
    pub new_name: String,
}

impl RenameTable {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }
}

/// `COMMENT ON TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableComment {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The new comment; `None` removes it.
    pub comment: Option<String>,
}

impl TableComment {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }
}

/// `ALTER TABLE ... ADD COLUMN`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AddColumn {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The new column.
    pub column: Column,
    /// Constraints added with the column, each its own `ALTER TABLE ... ADD`. [`Op::finish`]
    /// moves the column's primary key, unique and foreign key here.
    pub constraints: Vec<Constraint>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

impl AddColumn {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }

    /// Moves the column's primary key, unique constraint and foreign key into
    /// [`AddColumn::constraints`]. Running it twice changes nothing.
    pub fn normalize(&mut self) {
        let column = &mut self.column;
        if column.primary_key
            && !self
                .constraints
                .iter()
                .any(|c| matches!(c, Constraint::PrimaryKey(_)))
        {
            self.constraints
                .push(Constraint::PrimaryKey(PrimaryKey::new([column
                    .name
                    .clone()])));
        }
        if let Some(unique) = column.unique.take() {
            self.constraints.push(Constraint::Unique(unique));
        }
        if let Some(foreign_key) = column.foreign_key.take() {
            self.constraints.push(Constraint::ForeignKey(foreign_key));
        }
    }
}

/// `ALTER TABLE ... DROP COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropColumn {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`.
    pub cascade: bool,
}

impl DropColumn {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// Changes to one column. Each aspect set becomes its own statement, in Alembic's order:
/// type, nullability, default, comment, rename.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AlterColumn {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The column, by its current name.
    pub column: String,
    /// New nullability.
    pub nullable: Option<bool>,
    /// New type.
    pub new_type: Option<Type>,
    /// `USING expression` for the type change.
    pub using: Option<String>,
    /// New server default; `Some(None)` drops it.
    pub server_default: Option<Option<ServerDefault>>,
    /// New comment; `Some(None)` removes it.
    pub comment: Option<Option<String>>,
    /// New name.
    pub new_name: Option<String>,
}

impl AlterColumn {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `SET NOT NULL` (false) or `DROP NOT NULL` (true).
    pub fn nullable(&mut self, nullable: bool) -> &mut Self {
        self.nullable = Some(nullable);
        self
    }

    /// `TYPE new_type`.
    pub fn set_type(&mut self, new_type: Type) -> &mut Self {
        self.new_type = Some(new_type);
        self
    }

    /// `USING expression`, converting existing values to the new type.
    pub fn using(&mut self, expression: impl Into<String>) -> &mut Self {
        self.using = Some(expression.into());
        self
    }

    /// `SET DEFAULT expression`, the SQL used as written.
    pub fn server_default(&mut self, expression: impl Into<String>) -> &mut Self {
        self.server_default = Some(Some(ServerDefault::Expression(expression.into())));
        self
    }

    /// `SET DEFAULT literal`.
    pub fn server_default_value(&mut self, value: impl Into<Value>) -> &mut Self {
        self.server_default = Some(Some(ServerDefault::Value(value.into())));
        self
    }

    /// `DROP DEFAULT`.
    pub fn drop_server_default(&mut self) -> &mut Self {
        self.server_default = Some(None);
        self
    }

    /// `COMMENT ON COLUMN ... IS 'comment'`.
    pub fn comment(&mut self, comment: impl Into<String>) -> &mut Self {
        self.comment = Some(Some(comment.into()));
        self
    }

    /// `COMMENT ON COLUMN ... IS NULL`.
    pub fn drop_comment(&mut self) -> &mut Self {
        self.comment = Some(None);
        self
    }

    /// `RENAME column TO new_name`.
    pub fn rename_to(&mut self, new_name: impl Into<String>) -> &mut Self {
        self.new_name = Some(new_name.into());
        self
    }
}

/// `CREATE INDEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateIndex {
    /// The index's name; `None` lets the naming convention name it.
    pub name: Option<Name>,
    /// The table's schema (the index lives there too).
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// Columns and expressions, in order.
    pub elements: Vec<IndexElement>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `USING method`.
    pub method: Option<IndexMethod>,
    /// `INCLUDE (columns)`.
    pub include: Vec<String>,
    /// `WHERE predicate`: a partial index.
    pub predicate: Option<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub nulls_not_distinct: bool,
    /// `CONCURRENTLY`: builds without blocking writes; runs outside the transaction.
    pub concurrently: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

impl CreateIndex {
    /// Names the index.
    pub fn name(&mut self, name: impl Into<Name>) -> &mut Self {
        self.name = Some(name.into());
        self
    }

    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `UNIQUE`.
    pub fn unique(&mut self) -> &mut Self {
        self.unique = true;
        self
    }

    /// `USING method`.
    pub fn using(&mut self, method: IndexMethod) -> &mut Self {
        self.method = Some(method);
        self
    }

    /// `INCLUDE (columns)`.
    pub fn include<I, S>(&mut self, columns: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include = crate::schema::strings(columns);
        self
    }

    /// `WHERE predicate`, the SQL used as written.
    pub fn where_(&mut self, predicate: impl Into<String>) -> &mut Self {
        self.predicate = Some(predicate.into());
        self
    }

    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub fn nulls_not_distinct(&mut self) -> &mut Self {
        self.nulls_not_distinct = true;
        self
    }

    /// `CONCURRENTLY`.
    pub fn concurrently(&mut self) -> &mut Self {
        self.concurrently = true;
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }
}

/// `DROP INDEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropIndex {
    /// The index's schema.
    pub schema: Option<String>,
    /// The index.
    pub name: Name,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CONCURRENTLY`: runs outside the transaction.
    pub concurrently: bool,
    /// `CASCADE`.
    pub cascade: bool,
}

impl DropIndex {
    /// The index's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CONCURRENTLY`.
    pub fn concurrently(&mut self) -> &mut Self {
        self.concurrently = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `ALTER TABLE ... ADD CONSTRAINT`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddConstraint {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The constraint.
    pub constraint: Constraint,
}

impl AddConstraint {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }
}

/// `ALTER TABLE ... DROP CONSTRAINT`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropConstraint {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The constraint.
    pub name: Name,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`.
    pub cascade: bool,
}

impl DropConstraint {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `CREATE TYPE ... AS ENUM`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateEnum {
    /// The type's schema.
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// The labels, in sort order.
    pub values: Vec<String>,
}

impl CreateEnum {
    /// The type's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }
}

/// `DROP TYPE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropEnum {
    /// The type's schema.
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`: also drop columns of this type.
    pub cascade: bool,
}

impl DropEnum {
    /// The type's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// Where [`AddEnumValue`] puts the new label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValuePosition {
    /// `BEFORE 'label'`.
    Before(String),
    /// `AFTER 'label'`.
    After(String),
}

/// `ALTER TYPE ... ADD VALUE`.
///
/// Runs outside the transaction: PostgreSQL before 12 refuses it inside one, and later
/// versions refuse to use the new label until the transaction commits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddEnumValue {
    /// The type's schema.
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// The new label.
    pub value: String,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `BEFORE` or `AFTER` an existing label; `None` appends.
    pub position: Option<EnumValuePosition>,
}

impl AddEnumValue {
    /// The type's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }

    /// `BEFORE 'label'`.
    pub fn before(&mut self, label: impl Into<String>) -> &mut Self {
        self.position = Some(EnumValuePosition::Before(label.into()));
        self
    }

    /// `AFTER 'label'`.
    pub fn after(&mut self, label: impl Into<String>) -> &mut Self {
        self.position = Some(EnumValuePosition::After(label.into()));
        self
    }
}

/// `ALTER TYPE ... RENAME VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenameEnumValue {
    /// The type's schema.
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// The current label.
    pub value: String,
    /// The new label.
    pub new_value: String,
}

impl RenameEnumValue {
    /// The type's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }
}

/// `CREATE SEQUENCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateSequence {
    /// The sequence's schema.
    pub schema: Option<String>,
    /// The sequence's name.
    pub name: String,
    /// `AS type`: smallint, integer or bigint.
    pub data_type: Option<Type>,
    /// Start, increment, bounds, cache, cycle.
    pub options: SequenceOptions,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

impl CreateSequence {
    /// The sequence's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `AS data_type`.
    pub fn data_type(&mut self, data_type: Type) -> &mut Self {
        self.data_type = Some(data_type);
        self
    }

    /// `START WITH start`.
    pub fn start(&mut self, start: i64) -> &mut Self {
        self.options.start = Some(start);
        self
    }

    /// `INCREMENT BY increment`.
    pub fn increment(&mut self, increment: i64) -> &mut Self {
        self.options.increment = Some(increment);
        self
    }

    /// `MINVALUE min`.
    pub fn min_value(&mut self, min: i64) -> &mut Self {
        self.options.min_value = Some(min);
        self
    }

    /// `MAXVALUE max`.
    pub fn max_value(&mut self, max: i64) -> &mut Self {
        self.options.max_value = Some(max);
        self
    }

    /// `CACHE cache`.
    pub fn cache(&mut self, cache: i64) -> &mut Self {
        self.options.cache = Some(cache);
        self
    }

    /// `CYCLE`.
    pub fn cycle(&mut self) -> &mut Self {
        self.options.cycle = true;
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }
}

/// `DROP SEQUENCE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropSequence {
    /// The sequence's schema.
    pub schema: Option<String>,
    /// The sequence's name.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`.
    pub cascade: bool,
}

impl DropSequence {
    /// The sequence's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `CREATE SCHEMA`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateSchema {
    /// The schema.
    pub name: String,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

impl CreateSchema {
    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }
}

/// `DROP SCHEMA`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropSchema {
    /// The schema.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`: also drop everything in it.
    pub cascade: bool,
}

impl DropSchema {
    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `CREATE EXTENSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateExtension {
    /// The extension.
    pub name: String,
    /// `SCHEMA schema`: where its objects go.
    pub schema: Option<String>,
    /// `VERSION 'version'`.
    pub version: Option<String>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `CASCADE`: also install the extensions it needs.
    pub cascade: bool,
}

impl CreateExtension {
    /// `SCHEMA schema`.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// `VERSION 'version'`.
    pub fn version(&mut self, version: impl Into<String>) -> &mut Self {
        self.version = Some(version.into());
        self
    }

    /// `IF NOT EXISTS`.
    pub fn if_not_exists(&mut self) -> &mut Self {
        self.if_not_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `DROP EXTENSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropExtension {
    /// The extension.
    pub name: String,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `CASCADE`: also drop what depends on it.
    pub cascade: bool,
}

impl DropExtension {
    /// `IF EXISTS`.
    pub fn if_exists(&mut self) -> &mut Self {
        self.if_exists = true;
        self
    }

    /// `CASCADE`.
    pub fn cascade(&mut self) -> &mut Self {
        self.cascade = true;
        self
    }
}

/// `INSERT INTO table (columns) VALUES ...`: rows of values.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BulkInsert {
    /// The table's schema.
    pub schema: Option<String>,
    /// The table.
    pub table: String,
    /// The columns each row fills, in order.
    pub columns: Vec<String>,
    /// The rows; each has one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl BulkInsert {
    /// The table's schema.
    pub fn schema(&mut self, schema: impl Into<String>) -> &mut Self {
        self.schema = Some(schema.into());
        self
    }

    /// Adds a row.
    pub fn row<I>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator,
        I::Item: Into<Value>,
    {
        self.rows.push(values.into_iter().map(Into::into).collect());
        self
    }
}

/// The recorder a revision's `upgrade` and `downgrade` functions receive.
///
/// Each method records one [`Operation`] and returns a handle to it for the optional
/// parts (`.schema("app")`, `.if_exists()`, `.concurrently()`, ...). Nothing is checked
/// while recording; [`Op::finish`] checks and names everything.
#[derive(Debug, Default)]
pub struct Op {
    operations: Vec<Operation>,
    naming_convention: NamingConvention,
}

/// Records an operation and returns a mutable handle to its payload.
macro_rules! record {
    ($op:expr, $variant:ident, $value:expr) => {{
        $op.operations.push(Operation::$variant($value));
        match $op.operations.last_mut() {
            Some(Operation::$variant(recorded)) => recorded,
            _ => unreachable!("the operation was just pushed"),
        }
    }};
}

impl Op {
    /// An empty recorder with the default [`NamingConvention`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty recorder that names constraints and indexes with `convention`.
    pub fn with_naming_convention(convention: NamingConvention) -> Self {
        Op {
            operations: Vec::new(),
            naming_convention: convention,
        }
    }

    /// The naming convention [`Op::finish`] applies.
    pub fn naming_convention(&self) -> &NamingConvention {
        &self.naming_convention
    }

    /// Runs `sql` as given: any number of statements, split on `;` outside quotes and
    /// comments. Statements PostgreSQL refuses inside a transaction
    /// (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE ... ADD VALUE`, `VACUUM`, ...) run outside it.
    pub fn execute(&mut self, sql: impl Into<String>) -> &mut Self {
        self.operations.push(Operation::Execute {
            sql: sql.into(),
            params: Vec::new(),
        });
        self
    }

    /// Runs one statement with bound parameters `$1`, `$2`, ...
    ///
    /// ```
    /// # let mut op = migration_runtime::ops::Op::new();
    /// use migration_runtime::ops::Value;
    /// op.execute_with(
    ///     "UPDATE account SET plan = $1 WHERE plan IS NULL AND created_at < $2",
    ///     [Value::from("free"), Value::Date("2024-01-01".into())],
    /// );
    /// ```
    pub fn execute_with<I>(&mut self, sql: impl Into<String>, params: I) -> &mut Self
    where
        I: IntoIterator,
        I::Item: Into<Value>,
    {
        self.operations.push(Operation::Execute {
            sql: sql.into(),
            params: params.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// Records the operations of `block` to run outside the migration's transaction, each
    /// statement committing on its own (Alembic's `autocommit_block`).
    pub fn autocommit_block(&mut self, block: impl FnOnce(&mut Op)) -> &mut Self {
        let mut inner = Op::with_naming_convention(self.naming_convention.clone());
        block(&mut inner);
        self.operations
            .push(Operation::AutocommitBlock(inner.operations));
        self
    }

    /// Records an operation built elsewhere (Alembic's `op.invoke`).
    pub fn invoke(&mut self, operation: Operation) -> &mut Self {
        self.operations.push(operation);
        self
    }

    /// `CREATE TABLE name (columns)`; add constraints, a schema or a comment on the handle.
    pub fn create_table<I>(&mut self, name: impl Into<String>, columns: I) -> &mut CreateTable
    where
        I: IntoIterator<Item = Column>,
    {
        record!(self, CreateTable, CreateTable::new(name, columns))
    }

    /// `DROP TABLE name`. Enum types its columns use are not dropped.
    pub fn drop_table(&mut self, name: impl Into<String>) -> &mut DropTable {
        record!(
            self,
            DropTable,
            DropTable {
                schema: None,
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// `ALTER TABLE name RENAME TO new_name`.
    pub fn rename_table(
        &mut self,
        name: impl Into<String>,
        new_name: impl Into<String>,
    ) -> &mut RenameTable {
        record!(
            self,
            RenameTable,
            RenameTable {
                schema: None,
                name: name.into(),
                new_name: new_name.into(),
            }
        )
    }

    /// `COMMENT ON TABLE table IS 'comment'`.
    pub fn create_table_comment(
        &mut self,
        table: impl Into<String>,
        comment: impl Into<String>,
    ) -> &mut TableComment {
        record!(
            self,
            TableComment,
            TableComment {
                schema: None,
                table: table.into(),
                comment: Some(comment.into()),
            }
        )
    }

    /// `COMMENT ON TABLE table IS NULL`.
    pub fn drop_table_comment(&mut self, table: impl Into<String>) -> &mut TableComment {
        record!(
            self,
            TableComment,
            TableComment {
                schema: None,
                table: table.into(),
                comment: None,
            }
        )
    }

    /// `ALTER TABLE table ADD COLUMN column`, then its comment and constraints.
    pub fn add_column(&mut self, table: impl Into<String>, column: Column) -> &mut AddColumn {
        record!(
            self,
            AddColumn,
            AddColumn {
                schema: None,
                table: table.into(),
                column,
                constraints: Vec::new(),
                if_not_exists: false,
            }
        )
    }

    /// `ALTER TABLE table DROP COLUMN column`.
    pub fn drop_column(
        &mut self,
        table: impl Into<String>,
        column: impl Into<String>,
    ) -> &mut DropColumn {
        record!(
            self,
            DropColumn,
            DropColumn {
                schema: None,
                table: table.into(),
                column: column.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// Changes `column` of `table`: set what changes on the handle.
    ///
    /// ```
    /// # let mut op = migration_runtime::ops::Op::new();
    /// use migration_runtime::schema::Type;
    /// op.alter_column("account", "balance")
    ///     .set_type(Type::numeric(12, 2))
    ///     .using("balance::numeric(12, 2)")
    ///     .nullable(false);
    /// ```
    pub fn alter_column(
        &mut self,
        table: impl Into<String>,
        column: impl Into<String>,
    ) -> &mut AlterColumn {
        record!(
            self,
            AlterColumn,
            AlterColumn {
                schema: None,
                table: table.into(),
                column: column.into(),
                nullable: None,
                new_type: None,
                using: None,
                server_default: None,
                comment: None,
                new_name: None,
            }
        )
    }

    /// `CREATE INDEX ON table (elements)`, named by the naming convention unless
    /// `.name(..)` says otherwise. Elements are column names or
    /// [`IndexElement::expr`] expressions.
    pub fn create_index<I>(&mut self, table: impl Into<String>, elements: I) -> &mut CreateIndex
    where
        I: IntoIterator,
        I::Item: Into<IndexElement>,
    {
        record!(
            self,
            CreateIndex,
            CreateIndex {
                name: None,
                schema: None,
                table: table.into(),
                elements: elements.into_iter().map(Into::into).collect(),
                unique: false,
                method: None,
                include: Vec::new(),
                predicate: None,
                nulls_not_distinct: false,
                concurrently: false,
                if_not_exists: false,
            }
        )
    }

    /// `DROP INDEX name`.
    pub fn drop_index(&mut self, name: impl Into<Name>) -> &mut DropIndex {
        record!(
            self,
            DropIndex,
            DropIndex {
                schema: None,
                name: name.into(),
                if_exists: false,
                concurrently: false,
                cascade: false,
            }
        )
    }

    /// `ALTER TABLE table ADD CONSTRAINT ... PRIMARY KEY (...)`.
    pub fn create_primary_key(
        &mut self,
        table: impl Into<String>,
        primary_key: PrimaryKey,
    ) -> &mut AddConstraint {
        self.add_constraint(table, primary_key)
    }

    /// `ALTER TABLE table ADD CONSTRAINT ... UNIQUE (...)`.
    pub fn create_unique_constraint(
        &mut self,
        table: impl Into<String>,
        unique: UniqueConstraint,
    ) -> &mut AddConstraint {
        self.add_constraint(table, unique)
    }

    /// `ALTER TABLE table ADD CONSTRAINT ... FOREIGN KEY (...) REFERENCES ...`.
    pub fn create_foreign_key(
        &mut self,
        table: impl Into<String>,
        foreign_key: ForeignKey,
    ) -> &mut AddConstraint {
        self.add_constraint(table, foreign_key)
    }

    /// `ALTER TABLE table ADD CONSTRAINT ... CHECK (...)`.
    pub fn create_check_constraint(
        &mut self,
        table: impl Into<String>,
        check: CheckConstraint,
    ) -> &mut AddConstraint {
        self.add_constraint(table, check)
    }

    /// `ALTER TABLE table ADD CONSTRAINT ...`, for any kind of constraint.
    pub fn add_constraint(
        &mut self,
        table: impl Into<String>,
        constraint: impl Into<Constraint>,
    ) -> &mut AddConstraint {
        record!(
            self,
            AddConstraint,
            AddConstraint {
                schema: None,
                table: table.into(),
                constraint: constraint.into(),
            }
        )
    }

    /// `ALTER TABLE table DROP CONSTRAINT name`. The argument order is Alembic's.
    pub fn drop_constraint(
        &mut self,
        name: impl Into<Name>,
        table: impl Into<String>,
    ) -> &mut DropConstraint {
        record!(
            self,
            DropConstraint,
            DropConstraint {
                schema: None,
                table: table.into(),
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// `CREATE TYPE name AS ENUM (values)`.
    pub fn create_enum<I, S>(&mut self, name: impl Into<String>, values: I) -> &mut CreateEnum
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        record!(
            self,
            CreateEnum,
            CreateEnum {
                schema: None,
                name: name.into(),
                values: crate::schema::strings(values),
            }
        )
    }

    /// `DROP TYPE name`.
    pub fn drop_enum(&mut self, name: impl Into<String>) -> &mut DropEnum {
        record!(
            self,
            DropEnum,
            DropEnum {
                schema: None,
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// `ALTER TYPE name ADD VALUE 'value'`; runs outside the transaction.
    pub fn add_enum_value(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> &mut AddEnumValue {
        record!(
            self,
            AddEnumValue,
            AddEnumValue {
                schema: None,
                name: name.into(),
                value: value.into(),
                if_not_exists: false,
                position: None,
            }
        )
    }

    /// `ALTER TYPE name RENAME VALUE 'value' TO 'new_value'`.
    pub fn rename_enum_value(
        &mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        new_value: impl Into<String>,
    ) -> &mut RenameEnumValue {
        record!(
            self,
            RenameEnumValue,
            RenameEnumValue {
                schema: None,
                name: name.into(),
                value: value.into(),
                new_value: new_value.into(),
            }
        )
    }

    /// `CREATE SEQUENCE name`; set options on the handle.
    pub fn create_sequence(&mut self, name: impl Into<String>) -> &mut CreateSequence {
        record!(
            self,
            CreateSequence,
            CreateSequence {
                schema: None,
                name: name.into(),
                data_type: None,
                options: SequenceOptions::default(),
                if_not_exists: false,
            }
        )
    }

    /// `DROP SEQUENCE name`.
    pub fn drop_sequence(&mut self, name: impl Into<String>) -> &mut DropSequence {
        record!(
            self,
            DropSequence,
            DropSequence {
                schema: None,
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// `CREATE SCHEMA name`.
    pub fn create_schema(&mut self, name: impl Into<String>) -> &mut CreateSchema {
        record!(
            self,
            CreateSchema,
            CreateSchema {
                name: name.into(),
                if_not_exists: false,
            }
        )
    }

    /// `DROP SCHEMA name`.
    pub fn drop_schema(&mut self, name: impl Into<String>) -> &mut DropSchema {
        record!(
            self,
            DropSchema,
            DropSchema {
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// `CREATE EXTENSION name`; usually with `.if_not_exists()`, as extensions are shared
    /// by the whole database.
    pub fn create_extension(&mut self, name: impl Into<String>) -> &mut CreateExtension {
        record!(
            self,
            CreateExtension,
            CreateExtension {
                name: name.into(),
                schema: None,
                version: None,
                if_not_exists: false,
                cascade: false,
            }
        )
    }

    /// `DROP EXTENSION name`.
    pub fn drop_extension(&mut self, name: impl Into<String>) -> &mut DropExtension {
        record!(
            self,
            DropExtension,
            DropExtension {
                name: name.into(),
                if_exists: false,
                cascade: false,
            }
        )
    }

    /// Inserts `rows` into `columns` of `table`.
    ///
    /// Online the values are bound as parameters; offline they are rendered as literals.
    /// Rows go in multi-row `INSERT`s of up to 1,000 rows each.
    ///
    /// ```
    /// # let mut op = migration_runtime::ops::Op::new();
    /// use migration_runtime::ops::Value;
    /// op.bulk_insert(
    ///     "plan",
    ///     ["id", "name", "price"],
    ///     [
    ///         [Value::from(1), Value::from("free"), Value::Numeric("0".into())],
    ///         [Value::from(2), Value::from("pro"), Value::Numeric("9.90".into())],
    ///     ],
    /// );
    /// ```
    pub fn bulk_insert<C, S, R, V>(
        &mut self,
        table: impl Into<String>,
        columns: C,
        rows: R,
    ) -> &mut BulkInsert
    where
        C: IntoIterator<Item = S>,
        S: Into<String>,
        R: IntoIterator<Item = V>,
        V: IntoIterator<Item = Value>,
    {
        record!(
            self,
            BulkInsert,
            BulkInsert {
                schema: None,
                table: table.into(),
                columns: crate::schema::strings(columns),
                rows: rows
                    .into_iter()
                    .map(|row| row.into_iter().collect())
                    .collect(),
            }
        )
    }

    /// The operations recorded so far, in order, as recorded: before validation and
    /// naming (see [`Op::finish`]).
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Takes the recorded operations as recorded, leaving the recorder empty; see
    /// [`Op::finish`] for the checked and named form.
    pub fn into_operations(self) -> Vec<Operation> {
        self.operations
    }

    /// Checks every operation and names unnamed constraints and indexes from the naming
    /// convention; what the migrator calls before rendering any SQL.
    ///
    /// Column-level constraints become table constraints (see [`CreateTable::normalize`]).
    ///
    /// # Errors
    ///
    /// The first invalid operation, in recorded order.
    pub fn finish(self) -> Result<Vec<Operation>, OpError> {
        let convention = self.naming_convention;
        self.operations
            .into_iter()
            .map(|operation| finish_operation(operation, &convention))
            .collect()
    }
}

fn finish_operation(
    mut operation: Operation,
    convention: &NamingConvention,
) -> Result<Operation, OpError> {
    if let Operation::AutocommitBlock(inner) = operation {
        let inner = inner
            .into_iter()
            .map(|operation| finish_operation(operation, convention))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Operation::AutocommitBlock(inner));
    }
    operation.validate()?;
    let named = match &mut operation {
        Operation::CreateTable(table) => {
            table.normalize();
            name_constraints(
                &mut table.constraints,
                table.schema.as_deref(),
                &table.name,
                convention,
            )
        }
        Operation::AddColumn(add) => {
            add.normalize();
            name_constraints(
                &mut add.constraints,
                add.schema.as_deref(),
                &add.table,
                convention,
            )
        }
        Operation::AddConstraint(add) => name_constraints(
            std::slice::from_mut(&mut add.constraint),
            add.schema.as_deref(),
            &add.table,
            convention,
        ),
        Operation::CreateIndex(index) => {
            let columns: Vec<String> = index
                .elements
                .iter()
                .filter_map(|e| match e {
                    IndexElement::Column(c) => Some(c.clone()),
                    IndexElement::Expression(_) => None,
                })
                .collect();
            let context = NameContext {
                schema: index.schema.as_deref(),
                table: &index.table,
                columns: &columns,
                referred_table: None,
                referred_columns: &[],
            };
            convention
                .resolve(NamedKind::Index, index.name.as_ref(), &context)
                .map(|name| index.name = name)
        }
        _ => Ok(()),
    };
    match named {
        Ok(()) => Ok(operation),
        Err(message) => Err(OpError::new(
            &operation,
            OpErrorKind::NamingConvention(message),
        )),
    }
}

fn name_constraints(
    constraints: &mut [Constraint],
    schema: Option<&str>,
    table: &str,
    convention: &NamingConvention,
) -> Result<(), String> {
    for constraint in constraints {
        let (kind, name, columns, referred_table, referred_columns) = match constraint {
            Constraint::PrimaryKey(c) => (
                NamedKind::PrimaryKey,
                &mut c.name,
                &c.columns[..],
                None,
                &[][..],
            ),
            Constraint::Unique(c) => (
                NamedKind::Unique,
                &mut c.name,
                &c.columns[..],
                None,
                &[][..],
            ),
            Constraint::Check(c) => (NamedKind::Check, &mut c.name, &[][..], None, &[][..]),
            Constraint::ForeignKey(c) => (
                NamedKind::ForeignKey,
                &mut c.name,
                &c.columns[..],
                Some(c.referred_table.as_str()),
                &c.referred_columns[..],
            ),
        };
        let context = NameContext {
            schema,
            table,
            columns,
            referred_table,
            referred_columns,
        };
        *name = convention.resolve(kind, name.as_ref(), &context)?;
    }
    Ok(())
}

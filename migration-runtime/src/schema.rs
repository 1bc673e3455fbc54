//! The schema model: column types, columns, constraints, index elements, and the naming
//! convention that names constraints and indexes.
//!
//! These are plain values. Revision code builds them and hands them to [`Op`](crate::ops::Op);
//! a [`Dialect`](crate::dialect::Dialect) turns them into SQL.
//!
//! ```
//! use migration_runtime::schema::{Column, ForeignKey, ReferentialAction, Type};
//!
//! let id = Column::new("id", Type::BigInt).primary_key();
//! let owner = Column::new("owner_id", Type::BigInt)
//!     .not_null()
//!     .references(ForeignKey::to("account", ["id"]).on_delete(ReferentialAction::Cascade));
//! # let _ = (id, owner);
//! ```

use std::fmt;

use crate::ops::Value;

/// A column type.
///
/// The variants cover what PostgreSQL offers most often; [`Type::Raw`] is the escape hatch
/// for anything else (`tsvector`, `TIMESTAMP(3) WITH TIME ZONE`, a domain, ...), written as
/// SQL. Enum types are referenced by name; [`Op::create_enum`](crate::ops::Op::create_enum)
/// creates them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Type {
    /// `SMALLINT` (2 bytes).
    SmallInt,
    /// `INTEGER` (4 bytes).
    Integer,
    /// `BIGINT` (8 bytes).
    BigInt,
    /// `SMALLSERIAL`: a `SMALLINT` filled from a sequence the column owns.
    SmallSerial,
    /// `SERIAL`: an `INTEGER` filled from a sequence the column owns.
    Serial,
    /// `BIGSERIAL`: a `BIGINT` filled from a sequence the column owns.
    BigSerial,
    /// `NUMERIC`, `NUMERIC(p)` or `NUMERIC(p, s)`.
    Numeric {
        /// Total number of digits.
        precision: Option<u32>,
        /// Digits after the decimal point; needs a precision.
        scale: Option<u32>,
    },
    /// `REAL` (4-byte float).
    Real,
    /// `DOUBLE PRECISION` (8-byte float).
    Double,
    /// `BOOLEAN`.
    Boolean,
    /// `VARCHAR` or `VARCHAR(n)`.
    Varchar(Option<u32>),
    /// `TEXT`.
    Text,
    /// `CHAR` or `CHAR(n)`.
    Char(Option<u32>),
    /// `DATE`.
    Date,
    /// `TIME WITHOUT TIME ZONE`.
    Time,
    /// `TIME WITH TIME ZONE`.
    TimeTz,
    /// `TIMESTAMP WITHOUT TIME ZONE`.
    Timestamp,
    /// `TIMESTAMP WITH TIME ZONE`.
    TimestampTz,
    /// `INTERVAL`.
    Interval,
    /// `UUID`.
    Uuid,
    /// `JSON`.
    Json,
    /// `JSONB`.
    Jsonb,
    /// `BYTEA`.
    Bytea,
    /// An array of the element type: `INTEGER[]`.
    Array(Box<Type>),
    /// A named enum type, created with [`Op::create_enum`](crate::ops::Op::create_enum).
    Enum {
        /// The type's schema; `None` uses the search path.
        schema: Option<String>,
        /// The type's name.
        name: String,
    },
    /// A type written as SQL, used exactly as given.
    Raw(String),
}

impl Type {
    /// `NUMERIC(precision, scale)`.
    pub fn numeric(precision: u32, scale: u32) -> Type {
        Type::Numeric {
            precision: Some(precision),
            scale: Some(scale),
        }
    }

    /// `VARCHAR(length)`.
    pub fn varchar(length: u32) -> Type {
        Type::Varchar(Some(length))
    }

    /// `CHAR(length)`.
    pub fn char(length: u32) -> Type {
        Type::Char(Some(length))
    }

    /// An array of `element`.
    pub fn array(element: Type) -> Type {
        Type::Array(Box::new(element))
    }

    /// The enum type `name`, found through the search path.
    pub fn enum_type(name: impl Into<String>) -> Type {
        Type::Enum {
            schema: None,
            name: name.into(),
        }
    }

    /// The enum type `name` in `schema`.
    pub fn enum_type_in(schema: impl Into<String>, name: impl Into<String>) -> Type {
        Type::Enum {
            schema: Some(schema.into()),
            name: name.into(),
        }
    }

    /// A type written as SQL, used exactly as given.
    pub fn raw(sql: impl Into<String>) -> Type {
        Type::Raw(sql.into())
    }
}

/// The type as generic SQL, for messages. Dialects render types themselves.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::SmallInt => f.write_str("SMALLINT"),
            Type::Integer => f.write_str("INTEGER"),
            Type::BigInt => f.write_str("BIGINT"),
            Type::SmallSerial => f.write_str("SMALLSERIAL"),
            Type::Serial => f.write_str("SERIAL"),
            Type::BigSerial => f.write_str("BIGSERIAL"),
            Type::Numeric { precision, scale } => match (precision, scale) {
                (None, None) => f.write_str("NUMERIC"),
                (Some(p), None) => write!(f, "NUMERIC({p})"),
                (Some(p), Some(s)) => write!(f, "NUMERIC({p}, {s})"),
                (None, Some(s)) => write!(f, "NUMERIC(?, {s})"),
            },
            Type::Real => f.write_str("REAL"),
            Type::Double => f.write_str("DOUBLE PRECISION"),
            Type::Boolean => f.write_str("BOOLEAN"),
            Type::Varchar(None) => f.write_str("VARCHAR"),
            Type::Varchar(Some(n)) => write!(f, "VARCHAR({n})"),
            Type::Text => f.write_str("TEXT"),
            Type::Char(None) => f.write_str("CHAR"),
            Type::Char(Some(n)) => write!(f, "CHAR({n})"),
            Type::Date => f.write_str("DATE"),
            Type::Time => f.write_str("TIME WITHOUT TIME ZONE"),
            Type::TimeTz => f.write_str("TIME WITH TIME ZONE"),
            Type::Timestamp => f.write_str("TIMESTAMP WITHOUT TIME ZONE"),
            Type::TimestampTz => f.write_str("TIMESTAMP WITH TIME ZONE"),
            Type::Interval => f.write_str("INTERVAL"),
            Type::Uuid => f.write_str("UUID"),
            Type::Json => f.write_str("JSON"),
            Type::Jsonb => f.write_str("JSONB"),
            Type::Bytea => f.write_str("BYTEA"),
            Type::Array(element) => write!(f, "{element}[]"),
            Type::Enum {
                schema: Some(schema),
                name,
            } => write!(f, "{schema}.{name}"),
            Type::Enum { schema: None, name } => f.write_str(name),
            Type::Raw(sql) => f.write_str(sql),
        }
    }
}

/// A column's server-side default (`DEFAULT ...`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerDefault {
    /// An SQL expression, used as written: `now()`, `gen_random_uuid()`, `'draft'`.
    Expression(String),
    /// A value, rendered as a literal: `Value::Int(0)` gives `DEFAULT 0`.
    Value(Value),
}

/// The options shared by sequences and identity columns.
///
/// `None` leaves an option at PostgreSQL's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SequenceOptions {
    /// `INCREMENT BY n`.
    pub increment: Option<i64>,
    /// `START WITH n`.
    pub start: Option<i64>,
    /// `MINVALUE n`.
    pub min_value: Option<i64>,
    /// `MAXVALUE n`.
    pub max_value: Option<i64>,
    /// `CACHE n`.
    pub cache: Option<i64>,
    /// `CYCLE`.
    pub cycle: bool,
}

/// An identity column: `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// `ALWAYS` when true (inserting a value needs `OVERRIDING SYSTEM VALUE`), else `BY DEFAULT`.
    pub always: bool,
    /// The options of the identity's sequence.
    pub options: SequenceOptions,
}

impl Identity {
    /// `GENERATED ALWAYS AS IDENTITY`.
    pub fn always() -> Identity {
        Identity {
            always: true,
            options: SequenceOptions::default(),
        }
    }

    /// `GENERATED BY DEFAULT AS IDENTITY`.
    pub fn by_default() -> Identity {
        Identity {
            always: false,
            options: SequenceOptions::default(),
        }
    }

    /// `START WITH start`.
    pub fn start(mut self, start: i64) -> Identity {
        self.options.start = Some(start);
        self
    }

    /// `INCREMENT BY increment`.
    pub fn increment(mut self, increment: i64) -> Identity {
        self.options.increment = Some(increment);
        self
    }

    /// `MINVALUE min_value`.
    pub fn min_value(mut self, min_value: i64) -> Identity {
        self.options.min_value = Some(min_value);
        self
    }

    /// `MAXVALUE max_value`.
    pub fn max_value(mut self, max_value: i64) -> Identity {
        self.options.max_value = Some(max_value);
        self
    }

    /// `CACHE cache`.
    pub fn cache(mut self, cache: i64) -> Identity {
        self.options.cache = Some(cache);
        self
    }

    /// `CYCLE`.
    pub fn cycle(mut self) -> Identity {
        self.options.cycle = true;
        self
    }
}

/// A column, as declared in [`Op::create_table`](crate::ops::Op::create_table) or
/// [`Op::add_column`](crate::ops::Op::add_column).
///
/// Columns are nullable unless [`Column::not_null`] or [`Column::primary_key`] says otherwise.
/// Column-level constraints ([`Column::unique`], [`Column::references`], and the primary key)
/// become table constraints named by the naming convention, as in SQLAlchemy.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// The column's type.
    pub ty: Type,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// Whether the column is (part of) the table's primary key.
    pub primary_key: bool,
    /// A single-column unique constraint on this column.
    pub unique: Option<UniqueConstraint>,
    /// A foreign key from this column.
    pub foreign_key: Option<ForeignKey>,
    /// The server-side default.
    pub server_default: Option<ServerDefault>,
    /// Identity generation.
    pub identity: Option<Identity>,
    /// The column's comment.
    pub comment: Option<String>,
}

impl Column {
    /// A nullable column with no default.
    pub fn new(name: impl Into<String>, ty: Type) -> Column {
        Column {
            name: name.into(),
            ty,
            nullable: true,
            primary_key: false,
            unique: None,
            foreign_key: None,
            server_default: None,
            identity: None,
            comment: None,
        }
    }

    /// `NOT NULL`.
    pub fn not_null(mut self) -> Column {
        self.nullable = false;
        self
    }

    /// Sets whether the column accepts NULL.
    pub fn nullable(mut self, nullable: bool) -> Column {
        self.nullable = nullable;
        self
    }

    /// Makes the column (part of) the primary key; implies `NOT NULL`.
    ///
    /// Several columns marked this way form one composite key.
    pub fn primary_key(mut self) -> Column {
        self.primary_key = true;
        self.nullable = false;
        self
    }

    /// Adds a unique constraint on this column alone, named by the naming convention.
    pub fn unique(mut self) -> Column {
        self.unique = Some(UniqueConstraint::new([self.name.clone()]));
        self
    }

    /// Adds a foreign key from this column. Build it with [`ForeignKey::to`]; the local
    /// column is filled in.
    pub fn references(mut self, foreign_key: ForeignKey) -> Column {
        let mut foreign_key = foreign_key;
        foreign_key.columns = vec![self.name.clone()];
        self.foreign_key = Some(foreign_key);
        self
    }

    /// `DEFAULT <expression>`, with the SQL expression used as written (`now()`,
    /// `gen_random_uuid()`, `'draft'`).
    pub fn server_default(mut self, expression: impl Into<String>) -> Column {
        self.server_default = Some(ServerDefault::Expression(expression.into()));
        self
    }

    /// `DEFAULT <literal>`, with the value rendered as an SQL literal.
    pub fn server_default_value(mut self, value: impl Into<Value>) -> Column {
        self.server_default = Some(ServerDefault::Value(value.into()));
        self
    }

    /// `GENERATED ... AS IDENTITY`; the column needs an integer type.
    pub fn identity(mut self, identity: Identity) -> Column {
        self.identity = Some(identity);
        self
    }

    /// The column's comment (`COMMENT ON COLUMN`).
    pub fn comment(mut self, comment: impl Into<String>) -> Column {
        self.comment = Some(comment.into());
        self
    }
}

/// The name of a constraint or index.
///
/// A name given as a string is [`Name::Given`]. Like SQLAlchemy, the naming convention
/// still applies to it when the convention's template uses `%(constraint_name)s` (the default
/// check-constraint template does: `.name("positive")` on table `account` gives
/// `ck_account_positive`). Wrap a name in [`f`] (Alembic's `op.f()`) to use it exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Name {
    /// As given; the naming convention may fill `%(constraint_name)s` with it.
    Given(String),
    /// Final: used as written. Names the naming convention produces are final too; a final
    /// name longer than the dialect allows is shortened with a hash suffix.
    Final(String),
}

impl Name {
    /// The name's text.
    pub fn as_str(&self) -> &str {
        match self {
            Name::Given(name) | Name::Final(name) => name,
        }
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Name {
        Name::Given(name.to_owned())
    }
}

impl From<String> for Name {
    fn from(name: String) -> Name {
        Name::Given(name)
    }
}

impl From<&String> for Name {
    fn from(name: &String) -> Name {
        Name::Given(name.clone())
    }
}

/// Marks a name as final, so no naming convention applies to it: Alembic's `op.f()`.
pub fn f(name: impl Into<String>) -> Name {
    Name::Final(name.into())
}

/// `PRIMARY KEY (columns)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrimaryKey {
    /// The constraint's name; `None` lets the naming convention name it.
    pub name: Option<Name>,
    /// The key's columns, in order.
    pub columns: Vec<String>,
}

impl PrimaryKey {
    /// A primary key on `columns`.
    pub fn new<I, S>(columns: I) -> PrimaryKey
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PrimaryKey {
            name: None,
            columns: strings(columns),
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<Name>) -> PrimaryKey {
        self.name = Some(name.into());
        self
    }
}

/// `INITIALLY DEFERRED` or `INITIALLY IMMEDIATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Initially {
    /// Checked at commit.
    Deferred,
    /// Checked after each statement.
    Immediate,
}

/// `UNIQUE (columns)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueConstraint {
    /// The constraint's name; `None` lets the naming convention name it.
    pub name: Option<Name>,
    /// The constrained columns, in order.
    pub columns: Vec<String>,
    /// `DEFERRABLE` (true) or `NOT DEFERRABLE` (false).
    pub deferrable: Option<bool>,
    /// `INITIALLY ...`.
    pub initially: Option<Initially>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15): NULLs count as equal.
    pub nulls_not_distinct: bool,
}

impl UniqueConstraint {
    /// A unique constraint on `columns`.
    pub fn new<I, S>(columns: I) -> UniqueConstraint
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UniqueConstraint {
            name: None,
            columns: strings(columns),
            deferrable: None,
            initially: None,
            nulls_not_distinct: false,
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<Name>) -> UniqueConstraint {
        self.name = Some(name.into());
        self
    }

    /// `DEFERRABLE`.
    pub fn deferrable(mut self) -> UniqueConstraint {
        self.deferrable = Some(true);
        self
    }

    /// `DEFERRABLE INITIALLY DEFERRED`.
    pub fn initially_deferred(mut self) -> UniqueConstraint {
        self.deferrable = Some(true);
        self.initially = Some(Initially::Deferred);
        self
    }

    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub fn nulls_not_distinct(mut self) -> UniqueConstraint {
        self.nulls_not_distinct = true;
        self
    }
}

/// What a foreign key does when the referenced row is deleted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// `NO ACTION` (PostgreSQL's default): fail at the end of the statement.
    NoAction,
    /// `RESTRICT`: fail at once.
    Restrict,
    /// `CASCADE`: delete or update the referencing rows too.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl ReferentialAction {
    /// The SQL words.
    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A foreign key's `MATCH` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForeignKeyMatch {
    /// `MATCH FULL`: all columns NULL, or none.
    Full,
    /// `MATCH SIMPLE` (PostgreSQL's default).
    Simple,
}

/// `FOREIGN KEY (columns) REFERENCES referred_table (referred_columns)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignKey {
    /// The constraint's name; `None` lets the naming convention name it.
    pub name: Option<Name>,
    /// The referencing (local) columns.
    pub columns: Vec<String>,
    /// The referenced table's schema; `None` uses the search path.
    pub referred_schema: Option<String>,
    /// The referenced table.
    pub referred_table: String,
    /// The referenced columns; empty means the referenced table's primary key.
    pub referred_columns: Vec<String>,
    /// `ON DELETE ...`.
    pub on_delete: Option<ReferentialAction>,
    /// `ON UPDATE ...`.
    pub on_update: Option<ReferentialAction>,
    /// `MATCH ...`.
    pub match_type: Option<ForeignKeyMatch>,
    /// `DEFERRABLE` (true) or `NOT DEFERRABLE` (false).
    pub deferrable: Option<bool>,
    /// `INITIALLY ...`.
    pub initially: Option<Initially>,
}

impl ForeignKey {
    /// A foreign key from `columns` to `referred_columns` of `referred_table`.
    pub fn new<I, S, J, T>(
        columns: I,
        referred_table: impl Into<String>,
        referred_columns: J,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: None,
            columns: strings(columns),
            referred_schema: None,
            referred_table: referred_table.into(),
            referred_columns: strings(referred_columns),
            on_delete: None,
            on_update: None,
            match_type: None,
            deferrable: None,
            initially: None,
        }
    }

    /// A foreign key to `referred_columns` of `referred_table`, for
    /// [`Column::references`], which fills in the local column.
    pub fn to<J, T>(referred_table: impl Into<String>, referred_columns: J) -> ForeignKey
    where
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey::new(Vec::<String>::new(), referred_table, referred_columns)
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<Name>) -> ForeignKey {
        self.name = Some(name.into());
        self
    }

    /// The referenced table's schema.
    pub fn referred_schema(mut self, schema: impl Into<String>) -> ForeignKey {
        self.referred_schema = Some(schema.into());
        self
    }

    /// `ON DELETE action`.
    pub fn on_delete(mut self, action: ReferentialAction) -> ForeignKey {
        self.on_delete = Some(action);
        self
    }

    /// `ON UPDATE action`.
    pub fn on_update(mut self, action: ReferentialAction) -> ForeignKey {
        self.on_update = Some(action);
        self
    }

    /// `MATCH FULL`.
    pub fn match_full(mut self) -> ForeignKey {
        self.match_type = Some(ForeignKeyMatch::Full);
        self
    }

    /// `DEFERRABLE`.
    pub fn deferrable(mut self) -> ForeignKey {
        self.deferrable = Some(true);
        self
    }

    /// `NOT DEFERRABLE`.
    pub fn not_deferrable(mut self) -> ForeignKey {
        self.deferrable = Some(false);
        self
    }

    /// `DEFERRABLE INITIALLY DEFERRED`.
    pub fn initially_deferred(mut self) -> ForeignKey {
        self.deferrable = Some(true);
        self.initially = Some(Initially::Deferred);
        self
    }

    /// `INITIALLY IMMEDIATE`.
    pub fn initially_immediate(mut self) -> ForeignKey {
        self.initially = Some(Initially::Immediate);
        self
    }
}

/// `CHECK (condition)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckConstraint {
    /// The constraint's name. With the default naming convention
    /// (`ck_%(table_name)s_%(constraint_name)s`) a check constraint must be named, and the
    /// name fills `%(constraint_name)s`; use [`f`] to give the final name instead.
    pub name: Option<Name>,
    /// The condition, as SQL.
    pub condition: String,
}

impl CheckConstraint {
    /// A check of `condition`, written as SQL.
    pub fn new(condition: impl Into<String>) -> CheckConstraint {
        CheckConstraint {
            name: None,
            condition: condition.into(),
        }
    }

    /// Names the constraint.
    pub fn name(mut self, name: impl Into<Name>) -> CheckConstraint {
        self.name = Some(name.into());
        self
    }
}

/// A table constraint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Constraint {
    /// `PRIMARY KEY`.
    PrimaryKey(PrimaryKey),
    /// `UNIQUE`.
    Unique(UniqueConstraint),
    /// `FOREIGN KEY`.
    ForeignKey(ForeignKey),
    /// `CHECK`.
    Check(CheckConstraint),
}

impl Constraint {
    /// The constraint's name, if it has one.
    pub fn name(&self) -> Option<&Name> {
        match self {
            Constraint::PrimaryKey(c) => c.name.as_ref(),
            Constraint::Unique(c) => c.name.as_ref(),
            Constraint::ForeignKey(c) => c.name.as_ref(),
            Constraint::Check(c) => c.name.as_ref(),
        }
    }

    /// The constraint's local columns (none for a check).
    pub fn columns(&self) -> &[String] {
        match self {
            Constraint::PrimaryKey(c) => &c.columns,
            Constraint::Unique(c) => &c.columns,
            Constraint::ForeignKey(c) => &c.columns,
            Constraint::Check(_) => &[],
        }
    }

    /// What kind of constraint this is, in words: `primary key`, `unique constraint`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Constraint::PrimaryKey(_) => "primary key",
            Constraint::Unique(_) => "unique constraint",
            Constraint::ForeignKey(_) => "foreign key",
            Constraint::Check(_) => "check constraint",
        }
    }
}

impl From<PrimaryKey> for Constraint {
    fn from(c: PrimaryKey) -> Constraint {
        Constraint::PrimaryKey(c)
    }
}

impl From<UniqueConstraint> for Constraint {
    fn from(c: UniqueConstraint) -> Constraint {
        Constraint::Unique(c)
    }
}

impl From<ForeignKey> for Constraint {
    fn from(c: ForeignKey) -> Constraint {
        Constraint::ForeignKey(c)
    }
}

impl From<CheckConstraint> for Constraint {
    fn from(c: CheckConstraint) -> Constraint {
        Constraint::Check(c)
    }
}

/// One element of an index: a column or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexElement {
    /// A column, quoted as an identifier.
    Column(String),
    /// An SQL expression, used as written: `lower(name)`, `created_at DESC`. PostgreSQL
    /// wants anything other than a column or a function call in parentheses: `(a + b)`.
    Expression(String),
}

impl IndexElement {
    /// An expression element, used as written.
    pub fn expr(sql: impl Into<String>) -> IndexElement {
        IndexElement::Expression(sql.into())
    }
}

impl From<&str> for IndexElement {
    fn from(column: &str) -> IndexElement {
        IndexElement::Column(column.to_owned())
    }
}

impl From<String> for IndexElement {
    fn from(column: String) -> IndexElement {
        IndexElement::Column(column)
    }
}

/// An index access method (`USING ...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexMethod {
    /// `btree`, PostgreSQL's default.
    Btree,
    /// `hash`.
    Hash,
    /// `gist`.
    Gist,
    /// `gin`.
    Gin,
    /// `brin`.
    Brin,
    /// `spgist`.
    SpGist,
}

impl IndexMethod {
    /// The method's name in SQL.
    pub fn as_sql(&self) -> &'static str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gist => "gist",
            IndexMethod::Gin => "gin",
            IndexMethod::Brin => "brin",
            IndexMethod::SpGist => "spgist",
        }
    }
}

/// What a naming convention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedKind {
    /// An index (`ix`).
    Index,
    /// A unique constraint (`uq`).
    Unique,
    /// A check constraint (`ck`).
    Check,
    /// A foreign key (`fk`).
    ForeignKey,
    /// A primary key (`pk`).
    PrimaryKey,
}

impl NamedKind {
    fn noun(self) -> &'static str {
        match self {
            NamedKind::Index => "index",
            NamedKind::Unique => "unique constraint",
            NamedKind::Check => "check constraint",
            NamedKind::ForeignKey => "foreign key",
            NamedKind::PrimaryKey => "primary key",
        }
    }
}

/// Templates that name constraints and indexes which are not named explicitly, in
/// SQLAlchemy's `naming_convention` syntax.
///
/// The default is the set SQLAlchemy's documentation recommends:
///
/// | kind | template |
/// |---|---|
/// | index | `ix_%(column_0_label)s` |
/// | unique | `uq_%(table_name)s_%(column_0_name)s` |
/// | check | `ck_%(table_name)s_%(constraint_name)s` |
/// | foreign key | `fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s` |
/// | primary key | `pk_%(table_name)s` |
///
/// Tokens, as in SQLAlchemy: `%(table_name)s`, `%(constraint_name)s` (the name given to the
/// constraint), `%(referred_table_name)s`, `%(column_0_name)s`, `%(column_0_key)s`,
/// `%(column_0_label)s` (`<table>_<column>`, schema first when there is one),
/// `%(referred_column_0_name)s`, any index in place of 0, and the all-columns forms
/// `%(column_0N_name)s` (joined) and `%(column_0_N_name)s` (joined with `_`). A `None`
/// template leaves that kind unnamed, for the database to name.
///
/// A generated name longer than the dialect's identifier limit (63 bytes on PostgreSQL) is
/// shortened by the dialect as SQLAlchemy does: see [`truncate_name`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamingConvention {
    /// Template for indexes.
    pub index: Option<String>,
    /// Template for unique constraints.
    pub unique: Option<String>,
    /// Template for check constraints.
    pub check: Option<String>,
    /// Template for foreign keys.
    pub foreign_key: Option<String>,
    /// Template for primary keys.
    pub primary_key: Option<String>,
}

impl Default for NamingConvention {
    fn default() -> NamingConvention {
        NamingConvention {
            index: Some("ix_%(column_0_label)s".to_owned()),
            unique: Some("uq_%(table_name)s_%(column_0_name)s".to_owned()),
            check: Some("ck_%(table_name)s_%(constraint_name)s".to_owned()),
            foreign_key: Some(
                "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s".to_owned(),
            ),
            primary_key: Some("pk_%(table_name)s".to_owned()),
        }
    }
}

/// What the naming convention's tokens are filled from.
#[derive(Debug, Clone, Copy)]
pub struct NameContext<'a> {
    /// The table's schema.
    pub schema: Option<&'a str>,
    /// The table's name.
    pub table: &'a str,
    /// The constraint's (or index's plain) columns, in order.
    pub columns: &'a [String],
    /// For a foreign key, the referenced table.
    pub referred_table: Option<&'a str>,
    /// For a foreign key, the referenced columns.
    pub referred_columns: &'a [String],
}

impl NamingConvention {
    /// No templates: unnamed constraints and indexes are left for the database to name.
    pub fn none() -> NamingConvention {
        NamingConvention {
            index: None,
            unique: None,
            check: None,
            foreign_key: None,
            primary_key: None,
        }
    }

    /// The template for `kind`.
    pub fn template(&self, kind: NamedKind) -> Option<&str> {
        match kind {
            NamedKind::Index => self.index.as_deref(),
            NamedKind::Unique => self.unique.as_deref(),
            NamedKind::Check => self.check.as_deref(),
            NamedKind::ForeignKey => self.foreign_key.as_deref(),
            NamedKind::PrimaryKey => self.primary_key.as_deref(),
        }
    }

    /// The name a constraint or index of `kind` gets, following SQLAlchemy's rules: a
    /// [`Name::Final`] is kept; otherwise the template applies when there is no name or when
    /// the template uses `%(constraint_name)s`; otherwise the given name is kept. With no
    /// template and no name, the result is `None`.
    ///
    /// # Errors
    ///
    /// A message when the template cannot be filled: an unknown token, a
    /// `%(constraint_name)s` with no name given, a column token for an index of expressions
    /// only, or a referred-table token on something other than a foreign key.
    pub fn resolve(
        &self,
        kind: NamedKind,
        given: Option<&Name>,
        context: &NameContext<'_>,
    ) -> Result<Option<Name>, String> {
        if let Some(Name::Final(_)) = given {
            return Ok(given.cloned());
        }
        let Some(template) = self.template(kind) else {
            return Ok(given.cloned());
        };
        let uses_constraint_name = template.contains("%(constraint_name)s");
        if given.is_some() && !uses_constraint_name {
            return Ok(given.cloned());
        }
        let filled = fill_template(template, kind, given.map(Name::as_str), context)?;
        Ok(Some(Name::Final(filled)))
    }
}

/// Fills a `%(token)s` template.
fn fill_template(
    template: &str,
    kind: NamedKind,
    given: Option<&str>,
    context: &NameContext<'_>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
            continue;
        }
        let Some(open) = after.strip_prefix('(') else {
            return Err(format!(
                "naming convention '{template}' has a '%' that starts no %(token)s"
            ));
        };
        let Some(close) = open.find(")s") else {
            return Err(format!(
                "naming convention '{template}' has a '%' that starts no %(token)s"
            ));
        };
        let token = &open[..close];
        out.push_str(&token_value(template, token, kind, given, context)?);
        rest = &open[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn token_value(
    template: &str,
    token: &str,
    kind: NamedKind,
    given: Option<&str>,
    context: &NameContext<'_>,
) -> Result<String, String> {
    match token {
        "table_name" => return Ok(context.table.to_owned()),
        "constraint_name" => {
            return given.map(str::to_owned).ok_or_else(|| {
                format!(
                    "naming convention '{template}' uses %(constraint_name)s, so the {} needs a name",
                    kind.noun()
                )
            });
        }
        "referred_table_name" => {
            return context.referred_table.map(str::to_owned).ok_or_else(|| {
                format!(
                    "naming convention '{template}' uses %(referred_table_name)s, which only a foreign key has"
                )
            });
        }
        _ => {}
    }
    let unknown = || format!("naming convention '{template}' has an unknown token %({token})s");
    let (referred, rest) = match token.strip_prefix("referred_") {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let rest = rest.strip_prefix("column_").ok_or_else(unknown)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(unknown());
    }
    let index: usize = rest[..digits].parse().map_err(|_| unknown())?;
    let rest = &rest[digits..];
    let (multiple, separator, attribute) = if let Some(attr) = rest.strip_prefix("_N_") {
        (true, "_", attr)
    } else if let Some(attr) = rest.strip_prefix("N_") {
        (true, "", attr)
    } else if let Some(attr) = rest.strip_prefix('_') {
        (false, "", attr)
    } else {
        return Err(unknown());
    };
    if multiple && index != 0 {
        return Err(unknown());
    }
    let columns = if referred {
        if context.referred_table.is_none() {
            return Err(format!(
                "naming convention '{template}' uses %({token})s, which only a foreign key has"
            ));
        }
        if attribute != "name" {
            return Err(unknown());
        }
        context.referred_columns
    } else {
        if !matches!(attribute, "name" | "key" | "label") {
            return Err(unknown());
        }
        context.columns
    };
    if columns.is_empty() {
        return Err(format!(
            "naming convention '{template}' uses %({token})s, but the {} has no plain columns: name it",
            kind.noun()
        ));
    }
    let render = |column: &String| {
        if attribute == "label" {
            match context.schema {
                Some(schema) => format!("{}_{}_{column}", schema.replace('.', "_"), context.table),
                None => format!("{}_{column}", context.table),
            }
        } else {
            column.clone()
        }
    };
    if multiple {
        Ok(columns
            .iter()
            .map(render)
            .collect::<Vec<_>>()
            .join(separator))
    } else {
        // SQLAlchemy renders a column index past the end as an empty string.
        Ok(columns.get(index).map(render).unwrap_or_default())
    }
}

/// Shortens a generated name that is longer than `max_bytes`, as SQLAlchemy does
/// (`_truncate_and_render_maxlen_name`): the first `max_bytes - 8` bytes, `_`, and the last
/// four hex digits of the MD5 of the whole name. A name that fits is returned unchanged.
///
/// SQLAlchemy counts characters where PostgreSQL counts bytes; for ASCII names, the only
/// kind SQLAlchemy's conventions usually make, the result is byte for byte the same. For
/// other names the cut falls on a character boundary at or before `max_bytes - 8` bytes.
///
/// ```
/// use migration_runtime::schema::truncate_name;
///
/// let long = "ix_a_very_long_table_name_for_truncation_tests_abcdefghijklmnopqrstu_a_long_column_name_xxxxxxxxxxxxxxxxxxxxxxxx";
/// assert_eq!(truncate_name(long, 63), "ix_a_very_long_table_name_for_truncation_tests_abcdefgh_c1cc");
/// assert_eq!(truncate_name("ix_short", 63), "ix_short");
/// ```
pub fn truncate_name(name: &str, max_bytes: usize) -> String {
    if name.len() <= max_bytes {
        return name.to_owned();
    }
    let mut cut = max_bytes.saturating_sub(8);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let digest = md5_hex(name.as_bytes());
    format!("{}_{}", &name[..cut], &digest[digest.len() - 4..])
}

/// Collects column names.
pub(crate) fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

/// The MD5 digest of `input` as 32 lowercase hex digits (RFC 1321).
///
/// Only used to make truncated names match SQLAlchemy's; MD5 is not used for security here.
pub(crate) fn md5_hex(input: &[u8]) -> String {
    const SHIFTS: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut message = input.to_vec();
    let bit_length = (input.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_length.to_le_bytes());

    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for block in message.chunks_exact(64) {
        let mut words = [0u32; 16];
        for (word, bytes) in words.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (mix, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(mix)
                .wrapping_add(K[i])
                .wrapping_add(words[g])
                .rotate_left(SHIFTS[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    state
        .iter()
        .flat_map(|word| word.to_le_bytes())
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A schema-qualified name: a table, enum type or sequence. `schema: None` is the default
/// schema (the search path's, `public` unless configured otherwise).
///
/// Ordered by schema (the default schema first), then name, which is the order
/// [`Metadata`] keeps and autogenerate visits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    /// The schema; `None` is the default schema.
    pub schema: Option<String>,
    /// The object's name.
    pub name: String,
}

impl QualifiedName {
    /// `schema.name`, or `name` in the default schema.
    pub fn new(schema: Option<&str>, name: &str) -> QualifiedName {
        QualifiedName {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }
}

/// `schema.name`, or `name`.
impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A whole database schema as autogenerate sees it: the counterpart of SQLAlchemy's
/// `MetaData`.
///
/// Both sides of an autogenerate comparison are `Metadata`: the live database's, read by
/// [`introspect`](crate::introspect::introspect), and the target, either built in Rust (a
/// migrations crate exports `pub fn target_metadata() -> Metadata`) or read from a
/// declarative `schema.sql` through a shadow database
/// ([`shadow_metadata`](crate::introspect::shadow_metadata)).
///
/// ```
/// use migration_runtime::prelude::*;
///
/// let metadata = Metadata::new()
///     .enum_type(EnumType::new("mood", ["happy", "sad"]))
///     .sequence(Sequence::new("invoice_number").start(1000))
///     .table(
///         Table::new("account")
///             .column(Column::new("id", Type::BigInt).identity(Identity::always()).primary_key())
///             .column(Column::new("email", Type::varchar(200)).not_null().unique())
///             .column(Column::new("mood", Type::enum_type("mood")))
///             .index(Index::new(["mood"]))
///             .comment("one row per customer"),
///     )
///     .table(
///         Table::new("login")
///             .schema("audit")
///             .column(Column::new("account_id", Type::BigInt).not_null()
///                 .references(ForeignKey::to("account", ["id"]).on_delete(ReferentialAction::Cascade)))
///             .column(Column::new("at", Type::TimestampTz).not_null().server_default("now()")),
///     );
/// assert_eq!(metadata.tables.len(), 2);
/// assert!(metadata.schemas.contains("audit"));
/// ```
///
/// Constraints and indexes left unnamed are named by the metadata's naming convention
/// (SQLAlchemy's recommended one by default) when autogenerate compares, exactly as
/// [`Op::finish`](crate::ops::Op::finish) names them in a revision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// Schemas other than the default one that hold, or may hold, objects. Adding a table,
    /// enum or sequence in a schema adds the schema.
    pub schemas: std::collections::BTreeSet<String>,
    /// The tables, by schema and name.
    pub tables: std::collections::BTreeMap<QualifiedName, Table>,
    /// The enum types, by schema and name.
    pub enums: std::collections::BTreeMap<QualifiedName, EnumType>,
    /// The standalone sequences, by schema and name. Sequences that `SERIAL` and identity
    /// columns own are part of their column, not listed here.
    pub sequences: std::collections::BTreeMap<QualifiedName, Sequence>,
    /// Names unnamed constraints and indexes.
    pub naming_convention: NamingConvention,
}

impl Metadata {
    /// Empty metadata with the default [`NamingConvention`].
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Names unnamed constraints and indexes with `convention` instead of the default.
    pub fn with_naming_convention(mut self, convention: NamingConvention) -> Metadata {
        self.naming_convention = convention;
        self
    }

    /// Declares a schema, which autogenerate creates when it does not exist. Schemas of
    /// tables, enums and sequences are declared when those are added.
    pub fn schema(mut self, schema: impl Into<String>) -> Metadata {
        self.schemas.insert(schema.into());
        self
    }

    /// Adds a table, replacing one of the same schema and name.
    pub fn table(mut self, table: Table) -> Metadata {
        self.add_table(table);
        self
    }

    /// Adds an enum type, replacing one of the same schema and name.
    pub fn enum_type(mut self, enum_type: EnumType) -> Metadata {
        self.add_enum(enum_type);
        self
    }

    /// Adds a standalone sequence, replacing one of the same schema and name.
    pub fn sequence(mut self, sequence: Sequence) -> Metadata {
        self.add_sequence(sequence);
        self
    }

    /// Adds a table in place; see [`Metadata::table`].
    pub fn add_table(&mut self, table: Table) {
        if let Some(schema) = &table.schema {
            self.schemas.insert(schema.clone());
        }
        self.tables.insert(table.qualified_name(), table);
    }

    /// Adds an enum type in place; see [`Metadata::enum_type`].
    pub fn add_enum(&mut self, enum_type: EnumType) {
        if let Some(schema) = &enum_type.schema {
            self.schemas.insert(schema.clone());
        }
        self.enums.insert(
            QualifiedName::new(enum_type.schema.as_deref(), &enum_type.name),
            enum_type,
        );
    }

    /// Adds a sequence in place; see [`Metadata::sequence`].
    pub fn add_sequence(&mut self, sequence: Sequence) {
        if let Some(schema) = &sequence.schema {
            self.schemas.insert(schema.clone());
        }
        self.sequences.insert(
            QualifiedName::new(sequence.schema.as_deref(), &sequence.name),
            sequence,
        );
    }

    /// The table `name` in `schema` (`None`: the default schema).
    pub fn get_table(&self, schema: Option<&str>, name: &str) -> Option<&Table> {
        self.tables.get(&QualifiedName::new(schema, name))
    }

    /// Whether the metadata holds no table, enum type or sequence (schemas aside).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.enums.is_empty() && self.sequences.is_empty()
    }
}

/// A table of a [`Metadata`]: columns, constraints, indexes and a comment.
///
/// Built like [`Op::create_table`](crate::ops::Op::create_table)'s arguments; column-level
/// constraints ([`Column::primary_key`], [`Column::unique`], [`Column::references`]) work
/// the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's schema; `None` is the default schema.
    pub schema: Option<String>,
    /// The table's name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Table constraints: primary key, unique, foreign keys, checks.
    pub constraints: Vec<Constraint>,
    /// The indexes that do not back a constraint.
    pub indexes: Vec<Index>,
    /// The table's comment.
    pub comment: Option<String>,
}

impl Table {
    /// A table with no columns yet, in the default schema.
    pub fn new(name: impl Into<String>) -> Table {
        Table {
            schema: None,
            name: name.into(),
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            comment: None,
        }
    }

    /// The table's schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Table {
        self.schema = Some(schema.into());
        self
    }

    /// Adds a column.
    pub fn column(mut self, column: Column) -> Table {
        self.columns.push(column);
        self
    }

    /// Adds columns.
    pub fn columns(mut self, columns: impl IntoIterator<Item = Column>) -> Table {
        self.columns.extend(columns);
        self
    }

    /// Adds a table constraint: a [`PrimaryKey`], [`UniqueConstraint`], [`ForeignKey`] or
    /// [`CheckConstraint`].
    pub fn constraint(mut self, constraint: impl Into<Constraint>) -> Table {
        self.constraints.push(constraint.into());
        self
    }

    /// Adds an index.
    pub fn index(mut self, index: Index) -> Table {
        self.indexes.push(index);
        self
    }

    /// The table's comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Table {
        self.comment = Some(comment.into());
        self
    }

    /// The table's schema and name.
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(self.schema.as_deref(), &self.name)
    }

    /// The column called `name`.
    pub fn get_column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table's primary key, declared as a constraint or on columns.
    pub fn primary_key_columns(&self) -> Vec<String> {
        self.constraints
            .iter()
            .find_map(|c| match c {
                Constraint::PrimaryKey(key) => Some(key.columns.clone()),
                _ => None,
            })
            .unwrap_or_else(|| {
                self.columns
                    .iter()
                    .filter(|c| c.primary_key)
                    .map(|c| c.name.clone())
                    .collect()
            })
    }
}

/// An index of a [`Table`] in a [`Metadata`]; the counterpart of
/// [`Op::create_index`](crate::ops::Op::create_index)'s options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Index {
    /// The index's name; `None` lets the naming convention name it.
    pub name: Option<Name>,
    /// Columns and expressions, in order. Expressions are written as PostgreSQL prints
    /// them (`lower((email)::text)`), with any operator class, `DESC` or `NULLS` options.
    pub elements: Vec<IndexElement>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `USING method`; `None` is btree.
    pub method: Option<IndexMethod>,
    /// `INCLUDE (columns)`.
    pub include: Vec<String>,
    /// `WHERE predicate`: a partial index.
    pub predicate: Option<String>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub nulls_not_distinct: bool,
}

impl Index {
    /// An index on `elements`: column names, or [`IndexElement::expr`] expressions.
    pub fn new<I>(elements: I) -> Index
    where
        I: IntoIterator,
        I::Item: Into<IndexElement>,
    {
        Index {
            name: None,
            elements: elements.into_iter().map(Into::into).collect(),
            unique: false,
            method: None,
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
        }
    }

    /// Names the index.
    pub fn name(mut self, name: impl Into<Name>) -> Index {
        self.name = Some(name.into());
        self
    }

    /// `UNIQUE`.
    pub fn unique(mut self) -> Index {
        self.unique = true;
        self
    }

    /// `USING method`.
    pub fn using(mut self, method: IndexMethod) -> Index {
        self.method = Some(method);
        self
    }

    /// `INCLUDE (columns)`.
    pub fn include<I, S>(mut self, columns: I) -> Index
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include = strings(columns);
        self
    }

    /// `WHERE predicate`, as SQL.
    pub fn where_(mut self, predicate: impl Into<String>) -> Index {
        self.predicate = Some(predicate.into());
        self
    }

    /// `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub fn nulls_not_distinct(mut self) -> Index {
        self.nulls_not_distinct = true;
        self
    }
}

/// An enum type (`CREATE TYPE ... AS ENUM`) of a [`Metadata`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumType {
    /// The type's schema; `None` is the default schema.
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// The labels, in sort order.
    pub values: Vec<String>,
}

impl EnumType {
    /// The enum type `name` with these labels.
    pub fn new<I, S>(name: impl Into<String>, values: I) -> EnumType
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EnumType {
            schema: None,
            name: name.into(),
            values: strings(values),
        }
    }

    /// The type's schema.
    pub fn schema(mut self, schema: impl Into<String>) -> EnumType {
        self.schema = Some(schema.into());
        self
    }
}

/// A standalone sequence (`CREATE SEQUENCE`) of a [`Metadata`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sequence {
    /// The sequence's schema; `None` is the default schema.
    pub schema: Option<String>,
    /// The sequence's name.
    pub name: String,
    /// `AS type`: smallint, integer or bigint; `None` is bigint.
    pub data_type: Option<Type>,
    /// Start, increment, bounds, cache, cycle; `None` leaves PostgreSQL's default.
    pub options: SequenceOptions,
}

impl Sequence {
    /// A sequence with PostgreSQL's defaults.
    pub fn new(name: impl Into<String>) -> Sequence {
        Sequence {
            schema: None,
            name: name.into(),
            data_type: None,
            options: SequenceOptions::default(),
        }
    }

    /// The sequence's schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Sequence {
        self.schema = Some(schema.into());
        self
    }

    /// `AS data_type`.
    pub fn data_type(mut self, data_type: Type) -> Sequence {
        self.data_type = Some(data_type);
        self
    }

    /// `START WITH start`.
    pub fn start(mut self, start: i64) -> Sequence {
        self.options.start = Some(start);
        self
    }

    /// `INCREMENT BY increment`.
    pub fn increment(mut self, increment: i64) -> Sequence {
        self.options.increment = Some(increment);
        self
    }

    /// `MINVALUE min`.
    pub fn min_value(mut self, min: i64) -> Sequence {
        self.options.min_value = Some(min);
        self
    }

    /// `MAXVALUE max`.
    pub fn max_value(mut self, max: i64) -> Sequence {
        self.options.max_value = Some(max);
        self
    }

    /// `CACHE cache`.
    pub fn cache(mut self, cache: i64) -> Sequence {
        self.options.cache = Some(cache);
        self
    }

    /// `CYCLE`.
    pub fn cycle(mut self) -> Sequence {
        self.options.cycle = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{
        ForeignKey, Name, NameContext, NamedKind, NamingConvention, f, md5_hex, truncate_name,
    };

    #[test]
    fn md5_matches_rfc_1321_and_python() {
        // The RFC 1321 test suite, plus a multi-block input (checked with Python's hashlib).
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
            ("café", "07117fe4a1ebd544965dc19573183da2"),
        ];
        for (input, expected) in cases {
            assert_eq!(md5_hex(input.as_bytes()), expected, "md5({input:?})");
        }
    }

    #[test]
    fn truncation_matches_sqlalchemy() {
        // Expected values printed by SQLAlchemy 2.1.9's PostgreSQL compiler for these
        // convention names (CreateIndex / AddConstraint of a `conv` name).
        let cases = [
            (
                "ix_a_very_long_table_name_for_truncation_tests_abcdefghijklmnopqrstu_a_long_column_name_xxxxxxxxxxxxxxxxxxxxxxxx",
                "ix_a_very_long_table_name_for_truncation_tests_abcdefgh_c1cc",
            ),
            (
                "fk_order_line_items_archive_customer_account_id_customer_accounts_archive",
                "fk_order_line_items_archive_customer_account_id_custome_103a",
            ),
            // Exactly 63 bytes: unchanged.
            (
                "uq_abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopqrstuvwxyz_abcdef",
                "uq_abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopqrstuvwxyz_abcdef",
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(truncate_name(name, 63), expected, "{name}");
        }
        // A multi-byte character straddling the cut is not split.
        let name = format!("{}é{}", "a".repeat(54), "b".repeat(20));
        let cut = truncate_name(&name, 63);
        assert!(cut.starts_with(&"a".repeat(54)), "{cut}");
        assert_eq!(cut.len(), 54 + 5);
    }

    #[track_caller]
    fn check(
        convention: &NamingConvention,
        kind: NamedKind,
        given: Option<Name>,
        context: &NameContext<'_>,
        expected: Result<Option<Name>, &str>,
    ) {
        let actual = convention.resolve(kind, given.as_ref(), context);
        assert_eq!(actual, expected.map_err(str::to_owned));
    }

    #[test]
    fn naming_convention_follows_sqlalchemy() {
        let default = NamingConvention::default();
        let columns = ["account_id".to_owned(), "kind".to_owned()];
        let referred = ["id".to_owned(), "kind".to_owned()];
        let fk = ForeignKey::new(columns.clone(), "account", referred.clone());
        let table = NameContext {
            schema: None,
            table: "post",
            columns: &columns,
            referred_table: None,
            referred_columns: &[],
        };
        let fk_context = NameContext {
            referred_table: Some(&fk.referred_table),
            referred_columns: &fk.referred_columns,
            ..table
        };
        let in_schema = NameContext {
            schema: Some("app"),
            ..table
        };
        let final_name = |s: &str| Ok(Some(Name::Final(s.to_owned())));

        check(
            &default,
            NamedKind::Index,
            None,
            &table,
            final_name("ix_post_account_id"),
        );
        check(
            &default,
            NamedKind::Index,
            None,
            &in_schema,
            final_name("ix_app_post_account_id"),
        );
        check(
            &default,
            NamedKind::Unique,
            None,
            &table,
            final_name("uq_post_account_id"),
        );
        check(
            &default,
            NamedKind::PrimaryKey,
            None,
            &table,
            final_name("pk_post"),
        );
        check(
            &default,
            NamedKind::ForeignKey,
            None,
            &fk_context,
            final_name("fk_post_account_id_account"),
        );
        // A given name wins over a template without %(constraint_name)s ...
        check(
            &default,
            NamedKind::Unique,
            Some("my_uq".into()),
            &table,
            Ok(Some(Name::Given("my_uq".to_owned()))),
        );
        // ... and fills it in one with it, unless it is final.
        check(
            &default,
            NamedKind::Check,
            Some("positive".into()),
            &table,
            final_name("ck_post_positive"),
        );
        check(
            &default,
            NamedKind::Check,
            Some(f("exact")),
            &table,
            final_name("exact"),
        );
        check(
            &default,
            NamedKind::Check,
            None,
            &table,
            Err(
                "naming convention 'ck_%(table_name)s_%(constraint_name)s' uses %(constraint_name)s, so the check constraint needs a name",
            ),
        );
        check(
            &NamingConvention::none(),
            NamedKind::Unique,
            None,
            &table,
            Ok(None),
        );

        let custom = NamingConvention {
            unique: Some("uq_%(table_name)s_%(column_0N_name)s".to_owned()),
            index: Some("ix_%(column_0_N_name)s_%(column_1_key)s_%(column_5_name)s%%".to_owned()),
            foreign_key: Some(
                "fk_%(column_0_N_name)s__%(referred_column_0_N_name)s_%(referred_column_0N_name)s"
                    .to_owned(),
            ),
            check: Some("ck_%(column_0_name)s".to_owned()),
            primary_key: Some("pk_%(bogus)s".to_owned()),
        };
        check(
            &custom,
            NamedKind::Unique,
            None,
            &table,
            final_name("uq_post_account_idkind"),
        );
        check(
            &custom,
            NamedKind::Index,
            None,
            &table,
            final_name("ix_account_id_kind_kind_%"),
        );
        check(
            &custom,
            NamedKind::ForeignKey,
            None,
            &fk_context,
            final_name("fk_account_id_kind__id_kind_idkind"),
        );
        check(
            &custom,
            NamedKind::PrimaryKey,
            None,
            &table,
            Err("naming convention 'pk_%(bogus)s' has an unknown token %(bogus)s"),
        );
        let no_columns = NameContext {
            columns: &[],
            ..table
        };
        check(
            &default,
            NamedKind::Index,
            None,
            &no_columns,
            Err(
                "naming convention 'ix_%(column_0_label)s' uses %(column_0_label)s, but the index has no plain columns: name it",
            ),
        );
        let referred_outside_fk = NamingConvention {
            unique: Some("uq_%(referred_table_name)s".to_owned()),
            ..NamingConvention::none()
        };
        check(
            &referred_outside_fk,
            NamedKind::Unique,
            None,
            &table,
            Err(
                "naming convention 'uq_%(referred_table_name)s' uses %(referred_table_name)s, which only a foreign key has",
            ),
        );
    }
}

//! PostgreSQL: the SQL Alembic and SQLAlchemy emit, statement for statement.
//!
//! Where Alembic has an equivalent operation, the text matches what Alembic 1.20 prints with
//! `--sql` for a PostgreSQL URL, except that lines inside `CREATE TABLE` carry no trailing
//! space. Identifiers are quoted by SQLAlchemy's rules (reserved words, upper case,
//! characters outside `[a-z0-9_$]`, a leading digit or `$`).

use bytes::BytesMut;
use postgres_types::{Format, IsNull, ToSql, to_sql_checked};

use super::{Dialect, Statement, lexer, split_statements};
use crate::ops::{
    AddColumn, AlterColumn, BulkInsert, CreateIndex, CreateTable, EnumValuePosition, OpError,
    OpErrorKind, Operation, Value,
};
use crate::schema::{
    Column, Constraint, ForeignKeyMatch, Identity, IndexElement, Initially, Name, SequenceOptions,
    ServerDefault, Type, truncate_name,
};

/// PostgreSQL's reserved words, from SQLAlchemy's `postgresql/base.py` (`RESERVED_WORDS`):
/// an identifier spelled like one of these is quoted.
const RESERVED_WORDS: [&str; 102] = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "of",
    "off",
    "offset",
    "old",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// `NAMEDATALEN - 1`: PostgreSQL silently truncates longer identifiers.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// PostgreSQL's limit on the parameters of one statement (a 16-bit count).
const MAX_PARAMS: usize = 65_535;

/// The most rows one `INSERT` of a bulk insert carries.
const MAX_ROWS_PER_INSERT: usize = 1_000;

/// `varchar(n)` and `char(n)` accept at most this length.
const MAX_CHAR_LENGTH: u32 = 10_485_760;

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Postgres;

type Result<T> = std::result::Result<T, OpErrorKind>;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    fn max_identifier_length(&self) -> usize {
        MAX_IDENTIFIER_BYTES
    }

    fn statements(&self, operation: &Operation) -> std::result::Result<Vec<Statement>, OpError> {
        if let Operation::AutocommitBlock(operations) = operation {
            let mut statements = Vec::new();
            for inner in operations {
                statements.extend(self.statements(inner)?.into_iter().map(|mut s| {
                    s.transactional = false;
                    s
                }));
            }
            return Ok(statements);
        }
        operation.validate()?;
        let mut out = Vec::new();
        self.render(operation, &mut out)
            .map_err(|kind| OpError::new(operation, kind))?;
        Ok(out)
    }

    fn quote_identifier(&self, name: &str) -> String {
        if requires_quotes(name) {
            format!("\"{}\"", name.replace('"', "\"\""))
        } else {
            name.to_owned()
        }
    }

    fn literal(&self, value: &Value) -> String {
        match value {
            Value::Null => "NULL".to_owned(),
            Value::Bool(true) => "true".to_owned(),
            Value::Bool(false) => "false".to_owned(),
            Value::Int(n) => n.to_string(),
            Value::Float(x) if x.is_finite() => float_text(*x),
            Value::Numeric(text) if is_numeric_literal(text) => text.clone(),
            // Everything else is the text the online parameter carries, quoted: an untyped
            // literal takes its type from where it is used, as the parameter does.
            _ => match text_format(value) {
                Some(text) => string_literal(&text),
                None => "NULL".to_owned(),
            },
        }
    }

    fn placeholder(&self, index: usize) -> String {
        format!("${index}")
    }

    fn insert_returning(&self) -> bool {
        true
    }
}

/// SQLAlchemy's `IdentifierPreparer._requires_quotes` with PostgreSQL's reserved words and
/// initial characters (digits and `$`; `_` is fine).
fn requires_quotes(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return true;
    };
    first.is_ascii_digit()
        || first == '$'
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        || RESERVED_WORDS.binary_search(&name).is_ok()
}

/// `'text'` with quotes doubled. Backslashes are literal (`standard_conforming_strings`).
fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A finite float as PostgreSQL reads it back exactly: `1.5`, `1e300`.
fn float_text(x: f64) -> String {
    format!("{x:?}")
}

/// Whether `text` is a plain decimal number PostgreSQL reads as a numeric constant.
fn is_numeric_literal(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction) && exponent_ok
}

/// A value in PostgreSQL's text format, as bound online; `None` for NULL.
pub(crate) fn text_format(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Value::Int(n) => n.to_string(),
        Value::Float(x) if x.is_nan() => "NaN".to_owned(),
        Value::Float(x) if x.is_infinite() => {
            if *x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        }
        Value::Float(x) => float_text(*x),
        Value::Numeric(text)
        | Value::Text(text)
        | Value::Json(text)
        | Value::Date(text)
        | Value::Time(text)
        | Value::Timestamp(text)
        | Value::TimestampTz(text)
        | Value::Interval(text) => text.clone(),
        Value::Bytes(bytes) => {
            let mut text = String::with_capacity(2 + 2 * bytes.len());
            text.push_str("\\x");
            for byte in bytes {
                text.push_str(&format!("{byte:02x}"));
            }
            text
        }
        Value::Uuid(n) => {
            let hex = format!("{n:032x}");
            format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )
        }
        Value::Array(elements) => array_text(elements),
    })
}

/// `{"a","b",NULL,{"c"}}`: every element quoted, which PostgreSQL accepts for any type.
fn array_text(elements: &[Value]) -> String {
    let parts: Vec<String> = elements
        .iter()
        .map(|element| match element {
            Value::Array(inner) => array_text(inner),
            other => match text_format(other) {
                None => "NULL".to_owned(),
                Some(text) => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
            },
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// Values are bound in PostgreSQL's text format, whatever the parameter's type: the server
/// parses the text with the type's input function, exactly as it would read the offline
/// literal. Bind them with `Type::UNKNOWN` (`execute_typed` / `query_typed`) to let the
/// server infer each parameter's type and save the prepare round trip.
impl ToSql for Value {
    fn to_sql(
        &self,
        _ty: &postgres_types::Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match text_format(self) {
            None => Ok(IsNull::Yes),
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_ty: &postgres_types::Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &postgres_types::Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

fn unsupported(ty: &Type, reason: &str) -> OpErrorKind {
    OpErrorKind::UnsupportedType {
        ty: ty.to_string(),
        dialect: "postgresql",
        reason: reason.to_owned(),
    }
}

impl Postgres {
    /// An identifier, checked for length and quoted as needed.
    fn ident(&self, name: &str) -> Result<String> {
        if name.len() > MAX_IDENTIFIER_BYTES {
            return Err(OpErrorKind::IdentifierTooLong {
                name: name.to_owned(),
                len: name.len(),
                dialect: "postgresql",
                max: MAX_IDENTIFIER_BYTES,
            });
        }
        Ok(self.quote_identifier(name))
    }

    /// `schema.name` or `name`.
    fn qualified(&self, schema: Option<&str>, name: &str) -> Result<String> {
        let name = self.ident(name)?;
        match schema {
            Some(schema) => Ok(format!("{}.{name}", self.ident(schema)?)),
            None => Ok(name),
        }
    }

    /// A constraint or index name: final names are shortened, given ones must fit.
    fn name(&self, name: &Name) -> Result<String> {
        match name {
            Name::Final(name) => {
                Ok(self.quote_identifier(&truncate_name(name, MAX_IDENTIFIER_BYTES)))
            }
            Name::Given(name) => self.ident(name),
        }
    }

    fn columns(&self, columns: &[String]) -> Result<String> {
        Ok(columns
            .iter()
            .map(|c| self.ident(c))
            .collect::<Result<Vec<_>>>()?
            .join(", "))
    }

    fn type_sql(&self, ty: &Type) -> Result<String> {
        Ok(match ty {
            Type::Numeric {
                precision: None,
                scale: Some(_),
            } => return Err(unsupported(ty, "a scale needs a precision")),
            Type::Numeric {
                precision: Some(p), ..
            } if !(1..=1000).contains(p) => {
                return Err(unsupported(ty, "precision must be between 1 and 1000"));
            }
            Type::Varchar(Some(n)) | Type::Char(Some(n)) if !(1..=MAX_CHAR_LENGTH).contains(n) => {
                return Err(unsupported(ty, "length must be between 1 and 10485760"));
            }
            Type::Array(element) => {
                if matches!(
                    **element,
                    Type::SmallSerial | Type::Serial | Type::BigSerial
                ) {
                    return Err(unsupported(ty, "serial types cannot be array elements"));
                }
                format!("{}[]", self.type_sql(element)?)
            }
            Type::Enum { schema, name } => self.qualified(schema.as_deref(), name)?,
            Type::Raw(sql) if sql.trim().is_empty() => {
                return Err(unsupported(ty, "a raw type needs SQL"));
            }
            other => other.to_string(),
        })
    }

    fn sequence_options(&self, options: &SequenceOptions) -> String {
        let mut sql = String::new();
        let mut push = |keyword: &str, value: Option<i64>| {
            if let Some(value) = value {
                sql.push_str(&format!(" {keyword} {value}"));
            }
        };
        push("INCREMENT BY", options.increment);
        push("START WITH", options.start);
        push("MINVALUE", options.min_value);
        push("MAXVALUE", options.max_value);
        push("CACHE", options.cache);
        if options.cycle {
            sql.push_str(" CYCLE");
        }
        sql
    }

    fn identity(&self, column: &Column, identity: &Identity) -> Result<String> {
        if !matches!(column.ty, Type::SmallInt | Type::Integer | Type::BigInt) {
            return Err(unsupported(
                &column.ty,
                "identity columns need smallint, integer or bigint",
            ));
        }
        let options = self.sequence_options(&identity.options);
        Ok(format!(
            " GENERATED {} AS IDENTITY{}",
            if identity.always {
                "ALWAYS"
            } else {
                "BY DEFAULT"
            },
            if options.is_empty() {
                String::new()
            } else {
                format!(" ({})", options.trim_start())
            }
        ))
    }

    fn default_sql(&self, default: &ServerDefault) -> String {
        match default {
            ServerDefault::Expression(sql) => sql.clone(),
            ServerDefault::Value(value) => self.literal(value),
        }
    }

    /// `name TYPE [DEFAULT x] [GENERATED ... AS IDENTITY] [NOT NULL]`, as SQLAlchemy orders it;
    /// identity columns get no `NOT NULL`, which identity implies.
    fn column_spec(&self, column: &Column, in_primary_key: bool) -> Result<String> {
        let mut sql = format!(
            "{} {}",
            self.ident(&column.name)?,
            self.type_sql(&column.ty)?
        );
        if let Some(default) = &column.server_default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_sql(default));
        }
        if let Some(identity) = &column.identity {
            sql.push_str(&self.identity(column, identity)?);
        } else if !column.nullable || in_primary_key {
            sql.push_str(" NOT NULL");
        }
        Ok(sql)
    }

    fn deferrability(&self, deferrable: Option<bool>, initially: Option<Initially>) -> String {
        let mut sql = String::new();
        match deferrable {
            Some(true) => sql.push_str(" DEFERRABLE"),
            Some(false) => sql.push_str(" NOT DEFERRABLE"),
            None => {}
        }
        match initially {
            Some(Initially::Deferred) => sql.push_str(" INITIALLY DEFERRED"),
            Some(Initially::Immediate) => sql.push_str(" INITIALLY IMMEDIATE"),
            None => {}
        }
        sql
    }

    /// A constraint as it appears in `CREATE TABLE` and after `ALTER TABLE ... ADD`.
    fn constraint_sql(&self, constraint: &Constraint) -> Result<String> {
        let prefix = match constraint.name() {
            Some(name) => format!("CONSTRAINT {} ", self.name(name)?),
            None => String::new(),
        };
        Ok(match constraint {
            Constraint::PrimaryKey(key) => {
                format!("{prefix}PRIMARY KEY ({})", self.columns(&key.columns)?)
            }
            Constraint::Unique(unique) => format!(
                "{prefix}UNIQUE {}({}){}",
                if unique.nulls_not_distinct {
                    "NULLS NOT DISTINCT "
                } else {
                    ""
                },
                self.columns(&unique.columns)?,
                self.deferrability(unique.deferrable, unique.initially)
            ),
            Constraint::Check(check) => format!("{prefix}CHECK ({})", check.condition),
            Constraint::ForeignKey(fk) => {
                let mut sql = format!(
                    "{prefix}FOREIGN KEY({}) REFERENCES {}",
                    self.columns(&fk.columns)?,
                    self.qualified(fk.referred_schema.as_deref(), &fk.referred_table)?
                );
                if !fk.referred_columns.is_empty() {
                    sql.push_str(&format!(" ({})", self.columns(&fk.referred_columns)?));
                }
                match fk.match_type {
                    Some(ForeignKeyMatch::Full) => sql.push_str(" MATCH FULL"),
                    Some(ForeignKeyMatch::Simple) => sql.push_str(" MATCH SIMPLE"),
                    None => {}
                }
                if let Some(action) = fk.on_delete {
                    sql.push_str(" ON DELETE ");
                    sql.push_str(action.as_sql());
                }
                if let Some(action) = fk.on_update {
                    sql.push_str(" ON UPDATE ");
                    sql.push_str(action.as_sql());
                }
                sql.push_str(&self.deferrability(fk.deferrable, fk.initially));
                sql
            }
        })
    }

    fn comment_sql(&self, target: &str, comment: Option<&str>) -> String {
        format!(
            "COMMENT ON {target} IS {}",
            comment.map_or_else(|| "NULL".to_owned(), string_literal)
        )
    }

    fn enum_label(&self, label: &str) -> Result<String> {
        if label.len() > MAX_IDENTIFIER_BYTES {
            return Err(OpErrorKind::Invalid(format!(
                "enum value '{label}' is {} bytes long; postgresql allows at most {MAX_IDENTIFIER_BYTES}",
                label.len()
            )));
        }
        Ok(string_literal(label))
    }

    fn render(&self, operation: &Operation, out: &mut Vec<Statement>) -> Result<()> {
        let mut push = |sql: String| out.push(Statement::new(sql));
        match operation {
            Operation::Execute { sql, params } => {
                return self.execute(sql, params, out);
            }
            // Handled by `statements`, which marks the statements non-transactional.
            Operation::AutocommitBlock(_) => {}
            Operation::CreateTable(table) => {
                for sql in self.create_table(table)? {
                    push(sql);
                }
            }
            Operation::DropTable(drop) => push(format!(
                "DROP TABLE {}{}{}",
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.qualified(drop.schema.as_deref(), &drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::RenameTable(rename) => push(format!(
                "ALTER TABLE {} RENAME TO {}",
                self.qualified(rename.schema.as_deref(), &rename.name)?,
                self.ident(&rename.new_name)?
            )),
            Operation::TableComment(comment) => push(self.comment_sql(
                &format!(
                    "TABLE {}",
                    self.qualified(comment.schema.as_deref(), &comment.table)?
                ),
                comment.comment.as_deref(),
            )),
            Operation::AddColumn(add) => {
                for sql in self.add_column(add)? {
                    push(sql);
                }
            }
            Operation::DropColumn(drop) => push(format!(
                "ALTER TABLE {} DROP COLUMN {}{}{}",
                self.qualified(drop.schema.as_deref(), &drop.table)?,
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.ident(&drop.column)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::AlterColumn(alter) => {
                for sql in self.alter_column(alter)? {
                    push(sql);
                }
            }
            Operation::CreateIndex(index) => {
                let sql = self.create_index(index)?;
                out.push(Statement {
                    sql,
                    params: Vec::new(),
                    transactional: !index.concurrently,
                });
            }
            Operation::DropIndex(drop) => {
                let name = self.name(&drop.name)?;
                let sql = format!(
                    "DROP INDEX {}{}{}{}",
                    if drop.concurrently {
                        "CONCURRENTLY "
                    } else {
                        ""
                    },
                    if drop.if_exists { "IF EXISTS " } else { "" },
                    match &drop.schema {
                        Some(schema) => format!("{}.{name}", self.ident(schema)?),
                        None => name,
                    },
                    if drop.cascade { " CASCADE" } else { "" }
                );
                out.push(Statement {
                    sql,
                    params: Vec::new(),
                    transactional: !drop.concurrently,
                });
            }
            Operation::AddConstraint(add) => push(format!(
                "ALTER TABLE {} ADD {}",
                self.qualified(add.schema.as_deref(), &add.table)?,
                self.constraint_sql(&add.constraint)?
            )),
            Operation::DropConstraint(drop) => push(format!(
                "ALTER TABLE {} DROP CONSTRAINT {}{}{}",
                self.qualified(drop.schema.as_deref(), &drop.table)?,
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.name(&drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::CreateEnum(create) => {
                let labels = create
                    .values
                    .iter()
                    .map(|v| self.enum_label(v))
                    .collect::<Result<Vec<_>>>()?;
                push(format!(
                    "CREATE TYPE {} AS ENUM ({})",
                    self.qualified(create.schema.as_deref(), &create.name)?,
                    labels.join(", ")
                ));
            }
            Operation::DropEnum(drop) => push(format!(
                "DROP TYPE {}{}{}",
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.qualified(drop.schema.as_deref(), &drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::AddEnumValue(add) => {
                let position = match &add.position {
                    Some(EnumValuePosition::Before(label)) => {
                        format!(" BEFORE {}", self.enum_label(label)?)
                    }
                    Some(EnumValuePosition::After(label)) => {
                        format!(" AFTER {}", self.enum_label(label)?)
                    }
                    None => String::new(),
                };
                let sql = format!(
                    "ALTER TYPE {} ADD VALUE {}{}{position}",
                    self.qualified(add.schema.as_deref(), &add.name)?,
                    if add.if_not_exists {
                        "IF NOT EXISTS "
                    } else {
                        ""
                    },
                    self.enum_label(&add.value)?
                );
                // PostgreSQL before 12 refuses this in a transaction block; later versions
                // refuse to use the new label before the transaction commits.
                out.push(Statement {
                    sql,
                    params: Vec::new(),
                    transactional: false,
                });
            }
            Operation::RenameEnumValue(rename) => push(format!(
                "ALTER TYPE {} RENAME VALUE {} TO {}",
                self.qualified(rename.schema.as_deref(), &rename.name)?,
                self.enum_label(&rename.value)?,
                self.enum_label(&rename.new_value)?
            )),
            Operation::CreateSequence(create) => {
                let data_type = match &create.data_type {
                    None => String::new(),
                    Some(ty @ (Type::SmallInt | Type::Integer | Type::BigInt)) => {
                        format!(" AS {ty}")
                    }
                    Some(ty) => {
                        return Err(unsupported(
                            ty,
                            "sequences need smallint, integer or bigint",
                        ));
                    }
                };
                push(format!(
                    "CREATE SEQUENCE {}{}{data_type}{}",
                    if create.if_not_exists {
                        "IF NOT EXISTS "
                    } else {
                        ""
                    },
                    self.qualified(create.schema.as_deref(), &create.name)?,
                    self.sequence_options(&create.options)
                ));
            }
            Operation::DropSequence(drop) => push(format!(
                "DROP SEQUENCE {}{}{}",
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.qualified(drop.schema.as_deref(), &drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::CreateSchema(create) => push(format!(
                "CREATE SCHEMA {}{}",
                if create.if_not_exists {
                    "IF NOT EXISTS "
                } else {
                    ""
                },
                self.ident(&create.name)?
            )),
            Operation::DropSchema(drop) => push(format!(
                "DROP SCHEMA {}{}{}",
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.ident(&drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::CreateExtension(create) => {
                let mut sql = format!(
                    "CREATE EXTENSION {}{}",
                    if create.if_not_exists {
                        "IF NOT EXISTS "
                    } else {
                        ""
                    },
                    self.ident(&create.name)?
                );
                if let Some(schema) = &create.schema {
                    sql.push_str(&format!(" SCHEMA {}", self.ident(schema)?));
                }
                if let Some(version) = &create.version {
                    sql.push_str(&format!(" VERSION {}", string_literal(version)));
                }
                if create.cascade {
                    sql.push_str(" CASCADE");
                }
                push(sql);
            }
            Operation::DropExtension(drop) => push(format!(
                "DROP EXTENSION {}{}{}",
                if drop.if_exists { "IF EXISTS " } else { "" },
                self.ident(&drop.name)?,
                if drop.cascade { " CASCADE" } else { "" }
            )),
            Operation::BulkInsert(insert) => self.bulk_insert(insert, out)?,
        }
        Ok(())
    }

    fn create_table(&self, table: &CreateTable) -> Result<Vec<String>> {
        let mut table = table.clone();
        table.normalize();
        let qualified = self.qualified(table.schema.as_deref(), &table.name)?;
        let key_columns: &[String] = table
            .constraints
            .iter()
            .find_map(|c| match c {
                Constraint::PrimaryKey(key) => Some(&key.columns[..]),
                _ => None,
            })
            .unwrap_or(&[]);
        let mut lines = Vec::new();
        for column in &table.columns {
            lines.push(self.column_spec(column, key_columns.contains(&column.name))?);
        }
        for constraint in &table.constraints {
            lines.push(self.constraint_sql(constraint)?);
        }
        let body = if lines.is_empty() {
            "()".to_owned()
        } else {
            format!("(\n    {}\n)", lines.join(",\n    "))
        };
        let mut statements = vec![format!(
            "CREATE TABLE {}{qualified} {body}",
            if table.if_not_exists {
                "IF NOT EXISTS "
            } else {
                ""
            }
        )];
        if let Some(comment) = &table.comment {
            statements.push(self.comment_sql(&format!("TABLE {qualified}"), Some(comment)));
        }
        for column in &table.columns {
            if let Some(comment) = &column.comment {
                statements.push(self.comment_sql(
                    &format!("COLUMN {qualified}.{}", self.ident(&column.name)?),
                    Some(comment),
                ));
            }
        }
        Ok(statements)
    }

    fn add_column(&self, add: &AddColumn) -> Result<Vec<String>> {
        let mut add = add.clone();
        add.normalize();
        let table = self.qualified(add.schema.as_deref(), &add.table)?;
        let in_key = add
            .constraints
            .iter()
            .any(|c| matches!(c, Constraint::PrimaryKey(_)));
        let mut statements = vec![format!(
            "ALTER TABLE {table} ADD COLUMN {}{}",
            if add.if_not_exists {
                "IF NOT EXISTS "
            } else {
                ""
            },
            self.column_spec(&add.column, in_key)?
        )];
        if let Some(comment) = &add.column.comment {
            statements.push(self.comment_sql(
                &format!("COLUMN {table}.{}", self.ident(&add.column.name)?),
                Some(comment),
            ));
        }
        for constraint in &add.constraints {
            statements.push(format!(
                "ALTER TABLE {table} ADD {}",
                self.constraint_sql(constraint)?
            ));
        }
        Ok(statements)
    }

    /// One statement per aspect, in Alembic's order: type, nullability, default, comment,
    /// rename.
    fn alter_column(&self, alter: &AlterColumn) -> Result<Vec<String>> {
        let table = self.qualified(alter.schema.as_deref(), &alter.table)?;
        let column = self.ident(&alter.column)?;
        let prefix = format!("ALTER TABLE {table} ALTER COLUMN {column}");
        let mut statements = Vec::new();
        if let Some(new_type) = &alter.new_type {
            let mut sql = format!("{prefix} TYPE {}", self.type_sql(new_type)?);
            if let Some(using) = &alter.using {
                sql.push_str(" USING ");
                sql.push_str(using);
            }
            statements.push(sql);
        }
        match alter.nullable {
            Some(true) => statements.push(format!("{prefix} DROP NOT NULL")),
            Some(false) => statements.push(format!("{prefix} SET NOT NULL")),
            None => {}
        }
        match &alter.server_default {
            Some(Some(default)) => {
                statements.push(format!(
                    "{prefix} SET DEFAULT {}",
                    self.default_sql(default)
                ));
            }
            Some(None) => statements.push(format!("{prefix} DROP DEFAULT")),
            None => {}
        }
        if let Some(comment) = &alter.comment {
            statements
                .push(self.comment_sql(&format!("COLUMN {table}.{column}"), comment.as_deref()));
        }
        if let Some(new_name) = &alter.new_name {
            statements.push(format!(
                "ALTER TABLE {table} RENAME {column} TO {}",
                self.ident(new_name)?
            ));
        }
        Ok(statements)
    }

    fn create_index(&self, index: &CreateIndex) -> Result<String> {
        if index.name.is_none() && index.if_not_exists {
            return Err(OpErrorKind::Invalid(
                "if_not_exists needs an index name".to_owned(),
            ));
        }
        let elements = index
            .elements
            .iter()
            .map(|element| match element {
                IndexElement::Column(column) => self.ident(column),
                IndexElement::Expression(sql) => Ok(sql.clone()),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut sql = format!(
            "CREATE {}INDEX {}{}",
            if index.unique { "UNIQUE " } else { "" },
            if index.concurrently {
                "CONCURRENTLY "
            } else {
                ""
            },
            if index.if_not_exists {
                "IF NOT EXISTS "
            } else {
                ""
            },
        );
        if let Some(name) = &index.name {
            sql.push_str(&self.name(name)?);
            sql.push(' ');
        }
        sql.push_str("ON ");
        sql.push_str(&self.qualified(index.schema.as_deref(), &index.table)?);
        if let Some(method) = &index.method {
            sql.push_str(" USING ");
            sql.push_str(method.as_sql());
        }
        sql.push_str(&format!(" ({})", elements.join(", ")));
        if !index.include.is_empty() {
            sql.push_str(&format!(" INCLUDE ({})", self.columns(&index.include)?));
        }
        if index.nulls_not_distinct {
            sql.push_str(" NULLS NOT DISTINCT");
        }
        if let Some(predicate) = &index.predicate {
            sql.push_str(" WHERE ");
            sql.push_str(predicate);
        }
        Ok(sql)
    }

    /// Multi-row `INSERT`s with one placeholder per value, at most 1,000 rows and 65,535
    /// parameters each.
    fn bulk_insert(&self, insert: &BulkInsert, out: &mut Vec<Statement>) -> Result<()> {
        let table = self.qualified(insert.schema.as_deref(), &insert.table)?;
        let columns = self.columns(&insert.columns)?;
        let rows_per_statement = (MAX_PARAMS / insert.columns.len()).clamp(1, MAX_ROWS_PER_INSERT);
        for chunk in insert.rows.chunks(rows_per_statement) {
            let mut params = Vec::with_capacity(chunk.len() * insert.columns.len());
            let mut tuples = Vec::with_capacity(chunk.len());
            for row in chunk {
                let mut placeholders = Vec::with_capacity(row.len());
                for value in row {
                    params.push(value.clone());
                    placeholders.push(self.placeholder(params.len()));
                }
                tuples.push(format!("({})", placeholders.join(", ")));
            }
            out.push(Statement::with_params(
                format!(
                    "INSERT INTO {table} ({columns}) VALUES {}",
                    tuples.join(", ")
                ),
                params,
            ));
        }
        Ok(())
    }

    fn execute(&self, sql: &str, params: &[Value], out: &mut Vec<Statement>) -> Result<()> {
        let pieces = split_statements(sql);
        if params.is_empty() {
            out.extend(pieces.into_iter().map(|piece| Statement {
                sql: piece.sql,
                params: Vec::new(),
                transactional: piece.transactional,
            }));
            return Ok(());
        }
        let [piece] = &pieces[..] else {
            return Err(OpErrorKind::ParamsNeedOneStatement(pieces.len()));
        };
        let used = lexer::max_placeholder(&piece.sql);
        if used != params.len() {
            return Err(OpErrorKind::ParamCount {
                used,
                given: params.len(),
            });
        }
        out.push(Statement {
            sql: piece.sql.clone(),
            params: params.to_vec(),
            transactional: piece.transactional,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{RESERVED_WORDS, is_numeric_literal};

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn numeric_literals() {
        for ok in ["0", "12.50", "-1", ".5", "5.", "1e10", "1.5E-3", "-0.0"] {
            assert!(is_numeric_literal(ok), "{ok}");
        }
        for bad in [
            "", "-", ".", "NaN", "1e", "1e+", "1,5", "0x1F", " 1", "1 ", "--1", "Infinity",
        ] {
            assert!(!is_numeric_literal(bad), "{bad}");
        }
    }
}

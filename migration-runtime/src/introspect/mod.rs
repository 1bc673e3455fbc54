//! Introspection: the live PostgreSQL schema read into a [`Metadata`], the current side of an
//! autogenerate comparison.
//!
//! [`introspect`] reads tables, columns (type, nullability, server default, identity,
//! comment), primary keys, foreign keys, unique and check constraints, indexes, enum types,
//! standalone sequences and table comments of the schemas [`IntrospectOptions`] selects, in a
//! fixed number of catalog queries ([`QUERY_COUNT`]) whatever the number of tables: each
//! query reads one kind of object for every table at once, and the queries are pipelined
//! on the connection, so the whole read costs about one round trip.
//!
//! What PostgreSQL normalises is read back the way PostgreSQL prints it (`format_type`,
//! `pg_get_expr`, `pg_get_indexdef`, `pg_get_constraintdef`), so that a schema created from
//! operations and read back compares equal to the [`Metadata`] those operations describe:
//!
//! * a column whose default is `nextval()` of a sequence it owns, named as PostgreSQL names
//!   a `SERIAL`'s sequence, with PostgreSQL's default options, is a [`Type::Serial`] (or
//!   `SmallSerial`/`BigSerial`) column without a default; the sequence is part of the
//!   column, not a [`Sequence`];
//! * identity and sequence options equal to PostgreSQL's defaults are `None`;
//! * the default schema (`public`) is `schema: None`, like a search-path name in a revision;
//! * every constraint and index name is final ([`Name::Final`]);
//! * foreign-key options at their defaults (`NO ACTION`, `MATCH SIMPLE`, `NOT DEFERRABLE`)
//!   are `None`.
//!
//! Objects owned by extensions (`pg_depend.deptype = 'e'`, such as PostGIS's
//! `spatial_ref_sys`) are left out unless [`IntrospectOptions::include_extension_objects`]
//! says otherwise; the version table is always left out.
//!
//! [`shadow_metadata`] reads a declarative `schema.sql` the same way: it applies the SQL to a
//! temporary database and introspects that, so both sides of a comparison come from the
//! same code.

mod shadow;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use postgres_types::Type as PgType;
use tokio_postgres::{Client, Row};

use crate::schema::{
    CheckConstraint, Column, Constraint, EnumType, ForeignKey, ForeignKeyMatch, Identity, Index,
    IndexElement, IndexMethod, Initially, Metadata, Name, PrimaryKey, ReferentialAction, Sequence,
    SequenceOptions, ServerDefault, Table, Type, UniqueConstraint,
};

pub use shadow::{
    SHADOW_DATABASE_PREFIX, ShadowError, ShadowOptions, shadow_metadata, shadow_metadata_with,
};

/// How many catalog queries [`introspect`] issues, whatever the size of the schema.
pub const QUERY_COUNT: usize = 7;

/// What [`introspect`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// The schemas to read. Default: `["public"]`.
    pub include_schemas: Vec<String>,
    /// Read every schema except PostgreSQL's own (`pg_catalog`, `information_schema`,
    /// `pg_toast`, temporary schemas), in addition to `include_schemas`.
    pub all_schemas: bool,
    /// The schema whose objects get `schema: None`, as unqualified names in revisions
    /// resolve to it. Default: `public`.
    pub default_schema: String,
    /// The version table's name, always left out. Default: `alembic_version`.
    pub version_table: String,
    /// The version table's schema; `None` is the default schema.
    pub version_table_schema: Option<String>,
    /// Also read objects that belong to extensions (`pg_depend.deptype = 'e'`). Default:
    /// false, so that `CREATE EXTENSION postgis` does not make autogenerate drop
    /// `spatial_ref_sys`.
    pub include_extension_objects: bool,
}

impl Default for IntrospectOptions {
    fn default() -> IntrospectOptions {
        IntrospectOptions {
            include_schemas: vec!["public".to_owned()],
            all_schemas: false,
            default_schema: "public".to_owned(),
            version_table: "alembic_version".to_owned(),
            version_table_schema: None,
            include_extension_objects: false,
        }
    }
}

impl IntrospectOptions {
    /// Reads `schemas` (and no others unless [`IntrospectOptions::all_schemas`] is set).
    pub fn schemas<I, S>(mut self, schemas: I) -> IntrospectOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include_schemas = schemas.into_iter().map(Into::into).collect();
        self
    }

    /// The version table to leave out.
    pub fn version_table(mut self, name: &str, schema: Option<&str>) -> IntrospectOptions {
        self.version_table = name.to_owned();
        self.version_table_schema = schema.map(str::to_owned);
        self
    }
}

/// A catalog query that failed.
#[derive(Debug, thiserror::Error)]
#[error("introspection failed reading {what}: {message}")]
pub struct IntrospectError {
    /// What was being read: `columns`, `indexes`, ...
    pub what: &'static str,
    /// The server's message, or the driver's.
    pub message: String,
    /// The driver's error.
    #[source]
    pub source: tokio_postgres::Error,
}

impl IntrospectError {
    fn new(what: &'static str, source: tokio_postgres::Error) -> IntrospectError {
        IntrospectError {
            what,
            message: error_message(&source),
            source,
        }
    }
}

/// The server's message for a database error, the driver's otherwise.
pub(crate) fn error_message(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => {
            let mut message = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                message.push_str(&format!(" ({detail})"));
            }
            message
        }
        None => err.to_string(),
    }
}

/// What [`introspect_with_report`] found, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrospectReport {
    /// The schema.
    pub metadata: Metadata,
    /// Catalog queries issued, counted as they are sent: [`QUERY_COUNT`] whatever the size
    /// of the schema.
    pub queries: usize,
    /// Objects and attributes the model cannot represent and that were left out or
    /// simplified (partitioned tables, exclusion constraints, generated-column expressions,
    /// index storage parameters, ...), one line each.
    pub skipped: Vec<String>,
}

/// Reads the schema of the database `client` is connected to.
///
/// # Errors
///
/// [`IntrospectError`] when a catalog query fails, naming what it was reading.
pub async fn introspect(
    client: &Client,
    options: &IntrospectOptions,
) -> std::result::Result<Metadata, IntrospectError> {
    Ok(introspect_with_report(client, options).await?.metadata)
}

/// [`introspect`], also returning the number of queries issued and what was left out.
///
/// # Errors
///
/// As [`introspect`].
pub async fn introspect_with_report(
    client: &Client,
    options: &IntrospectOptions,
) -> std::result::Result<IntrospectReport, IntrospectError> {
    let schemas: Vec<String> = options.include_schemas.clone();
    let all = options.all_schemas;
    let extensions = options.include_extension_objects;
    let params: [(&(dyn postgres_types::ToSql + Sync), PgType); 3] = [
        (&schemas, PgType::TEXT_ARRAY),
        (&all, PgType::BOOL),
        (&extensions, PgType::BOOL),
    ];
    let queries = AtomicUsize::new(0);
    // Sent together: tokio-postgres pipelines concurrent queries on one connection.
    let (
        schema_rows,
        table_rows,
        column_rows,
        constraint_rows,
        index_rows,
        enum_rows,
        sequence_rows,
    ) = tokio::try_join!(
        run(client, &queries, "schemas", SCHEMAS_SQL, &params),
        run(client, &queries, "tables", TABLES_SQL, &params),
        run(client, &queries, "columns", COLUMNS_SQL, &params),
        run(client, &queries, "constraints", CONSTRAINTS_SQL, &params),
        run(client, &queries, "indexes", INDEXES_SQL, &params),
        run(client, &queries, "enum types", ENUMS_SQL, &params),
        run(client, &queries, "sequences", SEQUENCES_SQL, &params),
    )?;
    let mut reader = Reader {
        options,
        metadata: Metadata::new(),
        skipped: Vec::new(),
        tables: BTreeMap::new(),
        serial_sequences: HashSet::new(),
        column_names: HashMap::new(),
    };
    reader.schemas(&schema_rows)?;
    reader.tables(&table_rows)?;
    reader.columns(&column_rows)?;
    reader.constraints(&constraint_rows)?;
    reader.indexes(&index_rows)?;
    reader.enums(&enum_rows)?;
    reader.sequences(&sequence_rows)?;
    let Reader {
        mut metadata,
        tables,
        skipped,
        ..
    } = reader;
    for (_, table) in tables {
        metadata.add_table(table);
    }
    Ok(IntrospectReport {
        metadata,
        queries: queries.into_inner(),
        skipped,
    })
}

/// Runs one catalog query, counting it.
async fn run(
    client: &Client,
    queries: &AtomicUsize,
    what: &'static str,
    sql: &str,
    params: &[(&(dyn postgres_types::ToSql + Sync), PgType)],
) -> std::result::Result<Vec<Row>, IntrospectError> {
    queries.fetch_add(1, Ordering::Relaxed);
    client
        .query_typed(sql, params)
        .await
        .map_err(|err| IntrospectError::new(what, err))
}

/// The schema filter every query shares: `$1` the included schemas, `$2` all schemas.
macro_rules! schema_filter {
    ($nsp:literal) => {
        concat!(
            "(",
            $nsp,
            ".nspname = ANY($1) OR ($2 AND ",
            $nsp,
            ".nspname NOT IN ('pg_catalog', 'information_schema') AND ",
            $nsp,
            ".nspname NOT LIKE 'pg\\_toast%' AND ",
            $nsp,
            ".nspname NOT LIKE 'pg\\_temp\\_%'))"
        )
    };
}

/// `$3`: include extension members; otherwise leave out objects of class `$class` that
/// belong to an extension.
macro_rules! not_extension_member {
    ($class:literal, $oid:literal) => {
        concat!(
            "($3 OR NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.classid = '",
            $class,
            "'::regclass AND ext.objid = ",
            $oid,
            " AND ext.deptype = 'e'))"
        )
    };
}

const SCHEMAS_SQL: &str = concat!(
    "SELECT n.nspname::text, $3::bool FROM pg_namespace n WHERE ",
    schema_filter!("n"),
    " AND ",
    not_extension_member!("pg_namespace", "n.oid"),
    " ORDER BY 1"
);

const TABLES_SQL: &str = concat!(
    "SELECT c.oid, n.nspname::text, c.relname::text, ",
    "(SELECT d.description FROM pg_description d WHERE d.objoid = c.oid ",
    "AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0), c.relkind::text, c.relispartition ",
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE c.relkind IN ('r', 'p') AND ",
    schema_filter!("n"),
    " AND ",
    not_extension_member!("pg_class", "c.oid"),
    " ORDER BY 2, 3"
);

const COLUMNS_SQL: &str = concat!(
    "SELECT a.attrelid, a.attnum, a.attname::text, format_type(a.atttypid, a.atttypmod), ",
    "a.attnotnull, a.attidentity::text, a.attgenerated::text, def.expr, ",
    "(SELECT d.description FROM pg_description d WHERE d.objoid = a.attrelid ",
    "AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum), ",
    "t.typtype::text, tn.nspname::text, t.typname::text, et.typtype::text, etn.nspname::text, et.typname::text, ",
    "seq.deptype, seq.seqrelid, seq.seqname, seq.seqtype, seq.seqstart, seq.seqincrement, seq.seqmax, ",
    "seq.seqmin, seq.seqcache, seq.seqcycle, ",
    "coalesce(def.expr = format('nextval(%L::regclass)', seq.seqrelid::regclass::text), false), ",
    "c.relname::text, a.attcollation <> t.typcollation AND a.attcollation <> 0, $3::bool ",
    "FROM pg_attribute a ",
    "JOIN pg_class c ON c.oid = a.attrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "JOIN pg_type t ON t.oid = a.atttypid ",
    "JOIN pg_namespace tn ON tn.oid = t.typnamespace ",
    "LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' ",
    "LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace ",
    "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum ",
    // Deparsed once per column (`OFFSET 0` keeps the planner from copying the call).
    "LEFT JOIN LATERAL (SELECT pg_get_expr(ad.adbin, ad.adrelid) AS expr OFFSET 0) def ON true ",
    // The sequence a column owns: its identity's, or a SERIAL's (OWNED BY).
    "LEFT JOIN (SELECT DISTINCT ON (dep.refobjid, dep.refobjsubid) dep.refobjid, dep.refobjsubid, ",
    "dep.deptype::text AS deptype, s.seqrelid, sc.relname::text AS seqname, ",
    "format_type(s.seqtypid, NULL) AS seqtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle ",
    "FROM pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid JOIN pg_class sc ON sc.oid = s.seqrelid ",
    "WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass ",
    "AND dep.deptype IN ('a', 'i') ",
    "ORDER BY dep.refobjid, dep.refobjsubid, dep.deptype = 'i' DESC, s.seqrelid",
    ") seq ON seq.refobjid = a.attrelid AND seq.refobjsubid = a.attnum ",
    "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ",
    schema_filter!("n"),
    " ORDER BY a.attrelid, a.attnum"
);

const CONSTRAINTS_SQL: &str = concat!(
    // Column numbers are named from the columns query; only foreign keys to tables outside
    // the schemas read name their referred columns here.
    "SELECT con.conrelid, con.conname::text, con.contype::text, con.conkey::int2[], ",
    "fn.nspname::text, fc.relname::text, con.confrelid, con.confkey::int2[], ",
    "CASE WHEN con.contype = 'f' AND NOT ",
    schema_filter!("fn"),
    " THEN ARRAY(SELECT att.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) ",
    "JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.attnum ORDER BY k.ord) END, ",
    "con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text, con.condeferrable, con.condeferred, ",
    "CASE WHEN con.contype IN ('c', 'x') THEN pg_get_constraintdef(con.oid) ELSE '' END, ",
    "CASE WHEN con.contype = 'u' THEN coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false) ELSE false END, ",
    "$3::bool ",
    "FROM pg_constraint con ",
    "JOIN pg_class c ON c.oid = con.conrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "LEFT JOIN pg_class fc ON fc.oid = con.confrelid ",
    "LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace ",
    "LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype = 'u' ",
    "WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND c.relkind IN ('r', 'p') AND ",
    schema_filter!("n"),
    " ORDER BY con.conrelid, con.conname"
);

const INDEXES_SQL: &str = concat!(
    // `pg_get_indexdef` costs most of the query, so it runs only for indexes with more than
    // plain columns: expressions, ordering options, operator classes or collations other
    // than the defaults, storage parameters. Column numbers are named from the columns query.
    "SELECT i.indrelid, ic.relname::text, ",
    "CASE WHEN i.indexprs IS NOT NULL OR ic.reloptions IS NOT NULL ",
    "OR NOT (i.indoption::int2[] <@ '{0}'::int2[]) ",
    "OR NOT (i.indclass::oid[] <@ (SELECT array_agg(oc.oid) FROM pg_opclass oc WHERE oc.opcdefault)) ",
    "OR NOT (i.indcollation::oid[] <@ '{0,100}'::oid[]) ",
    "THEN pg_get_indexdef(i.indexrelid) END, i.indisunique, am.amname::text, ",
    "i.indnkeyatts, i.indkey::int2[], pg_get_expr(i.indpred, i.indrelid), ",
    "CASE WHEN i.indisunique THEN coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false) ELSE false END, ",
    "$3::bool ",
    "FROM pg_index i ",
    "JOIN pg_class ic ON ic.oid = i.indexrelid ",
    "JOIN pg_am am ON am.oid = ic.relam ",
    "JOIN pg_class c ON c.oid = i.indrelid ",
    "JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE c.relkind IN ('r', 'p') AND ",
    schema_filter!("n"),
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid ",
    "AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) ",
    "ORDER BY i.indrelid, ic.relname"
);

const ENUMS_SQL: &str = concat!(
    "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) ",
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid ",
    "WHERE t.typtype = 'e' AND ",
    schema_filter!("n"),
    " AND ",
    not_extension_member!("pg_type", "t.oid"),
    " GROUP BY n.nspname, t.typname ORDER BY 1, 2"
);

const SEQUENCES_SQL: &str = concat!(
    "SELECT s.seqrelid, n.nspname::text, c.relname::text, format_type(s.seqtypid, NULL), s.seqstart, ",
    "s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle, ",
    "EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid ",
    "AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'i'), ",
    "(SELECT format('%s.%s', tc.relname, att.attname) FROM pg_depend dep ",
    "JOIN pg_class tc ON tc.oid = dep.refobjid JOIN pg_attribute att ON att.attrelid = tc.oid AND att.attnum = dep.refobjsubid ",
    "WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.refclassid = 'pg_class'::regclass ",
    "AND dep.deptype = 'a' LIMIT 1) ",
    "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace ",
    "WHERE ",
    schema_filter!("n"),
    " AND ",
    not_extension_member!("pg_class", "c.oid"),
    " ORDER BY 2, 3"
);

/// Builds the [`Metadata`] from the rows of the catalog queries.
struct Reader<'a> {
    options: &'a IntrospectOptions,
    metadata: Metadata,
    skipped: Vec<String>,
    /// Tables by oid, filled by `tables` and completed by the later steps.
    tables: BTreeMap<u32, Table>,
    /// Sequences that belong to a `SERIAL` column, so not standalone.
    serial_sequences: HashSet<u32>,
    /// Column names by table oid and column number, for constraints and indexes.
    column_names: HashMap<(u32, i16), String>,
}

type Result<T> = std::result::Result<T, IntrospectError>;

/// Reads column `index` of `row`, naming `what` on a type mismatch.
fn get<'r, T: postgres_types::FromSql<'r>>(
    row: &'r Row,
    index: usize,
    what: &'static str,
) -> Result<T> {
    row.try_get(index)
        .map_err(|err| IntrospectError::new(what, err))
}

impl Reader<'_> {
    /// `None` for the default schema.
    fn schema_of(&self, schema: String) -> Option<String> {
        (schema != self.options.default_schema).then_some(schema)
    }

    fn schemas(&mut self, rows: &[Row]) -> Result<()> {
        for row in rows {
            let name: String = get(row, 0, "schemas")?;
            if let Some(schema) = self.schema_of(name) {
                self.metadata.schemas.insert(schema);
            }
        }
        Ok(())
    }

    fn tables(&mut self, rows: &[Row]) -> Result<()> {
        let version_schema = self
            .options
            .version_table_schema
            .clone()
            .unwrap_or_else(|| self.options.default_schema.clone());
        for row in rows {
            let what = "tables";
            let oid: u32 = get(row, 0, what)?;
            let schema: String = get(row, 1, what)?;
            let name: String = get(row, 2, what)?;
            let comment: Option<String> = get(row, 3, what)?;
            let kind: String = get(row, 4, what)?;
            let partition: bool = get(row, 5, what)?;
            if name == self.options.version_table && schema == version_schema {
                continue;
            }
            if kind == "p" || partition {
                self.skipped.push(format!(
                    "table {schema}.{name}: partitioned tables and partitions are not compared"
                ));
                continue;
            }
            let mut table = Table::new(name);
            table.schema = self.schema_of(schema);
            table.comment = comment;
            self.tables.insert(oid, table);
        }
        Ok(())
    }

    fn columns(&mut self, rows: &[Row]) -> Result<()> {
        let what = "columns";
        for row in rows {
            let oid: u32 = get(row, 0, what)?;
            let number: i16 = get(row, 1, what)?;
            let name: String = get(row, 2, what)?;
            self.column_names.insert((oid, number), name.clone());
            let Some(table) = self.tables.get_mut(&oid) else {
                continue;
            };
            let formatted: String = get(row, 3, what)?;
            let not_null: bool = get(row, 4, what)?;
            let identity: String = get(row, 5, what)?;
            let generated: String = get(row, 6, what)?;
            let default: Option<String> = get(row, 7, what)?;
            let comment: Option<String> = get(row, 8, what)?;
            let typtype: String = get(row, 9, what)?;
            let type_schema: String = get(row, 10, what)?;
            let type_name: String = get(row, 11, what)?;
            let element_typtype: Option<String> = get(row, 12, what)?;
            let element_schema: Option<String> = get(row, 13, what)?;
            let element_name: Option<String> = get(row, 14, what)?;
            let dep_type: Option<String> = get(row, 15, what)?;
            let seq_oid: Option<u32> = get(row, 16, what)?;
            let seq_name: Option<String> = get(row, 17, what)?;
            let seq_type: Option<String> = get(row, 18, what)?;
            let seq_options = if dep_type.is_some() {
                Some(SequenceOptions {
                    start: get(row, 19, what)?,
                    increment: get(row, 20, what)?,
                    max_value: get(row, 21, what)?,
                    min_value: get(row, 22, what)?,
                    cache: get(row, 23, what)?,
                    cycle: get::<Option<bool>>(row, 24, what)?.unwrap_or(false),
                })
            } else {
                None
            };
            let is_default: Option<bool> = get(row, 25, what)?;
            let table_name: String = get(row, 26, what)?;
            let collated: Option<bool> = get(row, 27, what)?;

            let qualified = format!("{}.{name}", table.qualified_name());
            let default_schema = &self.options.default_schema;
            let mut ty = if typtype == "e" {
                Type::Enum {
                    schema: (type_schema != *default_schema).then_some(type_schema),
                    name: type_name,
                }
            } else if element_typtype.as_deref() == Some("e") {
                let schema = element_schema.unwrap_or_default();
                Type::Array(Box::new(Type::Enum {
                    schema: (schema != *default_schema).then_some(schema),
                    name: element_name.unwrap_or_default(),
                }))
            } else {
                parse_type(&formatted)
            };
            let mut column = Column::new(name.clone(), ty.clone());
            column.nullable = !not_null;
            column.comment = comment;
            column.server_default = default.clone().map(ServerDefault::Expression);
            if generated == "s" {
                self.skipped.push(format!(
                    "column {qualified}: generated column read as a plain column; its expression ({}) is not compared",
                    default.as_deref().unwrap_or("?")
                ));
                column.server_default = None;
            }
            if collated == Some(true) {
                self.skipped
                    .push(format!("column {qualified}: its collation is not compared"));
            }
            match (dep_type.as_deref(), seq_options) {
                (Some("i"), Some(options)) if matches!(identity.as_str(), "a" | "d") => {
                    column.identity = Some(Identity {
                        always: identity == "a",
                        options: canonical_sequence_options(&options, &ty),
                    });
                    column.server_default = None;
                }
                (Some("a"), Some(options)) => {
                    let serial = match ty {
                        Type::SmallInt => Some(Type::SmallSerial),
                        Type::Integer => Some(Type::Serial),
                        Type::BigInt => Some(Type::BigSerial),
                        _ => None,
                    };
                    let expected_name = make_object_name(&table_name, &name, "seq");
                    let canonical = canonical_sequence_options(&options, &ty);
                    if let Some(serial) = serial
                        && is_default == Some(true)
                        && not_null
                        && seq_name.as_deref() == Some(expected_name.as_str())
                        && seq_type.as_deref().map(parse_type).as_ref() == Some(&ty)
                        && canonical == SequenceOptions::default()
                    {
                        ty = serial;
                        column.ty = ty.clone();
                        column.server_default = None;
                        if let Some(oid) = seq_oid {
                            self.serial_sequences.insert(oid);
                        }
                    }
                }
                _ => {}
            }
            table.columns.push(column);
        }
        Ok(())
    }

    /// Names column numbers of table `oid`.
    fn column_list(&self, oid: u32, numbers: &[i16]) -> Vec<String> {
        numbers
            .iter()
            .map(|n| {
                self.column_names
                    .get(&(oid, *n))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    fn constraints(&mut self, rows: &[Row]) -> Result<()> {
        let what = "constraints";
        for row in rows {
            let oid: u32 = get(row, 0, what)?;
            let Some(table) = self.tables.get(&oid) else {
                continue;
            };
            let name: String = get(row, 1, what)?;
            let kind: String = get(row, 2, what)?;
            let keys: Option<Vec<i16>> = get(row, 3, what)?;
            let referred_schema: Option<String> = get(row, 4, what)?;
            let referred_table: Option<String> = get(row, 5, what)?;
            let referred_oid: u32 = get(row, 6, what)?;
            let referred_keys: Option<Vec<i16>> = get(row, 7, what)?;
            let referred_names: Option<Vec<String>> = get(row, 8, what)?;
            let on_update: String = get(row, 9, what)?;
            let on_delete: String = get(row, 10, what)?;
            let match_type: String = get(row, 11, what)?;
            let deferrable: bool = get(row, 12, what)?;
            let deferred: bool = get(row, 13, what)?;
            let definition: String = get(row, 14, what)?;
            let nulls_not_distinct: bool = get(row, 15, what)?;
            let columns = self.column_list(oid, &keys.unwrap_or_default());
            let referred_columns = referred_names.unwrap_or_else(|| {
                self.column_list(referred_oid, &referred_keys.unwrap_or_default())
            });
            let qualified = table.qualified_name();
            let name = Some(Name::Final(name));
            let (deferrable, initially) = (
                deferrable.then_some(true),
                deferred.then_some(Initially::Deferred),
            );
            let constraint = match kind.as_str() {
                "p" => Constraint::PrimaryKey(PrimaryKey { name, columns }),
                "u" => Constraint::Unique(UniqueConstraint {
                    name,
                    columns,
                    deferrable,
                    initially,
                    nulls_not_distinct,
                }),
                "f" => Constraint::ForeignKey(ForeignKey {
                    name,
                    columns,
                    referred_schema: referred_schema
                        .filter(|schema| *schema != self.options.default_schema),
                    referred_table: referred_table.unwrap_or_default(),
                    referred_columns,
                    on_delete: referential_action(&on_delete),
                    on_update: referential_action(&on_update),
                    match_type: (match_type == "f").then_some(ForeignKeyMatch::Full),
                    deferrable,
                    initially,
                }),
                "c" => {
                    let (condition, rest) = check_condition(&definition);
                    if !rest.is_empty() {
                        self.skipped.push(format!(
                            "check constraint {} on {qualified}: '{rest}' is not compared",
                            name.as_ref().map(Name::as_str).unwrap_or_default()
                        ));
                    }
                    Constraint::Check(CheckConstraint { name, condition })
                }
                _ => {
                    self.skipped.push(format!(
                        "exclusion constraint {} on {qualified}: not compared ({definition})",
                        name.as_ref().map(Name::as_str).unwrap_or_default()
                    ));
                    continue;
                }
            };
            if let Some(table) = self.tables.get_mut(&oid) {
                table.constraints.push(constraint);
            }
        }
        Ok(())
    }

    fn indexes(&mut self, rows: &[Row]) -> Result<()> {
        let what = "indexes";
        for row in rows {
            let oid: u32 = get(row, 0, what)?;
            if !self.tables.contains_key(&oid) {
                continue;
            }
            let name: String = get(row, 1, what)?;
            let definition: Option<String> = get(row, 2, what)?;
            let unique: bool = get(row, 3, what)?;
            let method: String = get(row, 4, what)?;
            let key_count: i16 = get(row, 5, what)?;
            let keys: Vec<i16> = get(row, 6, what)?;
            let predicate: Option<String> = get(row, 7, what)?;
            let nulls_not_distinct: bool = get(row, 8, what)?;
            let key_count = usize::try_from(key_count).unwrap_or(0).min(keys.len());
            let key_names = self.column_list(oid, &keys[..key_count]);
            let include = self.column_list(oid, &keys[key_count..]);
            let Some(table) = self.tables.get_mut(&oid) else {
                continue;
            };
            let qualified = table.qualified_name();
            let method = match method.as_str() {
                "btree" => None,
                "hash" => Some(IndexMethod::Hash),
                "gist" => Some(IndexMethod::Gist),
                "gin" => Some(IndexMethod::Gin),
                "brin" => Some(IndexMethod::Brin),
                "spgist" => Some(IndexMethod::SpGist),
                other => {
                    self.skipped.push(format!(
                        "index {name} on {qualified}: access method {other} is not supported"
                    ));
                    continue;
                }
            };
            let parsed = match &definition {
                // Plain columns only: their names are the elements.
                None => IndexDefinition {
                    elements: key_names.iter().map(|c| quote_always(c)).collect(),
                    with_options: false,
                },
                Some(definition) => match parse_index_definition(definition) {
                    Some(parsed) => parsed,
                    None => {
                        self.skipped.push(format!(
                            "index {name} on {qualified}: cannot read its definition ({definition})"
                        ));
                        continue;
                    }
                },
            };
            if parsed.elements.len() != key_count {
                self.skipped.push(format!(
                    "index {name} on {qualified}: cannot read its definition ({})",
                    definition.as_deref().unwrap_or_default()
                ));
                continue;
            }
            if parsed.with_options {
                self.skipped.push(format!(
                    "index {name} on {qualified}: storage parameters (WITH ...) are not compared"
                ));
            }
            let elements = parsed
                .elements
                .into_iter()
                .enumerate()
                .map(|(i, text)| {
                    let column = key_names.get(i).filter(|c| !c.is_empty());
                    match column {
                        Some(column)
                            if keys.get(i).copied().unwrap_or(0) != 0
                                && (text == *column || text == quote_always(column)) =>
                        {
                            IndexElement::Column(column.clone())
                        }
                        _ => IndexElement::Expression(strip_double_parens(&text)),
                    }
                })
                .collect();
            table.indexes.push(Index {
                name: Some(Name::Final(name)),
                elements,
                unique,
                method,
                include,
                predicate: predicate.map(|p| strip_outer_parens(&p).to_owned()),
                nulls_not_distinct,
            });
        }
        Ok(())
    }

    fn enums(&mut self, rows: &[Row]) -> Result<()> {
        let what = "enum types";
        for row in rows {
            let schema: String = get(row, 0, what)?;
            let name: String = get(row, 1, what)?;
            let values: Vec<String> = get(row, 2, what)?;
            let mut enum_type = EnumType::new(name, values);
            enum_type.schema = self.schema_of(schema);
            self.metadata.add_enum(enum_type);
        }
        Ok(())
    }

    fn sequences(&mut self, rows: &[Row]) -> Result<()> {
        let what = "sequences";
        for row in rows {
            let oid: u32 = get(row, 0, what)?;
            let schema: String = get(row, 1, what)?;
            let name: String = get(row, 2, what)?;
            let data_type: String = get(row, 3, what)?;
            let identity: bool = get(row, 10, what)?;
            let owner: Option<String> = get(row, 11, what)?;
            if identity || self.serial_sequences.contains(&oid) {
                continue;
            }
            if let Some(owner) = owner {
                self.skipped.push(format!(
                    "sequence {schema}.{name}: read as a standalone sequence; its ownership by {owner} is not compared"
                ));
            }
            let data_type = parse_type(&data_type);
            let options = SequenceOptions {
                start: get(row, 4, what)?,
                increment: get(row, 5, what)?,
                max_value: get(row, 6, what)?,
                min_value: get(row, 7, what)?,
                cache: get(row, 8, what)?,
                cycle: get(row, 9, what)?,
            };
            let mut sequence = Sequence::new(name);
            sequence.schema = self.schema_of(schema);
            sequence.options = canonical_sequence_options(&options, &data_type);
            sequence.data_type = (data_type != Type::BigInt).then_some(data_type);
            self.metadata.add_sequence(sequence);
        }
        Ok(())
    }
}

fn referential_action(code: &str) -> Option<ReferentialAction> {
    match code {
        "r" => Some(ReferentialAction::Restrict),
        "c" => Some(ReferentialAction::Cascade),
        "n" => Some(ReferentialAction::SetNull),
        "d" => Some(ReferentialAction::SetDefault),
        _ => None,
    }
}

/// `"name"`, quoted whatever it holds, as `pg_get_indexdef` may print it.
fn quote_always(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The name PostgreSQL gives a `SERIAL` column's sequence, an unnamed index or constraint
/// (`makeObjectName` in `indexcmds.c`): `<name1>_<name2>_<label>` (`<name1>_<label>` when
/// `name2` is empty), the longer of the two names shortened first until the whole fits in
/// 63 bytes. PostgreSQL appends a number when the name is taken; this is the first choice.
pub fn make_object_name(name1: &str, name2: &str, label: &str) -> String {
    const MAX: usize = 63;
    let overhead = label.len() + 1 + usize::from(!name2.is_empty());
    let available = MAX.saturating_sub(overhead);
    let (mut chars1, mut chars2) = (name1.len(), name2.len());
    while chars1 + chars2 > available {
        if chars1 > chars2 {
            chars1 -= 1;
        } else {
            chars2 -= 1;
        }
    }
    let clip = |name: &str, mut len: usize| {
        while !name.is_char_boundary(len) {
            len -= 1;
        }
        name[..len].to_owned()
    };
    if name2.is_empty() {
        format!("{}_{label}", clip(name1, chars1))
    } else {
        format!("{}_{}_{label}", clip(name1, chars1), clip(name2, chars2))
    }
}

/// The integer bounds of a sequence's type: smallint, integer or (anything else) bigint.
fn integer_bounds(ty: &Type) -> (i64, i64) {
    match ty {
        Type::SmallInt | Type::SmallSerial => (i64::from(i16::MIN), i64::from(i16::MAX)),
        Type::Integer | Type::Serial => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    }
}

/// Sequence options with every value equal to PostgreSQL's default for a sequence of type
/// `ty` (given its increment) replaced by `None`, so that options written out and options
/// left out compare equal.
pub fn canonical_sequence_options(options: &SequenceOptions, ty: &Type) -> SequenceOptions {
    let (type_min, type_max) = integer_bounds(ty);
    let increment = options.increment.unwrap_or(1);
    let ascending = increment > 0;
    let min_default = if ascending { 1 } else { type_min };
    let max_default = if ascending { type_max } else { -1 };
    let min = options.min_value.unwrap_or(min_default);
    let max = options.max_value.unwrap_or(max_default);
    let start_default = if ascending { min } else { max };
    SequenceOptions {
        increment: options.increment.filter(|&v| v != 1),
        start: options.start.filter(|&v| v != start_default),
        min_value: options.min_value.filter(|&v| v != min_default),
        max_value: options.max_value.filter(|&v| v != max_default),
        cache: options.cache.filter(|&v| v != 1),
        cycle: options.cycle,
    }
}

/// A type as PostgreSQL's `format_type` prints it (or a common spelling of one: `int4`,
/// `varchar(20)`, `timestamptz`), as a [`Type`]. Anything else is [`Type::Raw`], lower-cased
/// where unquoted.
pub fn parse_type(text: &str) -> Type {
    let text = normalize_type_text(text);
    if let Some(element) = text.strip_suffix("[]") {
        // PostgreSQL does not keep array dimensions: `integer[][]` is `integer[]`.
        let element = element.trim_end_matches("[]");
        return Type::Array(Box::new(parse_type(element)));
    }
    let (base, args) = match text.find('(') {
        Some(open) if text.ends_with(')') => {
            let args: Vec<&str> = text[open + 1..text.len() - 1]
                .split(',')
                .map(str::trim)
                .collect();
            (text[..open].trim(), Some(args))
        }
        _ => (text.as_str(), None),
    };
    let number = |s: &str| s.parse::<u32>().ok();
    let simple = match base {
        "smallint" | "int2" => Some(Type::SmallInt),
        "integer" | "int" | "int4" => Some(Type::Integer),
        "bigint" | "int8" => Some(Type::BigInt),
        "smallserial" | "serial2" => Some(Type::SmallSerial),
        "serial" | "serial4" => Some(Type::Serial),
        "bigserial" | "serial8" => Some(Type::BigSerial),
        "real" | "float4" => Some(Type::Real),
        "double precision" | "float8" => Some(Type::Double),
        "boolean" | "bool" => Some(Type::Boolean),
        "text" => Some(Type::Text),
        "date" => Some(Type::Date),
        "time without time zone" | "time" => Some(Type::Time),
        "time with time zone" | "timetz" => Some(Type::TimeTz),
        "timestamp without time zone" | "timestamp" => Some(Type::Timestamp),
        "timestamp with time zone" | "timestamptz" => Some(Type::TimestampTz),
        "interval" => Some(Type::Interval),
        "uuid" => Some(Type::Uuid),
        "json" => Some(Type::Json),
        "jsonb" => Some(Type::Jsonb),
        "bytea" => Some(Type::Bytea),
        _ => None,
    };
    match (simple, &args) {
        (Some(ty), None) => return ty,
        (Some(_), Some(_)) => return Type::Raw(text.clone()),
        _ => {}
    }
    match (base, args.as_deref()) {
        ("numeric" | "decimal", None) => Type::Numeric {
            precision: None,
            scale: None,
        },
        ("numeric" | "decimal", Some([p])) if number(p).is_some() => Type::Numeric {
            precision: number(p),
            scale: Some(0),
        },
        ("numeric" | "decimal", Some([p, s])) if number(p).is_some() && number(s).is_some() => {
            Type::Numeric {
                precision: number(p),
                scale: number(s),
            }
        }
        ("character varying" | "varchar", None) => Type::Varchar(None),
        ("character varying" | "varchar", Some([n])) if number(n).is_some() => {
            Type::Varchar(number(n))
        }
        ("character" | "char" | "bpchar", None) if base != "bpchar" => Type::Char(Some(1)),
        ("character" | "char" | "bpchar", Some([n])) if number(n).is_some() => {
            Type::Char(number(n))
        }
        _ => Type::Raw(text),
    }
}

/// Lower-cases outside double quotes and collapses whitespace.
fn normalize_type_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut space = false;
    for c in text.trim().chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            // No space before `(`, `)`, `,` or `[`, or after `(`, `,`.
            let last = out.chars().last();
            if !matches!(c, '(' | ')' | ',' | '[') && !matches!(last, Some('(' | ',') | None) {
                out.push(' ');
            }
            space = false;
        }
        if quoted {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The parts of a `pg_get_indexdef` text autogenerate needs.
struct IndexDefinition {
    /// The key elements as printed: column names, expressions, with opclass and ordering.
    elements: Vec<String>,
    /// Whether `WITH (storage parameters)` follows.
    with_options: bool,
}

/// Reads the key list of `CREATE [UNIQUE] INDEX name ON [ONLY] table USING method (keys)
/// [INCLUDE (...)] [NULLS NOT DISTINCT] [WITH (...)] [WHERE ...]`.
fn parse_index_definition(definition: &str) -> Option<IndexDefinition> {
    let using = find_top_level(definition, " USING ")?;
    let open = using + definition[using..].find('(')?;
    let close = matching_paren(definition, open)?;
    let elements = split_top_level(&definition[open + 1..close], ',')
        .into_iter()
        .map(|s| s.trim().to_owned())
        .collect();
    let rest = &definition[close + 1..];
    Some(IndexDefinition {
        elements,
        with_options: find_top_level(rest, " WITH (").is_some(),
    })
}

/// The byte offset of `needle` in `text` outside quotes and parentheses.
fn find_top_level(text: &str, needle: &str) -> Option<usize> {
    let mut scanner = Scanner::default();
    for (i, c) in text.char_indices() {
        if scanner.is_top_level() && text[i..].starts_with(needle) {
            return Some(i);
        }
        scanner.step(c);
    }
    None
}

/// The byte offset of the `)` matching the `(` at `open`.
pub(crate) fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut scanner = Scanner::default();
    for (i, c) in text[open..].char_indices() {
        scanner.step(c);
        if scanner.depth == 0 && c == ')' && !scanner.in_quotes() {
            return Some(open + i);
        }
    }
    None
}

/// Splits at `separator` outside quotes and parentheses.
pub(crate) fn split_top_level(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut scanner = Scanner::default();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == separator && scanner.is_top_level() {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
            continue;
        }
        scanner.step(c);
    }
    parts.push(&text[start..]);
    parts
}

/// Tracks parentheses, `'strings'` and `"identifiers"` through SQL text. `''` and `""`
/// escapes work out by toggling twice.
#[derive(Default)]
struct Scanner {
    depth: usize,
    single: bool,
    double: bool,
}

impl Scanner {
    fn in_quotes(&self) -> bool {
        self.single || self.double
    }

    fn is_top_level(&self) -> bool {
        self.depth == 0 && !self.in_quotes()
    }

    fn step(&mut self, c: char) {
        match c {
            '\'' if !self.double => self.single = !self.single,
            '"' if !self.single => self.double = !self.double,
            '(' if !self.in_quotes() => self.depth += 1,
            ')' if !self.in_quotes() => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }
}

/// `text` without one pair of parentheses enclosing all of it, if it has one.
pub(crate) fn strip_outer_parens(text: &str) -> &str {
    let trimmed = text.trim();
    if trimmed.starts_with('(') && matching_paren(trimmed, 0) == Some(trimmed.len() - 1) {
        trimmed[1..trimmed.len() - 1].trim()
    } else {
        trimmed
    }
}

/// `((a + b))` as `(a + b)`: `pg_get_indexdef` doubles the parentheses of an expression
/// that is not a function call; one pair is enough to create the index.
fn strip_double_parens(text: &str) -> String {
    let inner = strip_outer_parens(text);
    if inner.len() < text.trim().len()
        && inner.starts_with('(')
        && strip_outer_parens(inner) != inner
    {
        inner.to_owned()
    } else {
        text.trim().to_owned()
    }
}

/// The condition of `CHECK ((a > 0))` as `a > 0`, and what follows it (`NOT VALID`,
/// `NO INHERIT`).
fn check_condition(definition: &str) -> (String, String) {
    let Some(open) = definition.find('(') else {
        return (definition.to_owned(), String::new());
    };
    let Some(close) = matching_paren(definition, open) else {
        return (definition.to_owned(), String::new());
    };
    let inner = &definition[open + 1..close];
    (
        strip_outer_parens(inner).to_owned(),
        definition[close + 1..].trim().to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::{
        canonical_sequence_options, check_condition, make_object_name, parse_index_definition,
        parse_type, strip_double_parens,
    };
    use crate::schema::{SequenceOptions, Type};

    #[test]
    fn types_as_format_type_prints_them() {
        let cases = [
            ("integer", Type::Integer),
            ("character varying(20)", Type::varchar(20)),
            ("character varying", Type::Varchar(None)),
            ("numeric(5,0)", Type::numeric(5, 0)),
            ("NUMERIC(5)", Type::numeric(5, 0)),
            (
                "numeric",
                Type::Numeric {
                    precision: None,
                    scale: None,
                },
            ),
            ("character(1)", Type::char(1)),
            ("CHAR", Type::char(1)),
            ("integer[]", Type::array(Type::Integer)),
            ("INTEGER[][]", Type::array(Type::Integer)),
            ("character varying(20)[]", Type::array(Type::varchar(20))),
            ("timestamp with time zone", Type::TimestampTz),
            ("TIMESTAMPTZ", Type::TimestampTz),
            (
                "timestamp(3) with time zone",
                Type::raw("timestamp(3) with time zone"),
            ),
            (
                "TIMESTAMP(3)  WITH TIME ZONE",
                Type::raw("timestamp(3) with time zone"),
            ),
            ("tsvector", Type::raw("tsvector")),
            ("\"Weird\".t", Type::raw("\"Weird\".t")),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_type(text), expected, "{text}");
        }
    }

    #[test]
    fn index_definitions() {
        let def = "CREATE INDEX t_lower_a_idx ON public.t USING btree (lower((email)::text) DESC NULLS LAST, a) INCLUDE (b) WHERE ((a > 0) AND (b IS NOT NULL))";
        let parsed = parse_index_definition(def).unwrap();
        assert_eq!(
            parsed.elements,
            ["lower((email)::text) DESC NULLS LAST", "a"]
        );
        assert!(!parsed.with_options);
        let def = "CREATE INDEX \"x USING (\" ON public.\"t, u\" USING gin (((a + b))) WITH (fastupdate='off')";
        let parsed = parse_index_definition(def).unwrap();
        assert_eq!(parsed.elements, ["((a + b))"]);
        assert!(parsed.with_options);
        assert_eq!(strip_double_parens("((a + b))"), "(a + b)");
        assert_eq!(strip_double_parens("(a + b)"), "(a + b)");
        assert_eq!(strip_double_parens("lower(x)"), "lower(x)");
        assert_eq!(strip_double_parens("((a)) DESC"), "((a)) DESC");
    }

    #[test]
    fn check_conditions() {
        assert_eq!(
            check_condition("CHECK (((a > 0) AND (b > 0)))"),
            ("(a > 0) AND (b > 0)".to_owned(), String::new())
        );
        assert_eq!(
            check_condition("CHECK ((a > 0)) NOT VALID"),
            ("a > 0".to_owned(), "NOT VALID".to_owned())
        );
        assert_eq!(
            check_condition("CHECK ((x = ')'::text))"),
            ("x = ')'::text".to_owned(), String::new())
        );
    }

    #[test]
    fn serial_sequence_names_follow_postgres() {
        assert_eq!(make_object_name("account", "id", "seq"), "account_id_seq");
        let table = "a".repeat(40);
        let column = "b".repeat(40);
        let name = make_object_name(&table, &column, "seq");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_seq", "a".repeat(29), "b".repeat(29)));
    }

    #[test]
    fn sequence_defaults_are_none() {
        let full = SequenceOptions {
            increment: Some(1),
            start: Some(1),
            min_value: Some(1),
            max_value: Some(i64::from(i32::MAX)),
            cache: Some(1),
            cycle: false,
        };
        assert_eq!(
            canonical_sequence_options(&full, &Type::Integer),
            SequenceOptions::default()
        );
        let descending = SequenceOptions {
            increment: Some(-1),
            start: Some(-1),
            min_value: Some(i64::MIN),
            max_value: Some(-1),
            cache: Some(1),
            cycle: false,
        };
        assert_eq!(
            canonical_sequence_options(&descending, &Type::BigInt),
            SequenceOptions {
                increment: Some(-1),
                ..SequenceOptions::default()
            }
        );
        let custom_min = SequenceOptions {
            min_value: Some(10),
            start: Some(10),
            ..SequenceOptions::default()
        };
        assert_eq!(
            canonical_sequence_options(&custom_min, &Type::BigInt),
            SequenceOptions {
                min_value: Some(10),
                ..SequenceOptions::default()
            }
        );
    }
}

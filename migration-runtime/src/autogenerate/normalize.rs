//! Canonical forms: what makes two spellings of the same schema compare equal.
//!
//! Both sides of a comparison go through [`normalize`] first. It applies the naming
//! convention (so unnamed constraints get the names [`Op::finish`](crate::ops::Op::finish)
//! would give them), moves column-level constraints to the table, makes primary-key,
//! serial and identity columns `NOT NULL` as PostgreSQL does, writes types and options the
//! way introspection reads them, and maps the default schema to `None`. Introspected
//! metadata is already in this form, so normalising it changes nothing.
//!
//! Texts PostgreSQL rewrites (defaults, check conditions, index expressions and predicates)
//! are compared through keys ([`default_key`], [`sql_key`]) that strip what PostgreSQL adds:
//! enclosing parentheses, casts of string literals, letter case and spacing.

use std::collections::BTreeMap;

use crate::dialect::{Dialect, Postgres};
use crate::introspect::{canonical_sequence_options, make_object_name, parse_type};
use crate::ops::CreateTable;
use crate::schema::{
    Constraint, ForeignKeyMatch, Index, IndexElement, IndexMethod, Initially, Metadata, Name,
    NameContext, NamedKind, NamingConvention, QualifiedName, ReferentialAction, ServerDefault,
    Table, Type, truncate_name,
};

/// PostgreSQL's identifier limit; longer final names are shortened as the dialect does.
const MAX_NAME: usize = 63;

/// `metadata` in canonical form; problems (a constraint the naming convention cannot name)
/// are added to `warnings`.
pub(crate) fn normalize(
    metadata: &Metadata,
    default_schema: &str,
    warnings: &mut Vec<String>,
) -> Metadata {
    let schema_of = |schema: &Option<String>| schema.clone().filter(|s| s != default_schema);
    let mut out = Metadata::new().with_naming_convention(metadata.naming_convention.clone());
    out.schemas = metadata
        .schemas
        .iter()
        .filter(|s| *s != default_schema)
        .cloned()
        .collect();
    for enum_type in metadata.enums.values() {
        let mut enum_type = enum_type.clone();
        enum_type.schema = schema_of(&enum_type.schema);
        out.add_enum(enum_type);
    }
    for sequence in metadata.sequences.values() {
        let mut sequence = sequence.clone();
        sequence.schema = schema_of(&sequence.schema);
        let ty = sequence
            .data_type
            .as_ref()
            .map_or(Type::BigInt, |t| canonical_type(t, default_schema));
        sequence.options = canonical_sequence_options(&sequence.options, &ty);
        sequence.data_type = (ty != Type::BigInt).then_some(ty);
        out.add_sequence(sequence);
    }
    // Tables in two passes: structure first, then foreign keys' referred columns, which
    // default to the referred table's primary key.
    let mut tables: BTreeMap<QualifiedName, Table> = BTreeMap::new();
    for table in metadata.tables.values() {
        let table = normalize_table(table, default_schema, &metadata.naming_convention, warnings);
        tables.insert(table.qualified_name(), table);
    }
    let keys: BTreeMap<QualifiedName, Vec<String>> = tables
        .iter()
        .map(|(name, table)| (name.clone(), table.primary_key_columns()))
        .collect();
    for table in tables.values_mut() {
        for constraint in &mut table.constraints {
            if let Constraint::ForeignKey(fk) = constraint
                && fk.referred_columns.is_empty()
            {
                let referred =
                    QualifiedName::new(fk.referred_schema.as_deref(), &fk.referred_table);
                if let Some(columns) = keys.get(&referred) {
                    fk.referred_columns = columns.clone();
                }
            }
        }
    }
    for (_, table) in tables {
        out.add_table(table);
    }
    out
}

fn normalize_table(
    table: &Table,
    default_schema: &str,
    convention: &NamingConvention,
    warnings: &mut Vec<String>,
) -> Table {
    let schema = table.schema.clone().filter(|s| s != default_schema);
    // `CreateTable::normalize` moves column-level constraints exactly as `Op::finish` does.
    let mut create = CreateTable::new(table.name.clone(), table.columns.clone());
    create.constraints = table.constraints.clone();
    create.normalize();
    let key_columns: Vec<String> = create
        .constraints
        .iter()
        .find_map(|c| match c {
            Constraint::PrimaryKey(key) => Some(key.columns.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut out = Table::new(table.name.clone());
    out.schema = schema.clone();
    out.comment = table.comment.clone();
    for mut column in create.columns {
        column.ty = canonical_type(&column.ty, default_schema);
        column.primary_key = false;
        if key_columns.contains(&column.name)
            || column.identity.is_some()
            || matches!(
                column.ty,
                Type::SmallSerial | Type::Serial | Type::BigSerial
            )
        {
            column.nullable = false;
        }
        if let Some(identity) = &mut column.identity {
            identity.options = canonical_sequence_options(&identity.options, &column.ty);
        }
        out.columns.push(column);
    }
    let qualified = QualifiedName::new(schema.as_deref(), &table.name);
    for mut constraint in create.constraints {
        canonical_constraint(&mut constraint, default_schema);
        let named = name_constraint(&mut constraint, schema.as_deref(), &table.name, convention);
        if let Err(message) = named {
            warnings.push(format!("{} on {qualified}: {message}", constraint.kind()));
        }
        out.constraints.push(constraint);
    }
    for index in &table.indexes {
        let mut index = index.clone();
        if index.method == Some(IndexMethod::Btree) {
            index.method = None;
        }
        let columns: Vec<String> = index
            .elements
            .iter()
            .filter_map(|e| match e {
                IndexElement::Column(c) => Some(c.clone()),
                IndexElement::Expression(_) => None,
            })
            .collect();
        let context = NameContext {
            schema: schema.as_deref(),
            table: &table.name,
            columns: &columns,
            referred_table: None,
            referred_columns: &[],
        };
        match convention.resolve(NamedKind::Index, index.name.as_ref(), &context) {
            Ok(Some(name)) => index.name = Some(final_name(name)),
            Ok(None) => {
                // Left unnamed, PostgreSQL names it `<table>_<columns>_idx`.
                let columns: Vec<&str> = index
                    .elements
                    .iter()
                    .map(|e| match e {
                        IndexElement::Column(c) => c.as_str(),
                        IndexElement::Expression(_) => "expr",
                    })
                    .collect();
                index.name = Some(Name::Final(make_object_name(
                    &table.name,
                    &columns.join("_"),
                    "idx",
                )));
            }
            Err(message) => warnings.push(format!("index on {qualified}: {message}")),
        }
        out.indexes.push(index);
    }
    out
}

/// A name as the database keeps it: final, and shortened to 63 bytes as the dialect does.
fn final_name(name: Name) -> Name {
    Name::Final(truncate_name(name.as_str(), MAX_NAME))
}

fn name_constraint(
    constraint: &mut Constraint,
    schema: Option<&str>,
    table: &str,
    convention: &NamingConvention,
) -> Result<(), String> {
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
    let resolved = convention.resolve(kind, name.as_ref(), &context)?;
    // Left unnamed, PostgreSQL names it: `<table>_pkey`, `<table>_<columns>_key`, ...
    let label = match kind {
        NamedKind::PrimaryKey => "pkey",
        NamedKind::Unique => "key",
        NamedKind::ForeignKey => "fkey",
        NamedKind::Check => "check",
        NamedKind::Index => "idx",
    };
    let columns = if matches!(kind, NamedKind::PrimaryKey | NamedKind::Check) {
        String::new()
    } else {
        columns.join("_")
    };
    *name = Some(final_name(resolved.unwrap_or_else(|| {
        Name::Final(make_object_name(table, &columns, label))
    })));
    Ok(())
}

/// Options at PostgreSQL's defaults as `None`, as introspection reads them.
fn canonical_constraint(constraint: &mut Constraint, default_schema: &str) {
    match constraint {
        Constraint::ForeignKey(fk) => {
            fk.referred_schema = fk.referred_schema.take().filter(|s| s != default_schema);
            fk.on_delete = fk.on_delete.filter(|a| *a != ReferentialAction::NoAction);
            fk.on_update = fk.on_update.filter(|a| *a != ReferentialAction::NoAction);
            fk.match_type = fk.match_type.filter(|m| *m != ForeignKeyMatch::Simple);
            (fk.deferrable, fk.initially) = canonical_deferrable(fk.deferrable, fk.initially);
        }
        Constraint::Unique(unique) => {
            (unique.deferrable, unique.initially) =
                canonical_deferrable(unique.deferrable, unique.initially);
        }
        Constraint::PrimaryKey(_) | Constraint::Check(_) => {}
    }
}

/// `INITIALLY DEFERRED` implies `DEFERRABLE`; `NOT DEFERRABLE` and `INITIALLY IMMEDIATE`
/// are the defaults.
fn canonical_deferrable(
    deferrable: Option<bool>,
    initially: Option<Initially>,
) -> (Option<bool>, Option<Initially>) {
    let deferred = initially == Some(Initially::Deferred);
    let deferrable = deferrable == Some(true) || deferred;
    (
        deferrable.then_some(true),
        deferred.then_some(Initially::Deferred),
    )
}

/// A type as introspection reads it back: `CHAR` is `CHAR(1)`, `NUMERIC(p)` is
/// `NUMERIC(p, 0)`, array dimensions collapse to one, raw SQL is parsed like `format_type`
/// output, and the default schema of an enum is `None`.
pub(crate) fn canonical_type(ty: &Type, default_schema: &str) -> Type {
    match ty {
        Type::Raw(sql) => match parse_type(sql) {
            Type::Raw(text) => Type::Raw(text),
            parsed => canonical_type(&parsed, default_schema),
        },
        Type::Char(None) => Type::Char(Some(1)),
        Type::Numeric {
            precision: Some(p),
            scale: None,
        } => Type::numeric(*p, 0),
        Type::Array(element) => {
            let mut element = &**element;
            while let Type::Array(inner) = element {
                element = inner;
            }
            Type::Array(Box::new(canonical_type(element, default_schema)))
        }
        Type::Enum { schema, name } => Type::Enum {
            schema: schema.clone().filter(|s| s != default_schema),
            name: name.clone(),
        },
        other => other.clone(),
    }
}

/// What a server default is compared by: the expression (or the value's literal) with
/// enclosing parentheses removed, string literals' casts (`'x'::text`) dropped, quoted
/// numbers unquoted, and letter case and spacing outside quotes normalised. `'draft'`,
/// `'draft'::text` and `Value::Text("draft")` share a key, as do `-1` and `'-1'::integer`.
pub(crate) fn default_key(default: &ServerDefault) -> String {
    let text = match default {
        ServerDefault::Expression(sql) => sql.clone(),
        ServerDefault::Value(value) => Postgres.literal(value),
    };
    let key = sql_key(&text);
    // A lone quoted number: `'-1'` and `-1` are the same default.
    if let Some(inner) = key.strip_prefix('\'').and_then(|k| k.strip_suffix('\''))
        && !inner.contains('\'')
        && inner.parse::<f64>().is_ok()
        && !inner.is_empty()
        && inner.trim() == inner
    {
        return inner.to_owned();
    }
    key
}

/// SQL text in a form two spellings of one expression share: enclosing parentheses
/// removed, `::type` casts after string literals dropped, letters outside quotes
/// lower-cased, whitespace collapsed (and dropped inside parentheses and around commas).
pub(crate) fn sql_key(sql: &str) -> String {
    let mut text = sql.trim();
    loop {
        let inner = crate::introspect::strip_outer_parens(text);
        if inner.len() == text.len() {
            break;
        }
        text = inner;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut pending_space = false;
    let push_space = |out: &mut String, next: char| {
        let last = out.chars().last();
        if !matches!(next, ')' | ',') && !matches!(last, Some('(' | ',') | None) {
            out.push(' ');
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            pending_space = true;
            i += 1;
            continue;
        }
        if pending_space {
            push_space(&mut out, c);
            pending_space = false;
        }
        match c {
            '\'' | '"' => {
                // Copy the quoted text as is, with doubled quotes.
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == c {
                        if chars.get(i + 1) == Some(&c) {
                            out.push(c);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                if c == '\'' {
                    i = skip_cast(&chars, i);
                }
            }
            _ => {
                out.extend(c.to_lowercase());
                i += 1;
            }
        }
    }
    out
}

/// The position after a `::type` cast starting at `i`, or `i` when there is none. A type
/// is a (possibly qualified, possibly quoted) name, a few words for the multi-word ones
/// (`character varying`, `timestamp with time zone`), a `(modifier)` and `[]`s.
fn skip_cast(chars: &[char], start: usize) -> usize {
    let mut i = start;
    while i < chars.len() && chars[i] == ' ' {
        i += 1;
    }
    if !(chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':')) {
        return start;
    }
    i += 2;
    let word = |i: usize| {
        let mut j = i;
        while j < chars.len()
            && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '.' | '"' | '$'))
        {
            j += 1;
        }
        j
    };
    let end = word(i);
    if end == i {
        return start;
    }
    i = end;
    loop {
        // `character varying`, `double precision`, `time[stamp] with[out] time zone`.
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let next_end = word(j);
        let next: String = chars[j..next_end].iter().collect::<String>().to_lowercase();
        if j > i
            && matches!(
                next.as_str(),
                "varying" | "precision" | "with" | "without" | "time" | "zone"
            )
        {
            i = next_end;
        } else {
            break;
        }
    }
    if chars.get(i) == Some(&'(') {
        let text: String = chars[i..].iter().collect();
        if let Some(close) = crate::introspect::matching_paren(&text, 0) {
            i += text[..=close].chars().count();
        }
    }
    while chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
        i += 2;
    }
    // A cast of a cast: `'1'::text::integer`.
    skip_cast(chars, i)
}

/// What an index element is compared by: a column, or an expression whose key is a bare
/// column name, compare as that column.
pub(crate) fn element_key(element: &IndexElement) -> String {
    match element {
        IndexElement::Column(column) => column.clone(),
        IndexElement::Expression(sql) => {
            let key = sql_key(sql);
            match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
                Some(inner) if !inner.contains('"') => inner.to_owned(),
                _ => key,
            }
        }
    }
}

/// Whether two indexes are the same apart from their names.
pub(crate) fn same_index(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.predicate.as_deref().map(sql_key) == b.predicate.as_deref().map(sql_key)
        && a.elements.len() == b.elements.len()
        && a.elements
            .iter()
            .zip(&b.elements)
            .all(|(x, y)| element_key(x) == element_key(y))
}

/// Whether two constraints are the same apart from their names.
pub(crate) fn same_constraint(a: &Constraint, b: &Constraint) -> bool {
    match (a, b) {
        (Constraint::PrimaryKey(a), Constraint::PrimaryKey(b)) => a.columns == b.columns,
        (Constraint::Unique(a), Constraint::Unique(b)) => {
            a.columns == b.columns
                && a.deferrable == b.deferrable
                && a.initially == b.initially
                && a.nulls_not_distinct == b.nulls_not_distinct
        }
        (Constraint::ForeignKey(a), Constraint::ForeignKey(b)) => {
            a.columns == b.columns
                && a.referred_schema == b.referred_schema
                && a.referred_table == b.referred_table
                && a.referred_columns == b.referred_columns
                && a.on_delete == b.on_delete
                && a.on_update == b.on_update
                && a.match_type == b.match_type
                && a.deferrable == b.deferrable
                && a.initially == b.initially
        }
        (Constraint::Check(a), Constraint::Check(b)) => {
            sql_key(&a.condition) == sql_key(&b.condition)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{canonical_type, default_key, sql_key};
    use crate::ops::Value;
    use crate::schema::{ServerDefault, Type};

    #[test]
    fn defaults_compare_as_postgres_rewrites_them() {
        let same = [
            ("'draft'::text", ServerDefault::Value(Value::from("draft"))),
            (
                "'free'::character varying",
                ServerDefault::Expression("'free'".into()),
            ),
            ("'-1'::integer", ServerDefault::Value(Value::Int(-1))),
            (
                "CURRENT_TIMESTAMP",
                ServerDefault::Expression("current_timestamp".into()),
            ),
            ("now()", ServerDefault::Expression("NOW( )".into())),
            ("'{}'::jsonb", ServerDefault::Expression("'{}'".into())),
            ("false", ServerDefault::Value(Value::Bool(false))),
            ("1.5", ServerDefault::Value(Value::Float(1.5))),
            (
                "'2024-01-01 00:00:00'::timestamp without time zone",
                ServerDefault::Expression("'2024-01-01 00:00:00'".into()),
            ),
            (
                "nextval('account_id_seq'::regclass)",
                ServerDefault::Expression("nextval('account_id_seq')".into()),
            ),
            (
                "('It''s'::text)",
                ServerDefault::Expression("'It''s'".into()),
            ),
        ];
        for (db, written) in same {
            assert_eq!(
                default_key(&ServerDefault::Expression(db.into())),
                default_key(&written),
                "{db}"
            );
        }
        assert_ne!(
            default_key(&ServerDefault::Expression("'A'::text".into())),
            default_key(&ServerDefault::Expression("'a'".into()))
        );
    }

    #[test]
    fn expressions() {
        assert_eq!(sql_key("((a > 0) AND (b > 0))"), "(a > 0) and (b > 0)");
        assert_eq!(sql_key("lower( (email)::text )"), "lower((email)::text)");
        assert_eq!(sql_key("\"Mixed\" = 'X'::text"), "\"Mixed\" = 'X'");
    }

    #[test]
    fn types() {
        assert_eq!(canonical_type(&Type::Char(None), "public"), Type::char(1));
        assert_eq!(
            canonical_type(&Type::array(Type::array(Type::raw("INT4"))), "public"),
            Type::array(Type::Integer)
        );
        assert_eq!(
            canonical_type(&Type::enum_type_in("public", "mood"), "public"),
            Type::enum_type("mood")
        );
    }
}

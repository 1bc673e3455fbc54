//! The comparison behind [`compare`](super::compare).
//!
//! Every change becomes a [`Step`]: the upgrade operations and the operations that undo
//! them, tagged with a [`Phase`]. Steps are emitted in a deterministic order (schemas,
//! then tables by schema and name, then their columns and constraints in order) and
//! stably sorted by phase; the upgrade is every step's operations in that order, the
//! downgrade every step's inverse in the reverse order.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::normalize::{default_key, normalize, same_constraint, same_index};
use super::{CompareOptions, Diff, ObjectKind, ObjectRef};
use crate::dialect::{Dialect, Postgres};
use crate::ops::{
    AddColumn, AddConstraint, AddEnumValue, AlterColumn, CreateEnum, CreateIndex, CreateSchema,
    CreateSequence, CreateTable, DropColumn, DropConstraint, DropEnum, DropIndex, DropSchema,
    DropSequence, DropTable, EnumValuePosition, Operation, TableComment,
};
use crate::schema::{
    Column, Constraint, EnumType, ForeignKey, Identity, Index, IndexElement, Metadata, Name,
    QualifiedName, Sequence, SequenceOptions, Table, Type, truncate_name,
};

/// When a step's operations run, relative to other steps. The order is what makes the
/// upgrade apply; the downgrade runs the phases backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    CreateSchemas,
    Enums,
    Sequences,
    DropForeignKeys,
    DropIndexesAndConstraints,
    DropTables,
    Columns,
    CreateTables,
    AddIndexesAndConstraints,
    AddForeignKeys,
    Comments,
    DropSequences,
    DropEnums,
    DropSchemas,
}

/// Upgrade operations and the operations that undo them.
struct Step {
    phase: Phase,
    up: Vec<Operation>,
    down: Vec<Operation>,
}

pub(super) fn compare(current: &Metadata, target: &Metadata, options: &CompareOptions) -> Diff {
    let mut warnings = Vec::new();
    let current = normalize(current, &options.default_schema, &mut warnings);
    let target = normalize(target, &options.default_schema, &mut warnings);
    let mut differ = Differ {
        options,
        current: &current,
        target: &target,
        steps: Vec::new(),
        warnings,
        notes: Vec::new(),
        downgrade_notes: Vec::new(),
    };
    differ.schemas();
    differ.enums();
    differ.sequences();
    differ.tables();
    differ.finish()
}

struct Differ<'a> {
    options: &'a CompareOptions,
    current: &'a Metadata,
    target: &'a Metadata,
    steps: Vec<Step>,
    warnings: Vec<String>,
    notes: Vec<String>,
    downgrade_notes: Vec<String>,
}

/// A `(table, columns)` pair naming a primary key or unique constraint (or unique index)
/// that foreign keys may refer to.
type Key = (QualifiedName, Vec<String>);

/// What changes in one table present on both sides, before it becomes steps.
#[derive(Default)]
struct TablePlan<'a> {
    dropped_constraints: Vec<&'a Constraint>,
    added_constraints: Vec<&'a Constraint>,
    dropped_indexes: Vec<&'a Index>,
    added_indexes: Vec<&'a Index>,
    dropped_foreign_keys: Vec<&'a Constraint>,
    added_foreign_keys: Vec<&'a Constraint>,
}

impl<'a> Differ<'a> {
    fn push(&mut self, phase: Phase, up: Vec<Operation>, down: Vec<Operation>) {
        self.steps.push(Step { phase, up, down });
    }

    fn finish(mut self) -> Diff {
        self.steps.sort_by_key(|step| step.phase);
        let upgrade = self
            .steps
            .iter()
            .flat_map(|s| s.up.iter().cloned())
            .collect();
        let downgrade = self
            .steps
            .iter()
            .rev()
            .flat_map(|s| s.down.iter().cloned())
            .collect();
        Diff {
            upgrade,
            downgrade,
            warnings: self.warnings,
            notes: self.notes,
            downgrade_notes: self.downgrade_notes,
        }
    }

    // --- filters -------------------------------------------------------------------

    fn schema_name<'s>(&'s self, schema: Option<&'s str>) -> &'s str {
        schema.unwrap_or(&self.options.default_schema)
    }

    fn schema_included(&self, schema: Option<&str>) -> bool {
        match &self.options.include_schemas {
            None => true,
            Some(list) => {
                let name = self.schema_name(schema);
                list.iter().any(|s| s == name)
            }
        }
    }

    fn include(&self, object: ObjectRef<'_>) -> bool {
        if !self.schema_included(object.schema) {
            return false;
        }
        if object.kind == ObjectKind::Table {
            let qualified = format!("{}.{}", self.schema_name(object.schema), object.name);
            if self
                .options
                .ignore_tables
                .iter()
                .any(|p| glob(p, object.name) || glob(p, &qualified))
            {
                return false;
            }
        }
        match &self.options.include_object {
            Some(filter) => filter(&object),
            None => true,
        }
    }

    fn include_in_table(
        &self,
        kind: ObjectKind,
        table: &Table,
        name: &str,
        in_current: bool,
        in_target: bool,
    ) -> bool {
        self.include(ObjectRef {
            kind,
            schema: table.schema.as_deref(),
            table: Some(&table.name),
            name,
            in_current,
            in_target,
        })
    }

    // --- schemas, enums, sequences ---------------------------------------------------

    fn schemas(&mut self) {
        let current = &self.current.schemas;
        let target = &self.target.schemas;
        for schema in target.difference(current) {
            if self.include(schema_ref(schema, false, true)) {
                self.push(
                    Phase::CreateSchemas,
                    vec![create_schema(schema)],
                    vec![drop_schema(schema)],
                );
            }
        }
        for schema in current.difference(target) {
            if self.include(schema_ref(schema, true, false)) {
                self.warnings
                    .push(format!("drop_schema '{schema}': the schema is dropped"));
                self.push(
                    Phase::DropSchemas,
                    vec![drop_schema(schema)],
                    vec![create_schema(schema)],
                );
            }
        }
    }

    fn enums(&mut self) {
        let used_by_target = enums_used(self.target);
        let names: BTreeSet<&QualifiedName> = self
            .current
            .enums
            .keys()
            .chain(self.target.enums.keys())
            .collect();
        for name in names {
            let current = self.current.enums.get(name);
            let target = self.target.enums.get(name);
            let object = ObjectRef {
                kind: ObjectKind::Enum,
                schema: name.schema.as_deref(),
                table: None,
                name: &name.name,
                in_current: current.is_some(),
                in_target: target.is_some(),
            };
            if !self.include(object) {
                continue;
            }
            match (current, target) {
                (None, Some(target)) => {
                    self.push(
                        Phase::Enums,
                        vec![create_enum(target)],
                        vec![drop_enum(name)],
                    );
                }
                (Some(current), None) => {
                    if used_by_target.contains(name) {
                        continue;
                    }
                    self.push(
                        Phase::DropEnums,
                        vec![drop_enum(name)],
                        vec![create_enum(current)],
                    );
                }
                (Some(current), Some(target)) if current.values != target.values => {
                    self.enum_values(current, target);
                }
                _ => {}
            }
        }
        for name in used_by_target {
            if !self.target.enums.contains_key(&name) && !self.current.enums.contains_key(&name) {
                self.warnings.push(format!(
                    "enum type '{name}' is used by the target's columns but declared on neither side: declare it in the target metadata"
                ));
            }
        }
    }

    /// New labels become `ALTER TYPE ... ADD VALUE` (never a drop and re-create); their
    /// downgrade re-creates the type, as PostgreSQL cannot drop a label. Labels removed or
    /// reordered re-create the type in the upgrade too.
    fn enum_values(&mut self, current: &EnumType, target: &EnumType) {
        let name = QualifiedName::new(current.schema.as_deref(), &current.name);
        let restore = self.recreate_enum(current);
        if is_subsequence(&current.values, &target.values) {
            let existing: HashSet<&String> = current.values.iter().collect();
            let mut adds = Vec::new();
            for (i, value) in target.values.iter().enumerate() {
                if existing.contains(value) {
                    continue;
                }
                let next_existing = target.values[i + 1..].iter().find(|v| existing.contains(v));
                adds.push(Operation::AddEnumValue(AddEnumValue {
                    schema: current.schema.clone(),
                    name: current.name.clone(),
                    value: value.clone(),
                    if_not_exists: false,
                    position: next_existing.map(|v| EnumValuePosition::Before(v.clone())),
                }));
            }
            self.push(Phase::Enums, adds, restore);
        } else {
            let removed: Vec<&str> = current
                .values
                .iter()
                .filter(|v| !target.values.contains(v))
                .map(String::as_str)
                .collect();
            self.warnings.push(format!(
                "enum type '{name}' is re-created: PostgreSQL cannot drop or reorder labels{}; rows holding a removed label make the upgrade fail",
                if removed.is_empty() {
                    String::new()
                } else {
                    format!(" (removed: {})", removed.join(", "))
                }
            ));
            let up = self.recreate_enum(target);
            self.push(Phase::Enums, up, restore);
        }
    }

    /// Re-creates an enum type with `values`, converting the database's columns of that
    /// type (their defaults dropped and restored around the conversion).
    fn recreate_enum(&self, values: &EnumType) -> Vec<Operation> {
        let name = QualifiedName::new(values.schema.as_deref(), &values.name);
        let old = truncate_name(&format!("{}_old", values.name), 63);
        let mut ops = vec![Operation::Execute {
            sql: format!(
                "ALTER TYPE {} RENAME TO {}",
                qualified_sql(values.schema.as_deref(), &values.name),
                quote(&old)
            ),
            params: Vec::new(),
        }];
        ops.push(create_enum(values));
        for table in self.current.tables.values() {
            for column in &table.columns {
                let (is_array, uses) = match &column.ty {
                    Type::Enum { schema, name: n } => {
                        (false, *schema == name.schema && *n == name.name)
                    }
                    Type::Array(element) => match &**element {
                        Type::Enum { schema, name: n } => {
                            (true, *schema == name.schema && *n == name.name)
                        }
                        _ => (false, false),
                    },
                    _ => (false, false),
                };
                if !uses {
                    continue;
                }
                if column.server_default.is_some() {
                    let mut alter = alter_column(table, &column.name);
                    alter.server_default = Some(None);
                    ops.push(Operation::AlterColumn(alter));
                }
                let mut alter = alter_column(table, &column.name);
                alter.new_type = Some(column.ty.clone());
                alter.using = Some(format!(
                    "{}::{}::{}",
                    quote(&column.name),
                    if is_array { "text[]" } else { "text" },
                    type_sql(&column.ty)
                ));
                ops.push(Operation::AlterColumn(alter));
                if let Some(default) = &column.server_default {
                    let mut alter = alter_column(table, &column.name);
                    alter.server_default = Some(Some(default.clone()));
                    ops.push(Operation::AlterColumn(alter));
                }
            }
        }
        ops.push(Operation::DropEnum(DropEnum {
            schema: values.schema.clone(),
            name: old,
            if_exists: false,
            cascade: false,
        }));
        ops
    }

    fn sequences(&mut self) {
        let names: BTreeSet<&QualifiedName> = self
            .current
            .sequences
            .keys()
            .chain(self.target.sequences.keys())
            .collect();
        for name in names {
            let current = self.current.sequences.get(name);
            let target = self.target.sequences.get(name);
            let object = ObjectRef {
                kind: ObjectKind::Sequence,
                schema: name.schema.as_deref(),
                table: None,
                name: &name.name,
                in_current: current.is_some(),
                in_target: target.is_some(),
            };
            if !self.include(object) {
                continue;
            }
            match (current, target) {
                (None, Some(target)) => self.push(
                    Phase::Sequences,
                    vec![create_sequence(target)],
                    vec![drop_sequence(name)],
                ),
                (Some(current), None) => {
                    self.warnings.push(format!(
                        "drop_sequence '{name}': the sequence and its current value are dropped"
                    ));
                    self.push(
                        Phase::DropSequences,
                        vec![drop_sequence(name)],
                        vec![create_sequence(current)],
                    );
                }
                (Some(current), Some(target))
                    if current.data_type != target.data_type
                        || current.options != target.options =>
                {
                    self.push(
                        Phase::Sequences,
                        vec![alter_sequence(target)],
                        vec![alter_sequence(current)],
                    );
                }
                _ => {}
            }
        }
    }

    // --- tables --------------------------------------------------------------------------

    fn tables(&mut self) {
        let current: BTreeMap<&QualifiedName, &Table> = self
            .current
            .tables
            .iter()
            .filter(|(name, table)| {
                self.include(table_ref(
                    table,
                    true,
                    self.target.tables.contains_key(*name),
                ))
            })
            .collect();
        let target: BTreeMap<&QualifiedName, &Table> = self
            .target
            .tables
            .iter()
            .filter(|(name, table)| {
                self.include(table_ref(
                    table,
                    self.current.tables.contains_key(*name),
                    true,
                ))
            })
            .collect();
        let added: Vec<&Table> = target
            .iter()
            .filter(|(name, _)| !current.contains_key(*name))
            .map(|(_, t)| *t)
            .collect();
        let removed: Vec<&Table> = current
            .iter()
            .filter(|(name, _)| !target.contains_key(*name))
            .map(|(_, t)| *t)
            .collect();
        let common: Vec<(&Table, &Table)> = current
            .iter()
            .filter_map(|(name, c)| target.get(name).map(|t| (*c, *t)))
            .collect();
        self.rename_notes_for_tables(&removed, &added);

        // Keys (primary keys, unique constraints and indexes) dropped or added in tables on
        // both sides: foreign keys referring to them are dropped first or added last.
        let mut plans: Vec<TablePlan<'_>> = common
            .iter()
            .map(|(c, t)| self.plan_constraints_and_indexes(c, t))
            .collect();
        let mut dropped_keys: HashSet<Key> = HashSet::new();
        let mut added_keys: HashSet<Key> = HashSet::new();
        for ((current, _), plan) in common.iter().zip(&plans) {
            let name = current.qualified_name();
            for constraint in &plan.dropped_constraints {
                if let Some(columns) = key_columns(constraint) {
                    dropped_keys.insert((name.clone(), columns));
                }
            }
            for constraint in &plan.added_constraints {
                if let Some(columns) = key_columns(constraint) {
                    added_keys.insert((name.clone(), columns));
                }
            }
            for index in &plan.dropped_indexes {
                if let Some(columns) = index_key_columns(index) {
                    dropped_keys.insert((name.clone(), columns));
                }
            }
            for index in &plan.added_indexes {
                if let Some(columns) = index_key_columns(index) {
                    added_keys.insert((name.clone(), columns));
                }
            }
        }
        for ((current, target), plan) in common.iter().zip(plans.iter_mut()) {
            self.plan_foreign_keys(current, target, plan, &dropped_keys, &added_keys);
        }

        self.removed_tables(&removed, &dropped_keys);
        for ((current, target), plan) in common.iter().zip(&plans) {
            self.common_table(current, target, plan);
        }
        self.added_tables(&added, &added_keys);
    }

    fn rename_notes_for_tables(&mut self, removed: &[&Table], added: &[&Table]) {
        let shape = |table: &Table| -> BTreeSet<(String, String)> {
            table
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.to_string()))
                .collect()
        };
        let mut taken = HashSet::new();
        for old in removed {
            let old_shape = shape(old);
            if old_shape.is_empty() {
                continue;
            }
            let candidate = added.iter().find(|new| {
                new.schema == old.schema
                    && !taken.contains(&new.qualified_name())
                    && shape(new) == old_shape
            });
            if let Some(new) = candidate {
                taken.insert(new.qualified_name());
                let note = |from: &Table, to: &Table| {
                    format!(
                        "table '{}' is dropped and '{}' created with the same columns: if this is a rename, replace both with op.rename_table(\"{}\", \"{}\"){} to keep the data",
                        from.qualified_name(),
                        to.qualified_name(),
                        from.name,
                        to.name,
                        schema_call(from.schema.as_deref()),
                    )
                };
                self.notes.push(note(old, new));
                self.downgrade_notes.push(note(new, old));
            }
        }
    }

    fn removed_tables(&mut self, removed: &[&Table], dropped_keys: &HashSet<Key>) {
        let (order, late) = creation_order(removed, |fk| {
            dropped_keys.contains(&(referred(fk), fk.referred_columns.clone()))
        });
        for table in &order {
            for constraint in &table.constraints {
                if is_late(table, constraint, &late) {
                    self.push(
                        Phase::DropForeignKeys,
                        vec![drop_constraint(table, constraint)],
                        vec![add_constraint(table, constraint)],
                    );
                }
            }
        }
        for table in order.iter().rev() {
            self.warnings.push(format!(
                "drop_table '{}': the table and all its data are dropped",
                table.qualified_name()
            ));
            let mut down = vec![create_table(table, &late)];
            down.extend(table.indexes.iter().map(|index| create_index(table, index)));
            self.push(Phase::DropTables, vec![drop_table(table)], down);
        }
    }

    fn added_tables(&mut self, added: &[&Table], added_keys: &HashSet<Key>) {
        let (order, late) = creation_order(added, |fk| {
            added_keys.contains(&(referred(fk), fk.referred_columns.clone()))
        });
        for table in &order {
            let mut up = vec![create_table(table, &late)];
            up.extend(table.indexes.iter().map(|index| create_index(table, index)));
            self.push(Phase::CreateTables, up, vec![drop_table(table)]);
        }
        for table in &order {
            for constraint in &table.constraints {
                if is_late(table, constraint, &late) {
                    self.push(
                        Phase::AddForeignKeys,
                        vec![add_constraint(table, constraint)],
                        vec![drop_constraint(table, constraint)],
                    );
                }
            }
        }
    }

    /// Primary keys, unique and check constraints, and indexes of a table on both sides.
    fn plan_constraints_and_indexes(&self, current: &'a Table, target: &'a Table) -> TablePlan<'a> {
        let mut plan = TablePlan::default();
        let keep = |c: &&Constraint| !matches!(c, Constraint::ForeignKey(_));
        let current_constraints: Vec<&Constraint> =
            current.constraints.iter().filter(keep).collect();
        let target_constraints: Vec<&Constraint> = target.constraints.iter().filter(keep).collect();
        let (dropped, added) =
            self.match_constraints(current, &current_constraints, &target_constraints);
        plan.dropped_constraints = dropped;
        plan.added_constraints = added;

        let mut matched = HashSet::new();
        for index in &target.indexes {
            let name = index_name(index);
            let in_current = current.indexes.iter().position(|c| index_name(c) == name);
            if !self.include_in_table(ObjectKind::Index, target, name, in_current.is_some(), true) {
                if let Some(at) = in_current {
                    matched.insert(at);
                }
                continue;
            }
            match in_current {
                Some(at) => {
                    matched.insert(at);
                    if !same_index(&current.indexes[at], index) {
                        plan.dropped_indexes.push(&current.indexes[at]);
                        plan.added_indexes.push(index);
                    }
                }
                None => plan.added_indexes.push(index),
            }
        }
        for (at, index) in current.indexes.iter().enumerate() {
            if !matched.contains(&at)
                && self.include_in_table(ObjectKind::Index, current, index_name(index), true, false)
            {
                plan.dropped_indexes.push(index);
            }
        }
        plan
    }

    /// Matches constraints by name; a changed definition is a drop and an add.
    fn match_constraints(
        &self,
        table: &'a Table,
        current: &[&'a Constraint],
        target: &[&'a Constraint],
    ) -> (Vec<&'a Constraint>, Vec<&'a Constraint>) {
        let mut dropped = Vec::new();
        let mut added = Vec::new();
        let mut matched = HashSet::new();
        for constraint in target {
            let name = constraint_name(constraint);
            let in_current = current
                .iter()
                .position(|c| constraint_name(c) == name && same_kind(c, constraint));
            if !self.include_in_table(
                ObjectKind::Constraint,
                table,
                name,
                in_current.is_some(),
                true,
            ) {
                if let Some(at) = in_current {
                    matched.insert(at);
                }
                continue;
            }
            match in_current {
                Some(at) => {
                    matched.insert(at);
                    if !same_constraint(current[at], constraint) {
                        dropped.push(current[at]);
                        added.push(*constraint);
                    }
                }
                None => added.push(*constraint),
            }
        }
        for (at, constraint) in current.iter().enumerate() {
            if !matched.contains(&at)
                && self.include_in_table(
                    ObjectKind::Constraint,
                    table,
                    constraint_name(constraint),
                    true,
                    false,
                )
            {
                dropped.push(*constraint);
            }
        }
        // Drops before adds in each phase; a table has one primary key, so a changed one is
        // dropped before the new one is added.
        (dropped, added)
    }

    fn plan_foreign_keys(
        &self,
        current: &'a Table,
        target: &'a Table,
        plan: &mut TablePlan<'a>,
        dropped_keys: &HashSet<Key>,
        added_keys: &HashSet<Key>,
    ) {
        let fks = |t: &'a Table| -> Vec<&'a Constraint> {
            t.constraints
                .iter()
                .filter(|c| matches!(c, Constraint::ForeignKey(_)))
                .collect()
        };
        let (current_fks, target_fks) = (fks(current), fks(target));
        let (mut dropped, mut added) = self.match_constraints(current, &current_fks, &target_fks);
        // Unchanged foreign keys whose referred key is dropped and re-created.
        for constraint in &target_fks {
            let Constraint::ForeignKey(fk) = constraint else {
                continue;
            };
            let Some(old) = current_fks
                .iter()
                .find(|c| constraint_name(c) == constraint_name(constraint))
            else {
                continue;
            };
            let Constraint::ForeignKey(old_fk) = old else {
                continue;
            };
            let changed = added.iter().any(|c| std::ptr::eq(*c, *constraint));
            let included = self.include_in_table(
                ObjectKind::Constraint,
                target,
                constraint_name(constraint),
                true,
                true,
            );
            if included
                && !changed
                && (dropped_keys.contains(&(referred(old_fk), old_fk.referred_columns.clone()))
                    || added_keys.contains(&(referred(fk), fk.referred_columns.clone())))
            {
                dropped.push(old);
                added.push(constraint);
            }
        }
        plan.dropped_foreign_keys = dropped;
        plan.added_foreign_keys = added;
    }

    fn common_table(&mut self, current: &Table, target: &Table, plan: &TablePlan<'_>) {
        for constraint in &plan.dropped_foreign_keys {
            self.push(
                Phase::DropForeignKeys,
                vec![drop_constraint(current, constraint)],
                vec![add_constraint(current, constraint)],
            );
        }
        for index in &plan.dropped_indexes {
            self.push(
                Phase::DropIndexesAndConstraints,
                vec![drop_index(current, index)],
                vec![create_index(current, index)],
            );
        }
        for constraint in &plan.dropped_constraints {
            self.push(
                Phase::DropIndexesAndConstraints,
                vec![drop_constraint(current, constraint)],
                vec![add_constraint(current, constraint)],
            );
        }
        self.columns(current, target);
        for constraint in &plan.added_constraints {
            self.push(
                Phase::AddIndexesAndConstraints,
                vec![add_constraint(target, constraint)],
                vec![drop_constraint(target, constraint)],
            );
        }
        for index in &plan.added_indexes {
            self.push(
                Phase::AddIndexesAndConstraints,
                vec![create_index(target, index)],
                vec![drop_index(target, index)],
            );
        }
        for constraint in &plan.added_foreign_keys {
            self.push(
                Phase::AddForeignKeys,
                vec![add_constraint(target, constraint)],
                vec![drop_constraint(target, constraint)],
            );
        }
        if current.comment != target.comment {
            self.push(
                Phase::Comments,
                vec![table_comment(target, target.comment.clone())],
                vec![table_comment(current, current.comment.clone())],
            );
        }
    }

    fn columns(&mut self, current: &Table, target: &Table) {
        let included = |differ: &Self, column: &Column, in_current: bool, in_target: bool| {
            differ.include_in_table(
                ObjectKind::Column,
                target,
                &column.name,
                in_current,
                in_target,
            )
        };
        let added: Vec<&Column> = target
            .columns
            .iter()
            .filter(|c| current.get_column(&c.name).is_none() && included(self, c, false, true))
            .collect();
        let removed: Vec<&Column> = current
            .columns
            .iter()
            .filter(|c| target.get_column(&c.name).is_none() && included(self, c, true, false))
            .collect();
        let qualified = current.qualified_name();

        let mut taken = HashSet::new();
        for old in &removed {
            let candidate = added
                .iter()
                .find(|new| new.ty == old.ty && !taken.contains(&new.name));
            if let Some(new) = candidate {
                taken.insert(new.name.clone());
                let note = |from: &Column, to: &Column| {
                    format!(
                        "column '{qualified}.{}' is dropped and '{qualified}.{}' added with the same type ({}): if this is a rename, replace both with op.alter_column(\"{}\", \"{}\"){}.rename_to(\"{}\") to keep the data",
                        from.name,
                        to.name,
                        from.ty,
                        current.name,
                        from.name,
                        schema_call(current.schema.as_deref()),
                        to.name,
                    )
                };
                self.notes.push(note(old, new));
                self.downgrade_notes.push(note(new, old));
            }
        }

        for column in &added {
            if !column.nullable
                && column.server_default.is_none()
                && column.identity.is_none()
                && !is_serial(&column.ty)
            {
                self.notes.push(format!(
                    "column '{qualified}.{}' is added NOT NULL without a default: this fails if the table has rows; add a server default or fill it in steps",
                    column.name
                ));
            }
            self.push(
                Phase::Columns,
                vec![add_column(target, column)],
                vec![drop_column(target, &column.name)],
            );
        }
        for old in &current.columns {
            let Some(new) = target.get_column(&old.name) else {
                continue;
            };
            if included(self, new, true, true) {
                self.column(current, old, new);
            }
        }
        for column in &removed {
            self.warnings.push(format!(
                "drop_column '{qualified}.{}': the column and its data are dropped",
                column.name
            ));
            self.push(
                Phase::Columns,
                vec![drop_column(current, &column.name)],
                vec![add_column(current, column)],
            );
        }
    }

    /// A column on both sides: identity dropped first, then the default (around a type
    /// change), type, nullability and comment, then identity added or changed.
    fn column(&mut self, table: &Table, old: &Column, new: &Column) {
        let qualified = format!("{}.{}", table.qualified_name(), old.name);
        let serial_change =
            is_serial(&old.ty) != is_serial(&new.ty) || (is_serial(&old.ty) && old.ty != new.ty);
        if serial_change {
            self.warnings.push(format!(
                "column '{qualified}' changes between {} and {}: changes to or from SERIAL are not generated; write them by hand",
                old.ty, new.ty
            ));
        }
        let type_changed = self.options.compare_types && !serial_change && old.ty != new.ty;
        let default_changed = self.options.compare_server_defaults
            && !serial_change
            && old.server_default.as_ref().map(default_key)
                != new.server_default.as_ref().map(default_key);
        let nullable_changed = old.nullable != new.nullable;
        let comment_changed = old.comment != new.comment;

        if old.identity.is_some() && new.identity.is_none() {
            self.push(
                Phase::Columns,
                vec![execute(identity_sql(table, old, None))],
                vec![execute(identity_sql(table, old, old.identity.as_ref()))],
            );
        }

        if type_changed && !is_widening(&old.ty, &new.ty) {
            self.warnings.push(format!(
                "alter_column '{qualified}': the type changes from {} to {}, which may fail or lose data",
                old.ty, new.ty
            ));
        }
        // PostgreSQL converts a column's default with its type, which fails when no
        // assignment cast exists (text to integer, anything to an enum): around such a type
        // change, and when the default changes too, the default is dropped first and set
        // after.
        let split_default = type_changed
            && old.server_default.is_some()
            && (default_changed || !is_widening(&old.ty, &new.ty));
        if split_default && old.server_default.is_some() {
            let mut up = alter_column(table, &old.name);
            up.server_default = Some(None);
            let mut down = alter_column(table, &old.name);
            down.server_default = Some(old.server_default.clone());
            self.push(
                Phase::Columns,
                vec![Operation::AlterColumn(up)],
                vec![Operation::AlterColumn(down)],
            );
        }
        let mut up = alter_column(table, &old.name);
        let mut down = alter_column(table, &old.name);
        if type_changed {
            up.new_type = Some(new.ty.clone());
            up.using = Some(using(&old.name, &old.ty, &new.ty));
            down.new_type = Some(old.ty.clone());
            down.using = Some(using(&old.name, &new.ty, &old.ty));
        }
        if nullable_changed {
            up.nullable = Some(new.nullable);
            down.nullable = Some(old.nullable);
        }
        if default_changed && !split_default {
            up.server_default = Some(new.server_default.clone());
            down.server_default = Some(old.server_default.clone());
        }
        if comment_changed {
            up.comment = Some(new.comment.clone());
            down.comment = Some(old.comment.clone());
        }
        if type_changed
            || nullable_changed
            || (default_changed && !split_default)
            || comment_changed
        {
            self.push(
                Phase::Columns,
                vec![Operation::AlterColumn(up)],
                vec![Operation::AlterColumn(down)],
            );
        }
        if split_default && new.server_default.is_some() {
            let mut up = alter_column(table, &old.name);
            up.server_default = Some(new.server_default.clone());
            let mut down = alter_column(table, &old.name);
            down.server_default = Some(None);
            self.push(
                Phase::Columns,
                vec![Operation::AlterColumn(up)],
                vec![Operation::AlterColumn(down)],
            );
        }

        match (&old.identity, &new.identity) {
            (None, Some(identity)) => {
                self.notes.push(format!(
                    "column '{qualified}' becomes an identity column: its sequence starts at {}; move it past the existing values (setval) if the table has rows",
                    identity.options.start.map_or_else(|| "the default".to_owned(), |s| s.to_string())
                ));
                self.push(
                    Phase::Columns,
                    vec![execute(identity_sql(table, new, Some(identity)))],
                    vec![execute(identity_sql(table, new, None))],
                );
            }
            (Some(before), Some(after)) if before != after => self.push(
                Phase::Columns,
                vec![execute(identity_change_sql(table, new, after))],
                vec![execute(identity_change_sql(table, old, before))],
            ),
            _ => {}
        }
    }
}

// --- helpers -------------------------------------------------------------------------

fn schema_ref(schema: &str, in_current: bool, in_target: bool) -> ObjectRef<'_> {
    ObjectRef {
        kind: ObjectKind::Schema,
        schema: Some(schema),
        table: None,
        name: schema,
        in_current,
        in_target,
    }
}

fn table_ref(table: &Table, in_current: bool, in_target: bool) -> ObjectRef<'_> {
    ObjectRef {
        kind: ObjectKind::Table,
        schema: table.schema.as_deref(),
        table: None,
        name: &table.name,
        in_current,
        in_target,
    }
}

/// `*` matches any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

fn enums_used(metadata: &Metadata) -> BTreeSet<QualifiedName> {
    let mut used = BTreeSet::new();
    for table in metadata.tables.values() {
        for column in &table.columns {
            let mut ty = &column.ty;
            while let Type::Array(element) = ty {
                ty = element;
            }
            if let Type::Enum { schema, name } = ty {
                used.insert(QualifiedName::new(schema.as_deref(), name));
            }
        }
    }
    used
}

/// Whether `short` appears in `long` in the same order.
fn is_subsequence(short: &[String], long: &[String]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|value| rest.any(|v| v == value))
}

fn is_serial(ty: &Type) -> bool {
    matches!(ty, Type::SmallSerial | Type::Serial | Type::BigSerial)
}

/// Whether every value of `old` converts to `new` unchanged.
fn is_widening(old: &Type, new: &Type) -> bool {
    use Type::{BigInt, Char, Double, Integer, Numeric, Real, SmallInt, Text, Varchar};
    let int_rank = |t: &Type| match t {
        SmallInt => Some(1),
        Integer => Some(2),
        BigInt => Some(3),
        _ => None,
    };
    match (old, new) {
        (_, Text) => true,
        (Type::Array(a), Type::Array(b)) => is_widening(a, b),
        (a, b) if int_rank(a).is_some() && int_rank(b).is_some() => int_rank(a) <= int_rank(b),
        (
            SmallInt | Integer | BigInt,
            Numeric {
                precision: None, ..
            },
        ) => true,
        (Varchar(Some(n)) | Char(Some(n)), Varchar(Some(m))) => m >= n,
        (Varchar(_) | Char(_) | Text, Varchar(None)) => true,
        (
            Numeric { .. },
            Numeric {
                precision: None, ..
            },
        ) => true,
        (
            Numeric {
                precision: Some(p),
                scale,
            },
            Numeric {
                precision: Some(q),
                scale: scale2,
            },
        ) => {
            let (s, t) = (scale.unwrap_or(0), scale2.unwrap_or(0));
            t >= s && q.saturating_sub(t) >= p.saturating_sub(s)
        }
        (Real, Double) => true,
        _ => false,
    }
}

fn quote(name: &str) -> String {
    Postgres.quote_identifier(name)
}

fn qualified_sql(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(schema) => format!("{}.{}", quote(schema), quote(name)),
        None => quote(name),
    }
}

/// A type as PostgreSQL reads it in a cast.
fn type_sql(ty: &Type) -> String {
    match ty {
        Type::Enum { schema, name } => qualified_sql(schema.as_deref(), name),
        Type::Array(element) => format!("{}[]", type_sql(element)),
        other => other.to_string(),
    }
}

/// `USING column::new_type`, through text when an enum is involved.
fn using(column: &str, old: &Type, new: &Type) -> String {
    let is_enum = |t: &Type| match t {
        Type::Enum { .. } => true,
        Type::Array(element) => matches!(**element, Type::Enum { .. }),
        _ => false,
    };
    if is_enum(old) || is_enum(new) {
        let via = if matches!(new, Type::Array(_)) {
            "text[]"
        } else {
            "text"
        };
        format!("{}::{via}::{}", quote(column), type_sql(new))
    } else {
        format!("{}::{}", quote(column), type_sql(new))
    }
}

fn schema_call(schema: Option<&str>) -> String {
    match schema {
        Some(schema) => format!(".schema(\"{schema}\")"),
        None => String::new(),
    }
}

fn referred(fk: &ForeignKey) -> QualifiedName {
    QualifiedName::new(fk.referred_schema.as_deref(), &fk.referred_table)
}

fn key_columns(constraint: &Constraint) -> Option<Vec<String>> {
    match constraint {
        Constraint::PrimaryKey(key) => Some(key.columns.clone()),
        Constraint::Unique(unique) => Some(unique.columns.clone()),
        _ => None,
    }
}

fn index_key_columns(index: &Index) -> Option<Vec<String>> {
    if !index.unique || index.predicate.is_some() {
        return None;
    }
    index
        .elements
        .iter()
        .map(|e| match e {
            IndexElement::Column(c) => Some(c.clone()),
            IndexElement::Expression(_) => None,
        })
        .collect()
}

fn constraint_name(constraint: &Constraint) -> &str {
    constraint.name().map(Name::as_str).unwrap_or_default()
}

fn index_name(index: &Index) -> &str {
    index.name.as_ref().map(Name::as_str).unwrap_or_default()
}

fn same_kind(a: &Constraint, b: &Constraint) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Tables in an order that creates referred tables before referring ones (by name among
/// those ready), and the foreign keys that must be added after all are created: those
/// closing a cycle, and those `late_key` says refer to a key created later.
fn creation_order<'t>(
    tables: &[&'t Table],
    late_key: impl Fn(&ForeignKey) -> bool,
) -> (Vec<&'t Table>, HashSet<(QualifiedName, String)>) {
    let mut remaining: BTreeMap<QualifiedName, &'t Table> =
        tables.iter().map(|t| (t.qualified_name(), *t)).collect();
    let mut created: HashSet<QualifiedName> = HashSet::new();
    let mut late: HashSet<(QualifiedName, String)> = HashSet::new();
    for table in tables {
        for constraint in &table.constraints {
            if let Constraint::ForeignKey(fk) = constraint
                && late_key(fk)
            {
                late.insert((
                    table.qualified_name(),
                    constraint_name(constraint).to_owned(),
                ));
            }
        }
    }
    let mut order = Vec::with_capacity(tables.len());
    let waits_for = |table: &Table,
                     remaining: &BTreeMap<QualifiedName, &Table>,
                     late: &HashSet<(QualifiedName, String)>| {
        let own = table.qualified_name();
        table.constraints.iter().any(|c| match c {
            Constraint::ForeignKey(fk) => {
                let target = referred(fk);
                target != own
                    && remaining.contains_key(&target)
                    && !late.contains(&(own.clone(), constraint_name(c).to_owned()))
            }
            _ => false,
        })
    };
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .find(|(_, table)| !waits_for(table, &remaining, &late))
            .map(|(name, _)| name.clone());
        let name = match ready {
            Some(name) => name,
            None => {
                // A cycle: create the first table without its foreign keys to tables not
                // created yet, and add those at the end.
                let Some((name, table)) = remaining.iter().next() else {
                    break;
                };
                for constraint in &table.constraints {
                    if let Constraint::ForeignKey(fk) = constraint {
                        let target = referred(fk);
                        if target != *name && remaining.contains_key(&target) {
                            late.insert((name.clone(), constraint_name(constraint).to_owned()));
                        }
                    }
                }
                name.clone()
            }
        };
        if let Some(table) = remaining.remove(&name) {
            created.insert(name);
            order.push(table);
        }
    }
    (order, late)
}

fn is_late(
    table: &Table,
    constraint: &Constraint,
    late: &HashSet<(QualifiedName, String)>,
) -> bool {
    matches!(constraint, Constraint::ForeignKey(_))
        && late.contains(&(
            table.qualified_name(),
            constraint_name(constraint).to_owned(),
        ))
}

// --- operations ----------------------------------------------------------------------

fn create_schema(name: &str) -> Operation {
    Operation::CreateSchema(CreateSchema {
        name: name.to_owned(),
        if_not_exists: false,
    })
}

fn drop_schema(name: &str) -> Operation {
    Operation::DropSchema(DropSchema {
        name: name.to_owned(),
        if_exists: false,
        cascade: false,
    })
}

fn create_enum(enum_type: &EnumType) -> Operation {
    Operation::CreateEnum(CreateEnum {
        schema: enum_type.schema.clone(),
        name: enum_type.name.clone(),
        values: enum_type.values.clone(),
    })
}

fn drop_enum(name: &QualifiedName) -> Operation {
    Operation::DropEnum(DropEnum {
        schema: name.schema.clone(),
        name: name.name.clone(),
        if_exists: false,
        cascade: false,
    })
}

fn create_sequence(sequence: &Sequence) -> Operation {
    Operation::CreateSequence(CreateSequence {
        schema: sequence.schema.clone(),
        name: sequence.name.clone(),
        data_type: sequence.data_type.clone(),
        options: sequence.options.clone(),
        if_not_exists: false,
    })
}

fn drop_sequence(name: &QualifiedName) -> Operation {
    Operation::DropSequence(DropSequence {
        schema: name.schema.clone(),
        name: name.name.clone(),
        if_exists: false,
        cascade: false,
    })
}

/// The options of a sequence of type `ty` with every default spelled out: increment,
/// min, max, start, cache, cycle.
fn resolved_options(options: &SequenceOptions, ty: &Type) -> (i64, i64, i64, i64, i64, bool) {
    let (type_min, type_max) = match ty {
        Type::SmallInt | Type::SmallSerial => (i64::from(i16::MIN), i64::from(i16::MAX)),
        Type::Integer | Type::Serial => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let increment = options.increment.unwrap_or(1);
    let min = options
        .min_value
        .unwrap_or(if increment > 0 { 1 } else { type_min });
    let max = options
        .max_value
        .unwrap_or(if increment > 0 { type_max } else { -1 });
    let start = options
        .start
        .unwrap_or(if increment > 0 { min } else { max });
    (
        increment,
        min,
        max,
        start,
        options.cache.unwrap_or(1),
        options.cycle,
    )
}

/// `ALTER SEQUENCE` to the sequence's type and options, every one spelled out.
fn alter_sequence(sequence: &Sequence) -> Operation {
    let ty = sequence.data_type.clone().unwrap_or(Type::BigInt);
    let (increment, min, max, start, cache, cycle) = resolved_options(&sequence.options, &ty);
    execute(format!(
        "ALTER SEQUENCE {} AS {} INCREMENT BY {increment} MINVALUE {min} MAXVALUE {max} START WITH {start} CACHE {cache} {}CYCLE",
        qualified_sql(sequence.schema.as_deref(), &sequence.name),
        type_sql(&ty),
        if cycle { "" } else { "NO " }
    ))
}

fn execute(sql: String) -> Operation {
    Operation::Execute {
        sql,
        params: Vec::new(),
    }
}

/// `ADD GENERATED ... AS IDENTITY (...)` with `identity`, or `DROP IDENTITY` without.
fn identity_sql(table: &Table, column: &Column, identity: Option<&Identity>) -> String {
    let prefix = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        qualified_sql(table.schema.as_deref(), &table.name),
        quote(&column.name)
    );
    let Some(identity) = identity else {
        return format!("{prefix} DROP IDENTITY");
    };
    let options = &identity.options;
    let mut parts = Vec::new();
    let mut push = |keyword: &str, value: Option<i64>| {
        if let Some(value) = value {
            parts.push(format!("{keyword} {value}"));
        }
    };
    push("INCREMENT BY", options.increment);
    push("START WITH", options.start);
    push("MINVALUE", options.min_value);
    push("MAXVALUE", options.max_value);
    push("CACHE", options.cache);
    if options.cycle {
        parts.push("CYCLE".to_owned());
    }
    format!(
        "{prefix} ADD GENERATED {} AS IDENTITY{}",
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        },
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(" "))
        }
    )
}

/// `SET GENERATED ... SET ...` to `identity`, every option spelled out.
fn identity_change_sql(table: &Table, column: &Column, identity: &Identity) -> String {
    let (increment, min, max, start, cache, cycle) =
        resolved_options(&identity.options, &column.ty);
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET GENERATED {} SET INCREMENT BY {increment} SET MINVALUE {min} SET MAXVALUE {max} SET START WITH {start} SET CACHE {cache} SET {}CYCLE",
        qualified_sql(table.schema.as_deref(), &table.name),
        quote(&column.name),
        if identity.always {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        },
        if cycle { "" } else { "NO " }
    )
}

fn create_table(table: &Table, late: &HashSet<(QualifiedName, String)>) -> Operation {
    Operation::CreateTable(CreateTable {
        schema: table.schema.clone(),
        name: table.name.clone(),
        columns: table.columns.clone(),
        constraints: table
            .constraints
            .iter()
            .filter(|c| !is_late(table, c, late))
            .cloned()
            .collect(),
        comment: table.comment.clone(),
        if_not_exists: false,
    })
}

fn drop_table(table: &Table) -> Operation {
    Operation::DropTable(DropTable {
        schema: table.schema.clone(),
        name: table.name.clone(),
        if_exists: false,
        cascade: false,
    })
}

fn table_comment(table: &Table, comment: Option<String>) -> Operation {
    Operation::TableComment(TableComment {
        schema: table.schema.clone(),
        table: table.name.clone(),
        comment,
    })
}

fn create_index(table: &Table, index: &Index) -> Operation {
    Operation::CreateIndex(CreateIndex {
        name: index.name.clone(),
        schema: table.schema.clone(),
        table: table.name.clone(),
        elements: index.elements.clone(),
        unique: index.unique,
        method: index.method.clone(),
        include: index.include.clone(),
        predicate: index.predicate.clone(),
        nulls_not_distinct: index.nulls_not_distinct,
        concurrently: false,
        if_not_exists: false,
    })
}

fn drop_index(table: &Table, index: &Index) -> Operation {
    Operation::DropIndex(DropIndex {
        schema: table.schema.clone(),
        name: index
            .name
            .clone()
            .unwrap_or_else(|| Name::Final(String::new())),
        if_exists: false,
        concurrently: false,
        cascade: false,
    })
}

fn add_constraint(table: &Table, constraint: &Constraint) -> Operation {
    Operation::AddConstraint(AddConstraint {
        schema: table.schema.clone(),
        table: table.name.clone(),
        constraint: constraint.clone(),
    })
}

fn drop_constraint(table: &Table, constraint: &Constraint) -> Operation {
    Operation::DropConstraint(DropConstraint {
        schema: table.schema.clone(),
        table: table.name.clone(),
        name: constraint
            .name()
            .cloned()
            .unwrap_or_else(|| Name::Final(String::new())),
        if_exists: false,
        cascade: false,
    })
}

fn add_column(table: &Table, column: &Column) -> Operation {
    Operation::AddColumn(AddColumn {
        schema: table.schema.clone(),
        table: table.name.clone(),
        column: column.clone(),
        constraints: Vec::new(),
        if_not_exists: false,
    })
}

fn drop_column(table: &Table, column: &str) -> Operation {
    Operation::DropColumn(DropColumn {
        schema: table.schema.clone(),
        table: table.name.clone(),
        column: column.to_owned(),
        if_exists: false,
        cascade: false,
    })
}

fn alter_column(table: &Table, column: &str) -> AlterColumn {
    AlterColumn {
        schema: table.schema.clone(),
        table: table.name.clone(),
        column: column.to_owned(),
        nullable: None,
        new_type: None,
        using: None,
        server_default: None,
        comment: None,
        new_name: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{glob, is_subsequence, is_widening};
    use crate::schema::Type;

    #[test]
    fn globs() {
        assert!(glob("spatial_ref_sys", "spatial_ref_sys"));
        assert!(glob("tmp_*", "tmp_x"));
        assert!(glob("audit.*", "audit.login"));
        assert!(glob("t?", "t1"));
        assert!(!glob("t?", "t12"));
        assert!(!glob("tmp_*", "public.tmp_x"));
        assert!(glob("*.tmp_*", "public.tmp_x"));
    }

    #[test]
    fn subsequences() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(is_subsequence(&s(&["a", "b"]), &s(&["a", "x", "b"])));
        assert!(!is_subsequence(&s(&["b", "a"]), &s(&["a", "b"])));
        assert!(!is_subsequence(&s(&["a", "c"]), &s(&["a", "b"])));
    }

    #[test]
    fn widening() {
        assert!(is_widening(&Type::Integer, &Type::BigInt));
        assert!(!is_widening(&Type::BigInt, &Type::Integer));
        assert!(is_widening(&Type::varchar(20), &Type::varchar(200)));
        assert!(!is_widening(&Type::varchar(200), &Type::varchar(20)));
        assert!(is_widening(&Type::numeric(10, 2), &Type::numeric(12, 2)));
        assert!(!is_widening(&Type::numeric(10, 2), &Type::numeric(10, 3)));
        assert!(is_widening(&Type::Jsonb, &Type::Text));
        assert!(!is_widening(&Type::Text, &Type::Integer));
    }
}

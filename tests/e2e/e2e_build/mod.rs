//! Tests that build something with real cargo and run it on a real database: scaffolded
//! migrations crates driven through `cargo alembic`, and the example application. Their names
//! start with `e2e_build::`, so nextest's `e2e-build` test group runs them one at a time
//! (.config/nextest.toml): each build keeps both cores busy, and they share one target
//! directory whose lock would serialise them anyway.

mod compat;
mod database;
mod example_app;

use crate::project::TestProject;

/// Writes `<dir>/versions/<id>_<slug>.sql` with the header `cargo alembic revision` writes.
pub fn write_sql_revision(
    p: &TestProject,
    dir: &str,
    (id, down, message): (&str, &str, &str),
    upgrade: &str,
    downgrade: &str,
) {
    let slug = message.replace(' ', "_");
    p.write(
        &format!("{dir}/versions/{id}_{slug}.sql"),
        &format!(
            "-- {message}\n--\n-- Revision ID: {id}\n-- Revises: {down}\n\
             -- Create Date: 2026-01-01 10:00:00+00:00\n\n\
             -- migrate:upgrade\n{upgrade}\n\n-- migrate:downgrade\n{downgrade}\n"
        ),
    );
}

/// Writes `<dir>/versions/<id>_<slug>.rs` with the given function bodies.
pub fn write_rust_revision(
    p: &TestProject,
    dir: &str,
    (id, down, message): (&str, &str, &str),
    upgrade: &str,
    downgrade: &str,
) {
    let slug = message.replace(' ', "_");
    p.write(
        &format!("{dir}/versions/{id}_{slug}.rs"),
        &format!(
            "//! {message}\n//!\n//! Revision ID: {id}\n//! Revises: {down}\n\
             //! Create Date: 2026-01-01 10:00:00+00:00\n\n\
             use migration_runtime::prelude::*;\n\n\
             pub fn upgrade(op: &mut Op) {{\n{upgrade}\n}}\n\n\
             pub fn downgrade(op: &mut Op) {{\n{downgrade}\n}}\n"
        ),
    );
}

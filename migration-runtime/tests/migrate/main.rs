//! The migrator against a real PostgreSQL, with no cargo build in the loop: each test
//! builds a `Migrations` by hand, as the generated registry does, and runs it on a fresh
//! `TestDb`.
//!
//! - `version_table`: the rows after each kind of step, the table's DDL, a configured table.
//! - `transactions`: one transaction per run by default, one per revision on request, and
//!   what a failing statement reports.
//! - `locking`: the start-up fast path, concurrent migrators, the lock released on every
//!   path, and the lock timeout.
//! - `nontransactional`: statements PostgreSQL refuses inside a transaction block.
//! - `targets`: unknown revisions in the table, ambiguous downgrades, `stamp --purge`.
//! - `rust_revisions`: revisions written with the operations API.
//! - `offline`: `--sql` scripts compared byte for byte with Python Alembic's.
//!
//! One test binary for all of them, so the suite links once.

#![allow(
    clippy::disallowed_methods,
    clippy::print_stderr,
    reason = "the oracle tests run python3 directly and print our script before comparing"
)]

mod every_operation;
mod graph;
mod locking;
mod nontransactional;
mod offline;
mod rust_revisions;
mod targets;
mod transactions;
mod version_table;

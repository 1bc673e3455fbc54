//! End-to-end tests: real `cargo alembic`, real cargo builds, real PostgreSQL, and Python
//! Alembic as the oracle for output formats.

#![allow(
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "tests print unfiltered output and read their own environment"
)]

mod autogenerate;
mod e2e_build;
mod files;
mod help;
mod oracle;
mod project;

//! Exit codes of `cargo alembic` and of a migrations crate's binary.
//!
//! Python Alembic exits 255 for every failure. Scripts and CI want to tell "the database is
//! behind" from "the revision files are broken" from "the server is down", so each class of
//! failure has its own code. `cargo alembic` passes the binary's code through.

/// The command did what was asked.
pub const SUCCESS: u8 = 0;
/// A check said no: `check` found operations to generate, or `current --check-heads` found
/// the database behind the heads.
pub const CHECK_FAILED: u8 = 1;
/// The command line is malformed.
pub const USAGE: u8 = 2;
/// Revision files or targets are wrong: a malformed header, a broken graph, an unknown or
/// ambiguous revision, several heads where one is required.
pub const REVISION: u8 = 3;
/// The configuration is missing or malformed, or no environment was found.
pub const CONFIG: u8 = 4;
/// The database refused a connection or a statement.
pub const DATABASE: u8 = 5;
/// Building the environment's binary with cargo failed.
pub const BUILD: u8 = 6;
/// Reading or writing a file failed, or a subprocess could not be run.
pub const IO: u8 = 7;

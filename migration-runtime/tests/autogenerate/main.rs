//! Autogenerate against a real PostgreSQL: introspection, the comparison, rendering, and
//! the generated operations applied and undone.
//!
//! One test binary for all of it, so the suite links once. The textual snapshots of the
//! rendered Rust need the `autogenerate` feature (`cargo test -p migration-runtime
//! --features autogenerate`); without it the golden files are still compiled in and must
//! record exactly the generated operations.

mod cases;
mod introspect;
mod realistic;
mod rust_metadata;
mod support;

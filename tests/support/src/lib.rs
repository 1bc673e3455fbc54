//! Test helpers for cargo-alembic.
//!
//! [`TestDb`] gives one test its own PostgreSQL database and drops it afterwards:
//!
//! ```no_run
//! use alembic_test_support::TestDb;
//!
//! let db = TestDb::new(module_path!(), "upgrade_head");
//! db.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)");
//! db.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')");
//! assert_eq!(
//!     db.query_strings("SELECT version_num FROM alembic_version ORDER BY 1"),
//!     ["ae1027a6acf"],
//! );
//! // `db.url()` is what the code under test connects to.
//! ```
//!
//! The server comes from `DATABASE_URL`, which `cargo xtask test` always sets: it finds a
//! server or starts a throwaway cluster. Without it a test fails with
//! ``set DATABASE_URL or run `cargo xtask test` ``; there is no silent skip.
//!
//! Architecture Invariant: this crate depends only on tokio and tokio-postgres, never on
//! the project's own crates, so the runtime can take it as a dev-dependency without a cycle.

mod db;
mod url;

pub use db::{DATABASE_PREFIX, OWNER_COMMENT_PREFIX, TestDb};
pub use url::redact_password;

//! Alembic-style schema migrations for Rust applications, PostgreSQL first.
//!
//! A migrations crate (scaffolded by `cargo alembic init`) embeds its revisions at build time
//! and exports them; the application applies them at start-up:
//!
//! ```ignore
//! let (mut client, conn) = tokio_postgres::connect(&url, NoTls).await?;
//! tokio::spawn(conn);
//! migrations::MIGRATIONS.upgrade(&mut client, "head").await?;
//! ```
//!
//! The modules split into pure ones, where the logic lives ([`revision`], [`graph`]), and thin
//! ones that read files or talk to a database ([`script`], [`config`]).

#![warn(missing_docs)]

pub mod config;
pub mod graph;
pub mod ops;
pub mod revision;
pub mod script;

pub use revision::{Revision, RevisionId};

/// What revision files import: `use migration_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::ops::Op;
}

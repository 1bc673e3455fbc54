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

pub mod autogenerate;
#[cfg(feature = "build")]
pub mod build;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod dialect;
pub mod embed;
pub mod exit_codes;
pub mod graph;
pub mod introspect;
pub mod listing;
pub mod migrate;
pub mod ops;
pub mod revision;
pub mod schema;
pub mod script;
#[cfg(feature = "tls")]
mod tls;
pub mod url;

pub use embed::Migrations;
pub use revision::{Revision, RevisionId};

/// What revision files import: `use migration_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::ops::{Op, Value};
    pub use crate::schema::{
        CheckConstraint, Column, EnumType, ForeignKey, Identity, Index, IndexElement, IndexMethod,
        Metadata, PrimaryKey, ReferentialAction, Sequence, Table, Type, UniqueConstraint, f,
    };
}

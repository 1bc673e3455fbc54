//! The database migrations of `{{package}}`, embedded at build time by build.rs.
//!
//! ```ignore
//! {{crate_name}}::MIGRATIONS.upgrade(&mut client, "head").await?;
//! ```

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

//! The database migrations of `example-app-migrations`, embedded at build time by build.rs.
//!
//! ```ignore
//! example_app_migrations::MIGRATIONS.upgrade(&mut client, "head").await?;
//! ```

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

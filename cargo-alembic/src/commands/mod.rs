//! One module per command.

pub mod database;
pub mod init;
pub mod listing;
pub mod revision;

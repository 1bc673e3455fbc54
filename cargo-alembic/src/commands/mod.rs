//! One module per command.

pub mod init;
pub mod listing;
pub mod revision;

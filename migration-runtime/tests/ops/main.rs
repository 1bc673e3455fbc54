//! Operations and the PostgreSQL dialect: the SQL of every operation (`golden`), bad input
//! (`errors`), the statement splitter (`split`), and every operation applied to a real
//! database and undone (`online`).
//!
//! One test binary for all of them, so the suite links once.

mod docs;
mod errors;
mod golden;
mod online;
mod split;

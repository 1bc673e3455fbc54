//! Operations: what revision files ask for, recorded as values.
//!
//! A revision's `upgrade(op: &mut Op)` does not touch the database: it records
//! [`Operation`]s. The migrator turns them into SQL through a dialect, runs them online or
//! prints them with `--sql`, so the same revision serves both.

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Raw SQL, run as given.
    Execute {
        /// The SQL text.
        sql: String,
    },
}

/// The recorder a revision's `upgrade` and `downgrade` functions receive.
#[derive(Debug, Default)]
pub struct Op {
    operations: Vec<Operation>,
}

impl Op {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `sql` as given: any number of statements.
    pub fn execute(&mut self, sql: impl Into<String>) -> &mut Self {
        self.operations.push(Operation::Execute { sql: sql.into() });
        self
    }

    /// The operations recorded so far, in order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Takes the recorded operations, leaving the recorder empty.
    pub fn into_operations(self) -> Vec<Operation> {
        self.operations
    }
}

//! Revisions compiled into a binary: what a migrations crate's generated registry holds.
//!
//! The registry (written by [`build`](crate::build) into `OUT_DIR`) declares one static
//! [`Migrations`]; nothing here reads a file at run time.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::graph::{GraphError, RevisionMap};
use crate::ops::Op;
use crate::revision::{Format, Revision, RevisionId};

/// One embedded revision.
#[derive(Debug)]
pub struct EmbeddedRevision {
    /// The revision id.
    pub id: &'static str,
    /// Its down revisions.
    pub down_revisions: &'static [&'static str],
    /// The branch labels it declares.
    pub branch_labels: &'static [&'static str],
    /// What it depends on (ids or labels).
    pub depends_on: &'static [&'static str],
    /// Its header text.
    pub longdoc: &'static str,
    /// Its `Create Date:`.
    pub create_date: Option<&'static str>,
    /// The file it was built from, relative to the migrations crate.
    pub path: &'static str,
    /// What it does.
    pub body: Body,
}

/// What an embedded revision does.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// A Rust revision's functions.
    Rust {
        /// `upgrade(op)`.
        upgrade: fn(&mut Op),
        /// `downgrade(op)`.
        downgrade: fn(&mut Op),
    },
    /// A SQL revision's sections.
    Sql {
        /// The upgrade section.
        upgrade: &'static str,
        /// The line the upgrade section starts on.
        upgrade_line: usize,
        /// The downgrade section.
        downgrade: &'static str,
        /// The line the downgrade section starts on.
        downgrade_line: usize,
    },
}

/// The configuration embedded from `alembic.toml`.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedConfig {
    /// The version table.
    pub version_table: &'static str,
    /// Its schema.
    pub version_table_schema: Option<&'static str>,
    /// One transaction per revision.
    pub transaction_per_migration: bool,
    /// The URL setting, before `${VAR}` interpolation.
    pub url: Option<&'static str>,
}

/// A migrations crate's revisions, embedded at build time.
#[derive(Debug)]
pub struct Migrations {
    revisions: &'static [EmbeddedRevision],
    stored_heads: &'static [&'static str],
    single_head: bool,
    config: &'static EmbeddedConfig,
    map: OnceLock<Result<RevisionMap, GraphError>>,
}

impl Migrations {
    /// Used by the generated registry.
    #[doc(hidden)]
    pub const fn new(
        revisions: &'static [EmbeddedRevision],
        stored_heads: &'static [&'static str],
        single_head: bool,
        config: &'static EmbeddedConfig,
    ) -> Self {
        Self {
            revisions,
            stored_heads,
            single_head,
            config,
            map: OnceLock::new(),
        }
    }

    /// The embedded revisions, in load order.
    pub fn revisions(&self) -> &'static [EmbeddedRevision] {
        self.revisions
    }

    /// The version table rows of a database at `heads`, computed at build time. The start-up
    /// fast path compares the table with these and needs no graph.
    pub fn stored_heads(&self) -> &'static [&'static str] {
        self.stored_heads
    }

    /// Whether the target `head` names exactly one revision.
    pub fn single_head(&self) -> bool {
        self.single_head
    }

    /// The embedded configuration.
    pub fn config(&self) -> &'static EmbeddedConfig {
        self.config
    }

    /// The revision graph, built on first use.
    ///
    /// # Errors
    ///
    /// Never for a registry written by [`build`](crate::build), which validated the graph.
    pub fn map(&self) -> Result<&RevisionMap, &GraphError> {
        self.map
            .get_or_init(|| RevisionMap::new(self.revisions.iter().map(to_revision).collect()))
            .as_ref()
    }

    /// The embedded revision with this exact id.
    pub fn get(&self, id: &str) -> Option<&'static EmbeddedRevision> {
        self.revisions.iter().find(|rev| rev.id == id)
    }
}

fn to_revision(rev: &EmbeddedRevision) -> Revision {
    let ids = |items: &[&str]| -> Vec<RevisionId> {
        items
            .iter()
            .filter_map(|id| RevisionId::new(id).ok())
            .collect()
    };
    Revision {
        // The build validated every id; an invalid one cannot reach here.
        id: RevisionId::new(rev.id).unwrap_or_else(|_| unreachable_id(rev.id)),
        down_revisions: ids(rev.down_revisions),
        branch_labels: rev.branch_labels.iter().map(|s| (*s).to_owned()).collect(),
        depends_on: rev.depends_on.iter().map(|s| (*s).to_owned()).collect(),
        longdoc: rev.longdoc.to_owned(),
        create_date: rev.create_date.map(str::to_owned),
        path: Some(PathBuf::from(rev.path)),
        format: match rev.body {
            Body::Rust { .. } => Format::Rust,
            Body::Sql { .. } => Format::Sql,
        },
    }
}

#[cold]
fn unreachable_id(id: &str) -> RevisionId {
    unreachable!("the registry holds the invalid revision id {id:?}, which build.rs rejects")
}

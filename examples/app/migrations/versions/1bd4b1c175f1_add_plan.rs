//! add plan
//!
//! Revision ID: 1bd4b1c175f1
//! Revises: df794ac49c4a
//! Create Date: 2026-11-22 01:48:24.334259+00:00
//! Branch Labels:
//! Depends On:

use migration_runtime::prelude::*;

/// Upgrade schema.
pub fn upgrade(op: &mut Op) {
    op.create_table(
        "plan",
        [
            Column::new("name", Type::Text).primary_key(),
            Column::new("monthly_cents", Type::Integer).not_null(),
        ],
    );
    op.bulk_insert(
        "plan",
        ["name", "monthly_cents"],
        [
            [Value::from("free"), Value::from(0)],
            [Value::from("team"), Value::from(900)],
        ],
    );
    op.add_column(
        "account",
        Column::new("plan", Type::Text)
            .server_default("'free'")
            .not_null()
            .references(ForeignKey::to("plan", ["name"])),
    );
}

/// Downgrade schema.
pub fn downgrade(op: &mut Op) {
    op.drop_column("account", "plan");
    op.drop_table("plan");
}

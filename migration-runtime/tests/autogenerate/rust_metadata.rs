//! A target schema built in Rust compares equal to the same schema written as SQL and read
//! through a shadow database: a migrations crate's `target_metadata()` and a `schema.sql`
//! are interchangeable.

use migration_runtime::autogenerate::{CompareOptions, compare};
use migration_runtime::prelude::*;

use crate::support::{apply, assert_same, cases_dir, current, database, read, shadow};

/// `cases/rust_target/after.sql`, in Rust, as a migrations crate exports it. Names come
/// from the default naming convention; defaults and types are written as a developer
/// writes them, not as PostgreSQL prints them. Check conditions and index expressions are
/// compared as PostgreSQL prints them, apart from enclosing parentheses, spacing and case.
pub fn target_metadata() -> Metadata {
    Metadata::new()
        .enum_type(EnumType::new("mood", ["happy", "sad"]))
        .sequence(
            Sequence::new("invoice_number")
                .data_type(Type::Integer)
                .start(1000),
        )
        .table(
            Table::new("account")
                .column(
                    Column::new("id", Type::BigInt)
                        .identity(Identity::always())
                        .primary_key(),
                )
                .column(Column::new("email", Type::varchar(200)).not_null().unique())
                .column(
                    Column::new("plan", Type::Text)
                        .not_null()
                        .server_default_value("free"),
                )
                .column(
                    Column::new("balance", Type::numeric(12, 2))
                        .not_null()
                        .server_default_value(0),
                )
                .column(Column::new("mood", Type::enum_type("mood")))
                .column(
                    Column::new("created_at", Type::raw("TIMESTAMPTZ"))
                        .not_null()
                        .server_default("now()"),
                )
                // PostgreSQL prints `balance >= 0` on a numeric column as
                // `balance >= (0)::numeric`.
                .constraint(
                    CheckConstraint::new("balance >= (0)::numeric").name("balance_positive"),
                )
                .index(Index::new(["created_at"]))
                .comment("one row per customer"),
        )
        .table(
            Table::new("post")
                .column(Column::new("id", Type::Serial).primary_key())
                .column(
                    Column::new("account_id", Type::BigInt)
                        .not_null()
                        .references(
                            ForeignKey::to("account", ["id"]).on_delete(ReferentialAction::Cascade),
                        ),
                )
                .column(
                    Column::new("title", Type::varchar(200))
                        .not_null()
                        .comment("shown in lists"),
                )
                .column(
                    Column::new("tags", Type::array(Type::Text))
                        .not_null()
                        .server_default("'{}'"),
                )
                .index(
                    Index::new([IndexElement::expr("lower((title)::text)")])
                        .name(f("ix_post_lower_title")),
                )
                .index(
                    Index::new(["tags"])
                        .using(IndexMethod::Gin)
                        .name(f("ix_post_tags")),
                ),
        )
        .table(
            Table::new("audit")
                .schema("app")
                .column(
                    Column::new("id", Type::BigInt)
                        .identity(Identity::by_default().start(100))
                        .primary_key(),
                )
                .column(
                    Column::new("at", Type::TimestampTz)
                        .not_null()
                        .server_default("current_timestamp"),
                )
                .column(Column::new("account_id", Type::BigInt).references(
                    ForeignKey::to("account", Vec::<String>::new()).referred_schema("public"),
                )),
        )
}

#[tokio::test]
async fn rust_metadata_equals_the_same_schema_in_sql() {
    let sql = read(&cases_dir().join("rust_target/after.sql"));
    let from_sql = shadow(&sql).await;
    let from_rust = target_metadata();
    assert_same(&from_sql, &from_rust, "schema.sql against Rust");
    assert_same(&from_rust, &from_sql, "Rust against schema.sql");
}

/// The operations autogenerate writes for the Rust metadata build the same database as the
/// SQL does.
#[tokio::test]
async fn rust_metadata_builds_the_database_the_sql_builds() {
    let (_db, client) = database("rust_metadata_builds", "").await;
    let empty = current(&client).await;
    let diff = compare(&empty, &target_metadata(), &CompareOptions::default());
    apply(&client, &diff.upgrade).await;
    let built = current(&client).await;
    let from_sql = shadow(&read(&cases_dir().join("rust_target/after.sql"))).await;
    assert_same(&built, &from_sql, "built from Rust against schema.sql");
    assert_same(&from_sql, &built, "schema.sql against built from Rust");
}

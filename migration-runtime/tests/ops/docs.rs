//! `docs/OPERATIONS.md` shows a Rust example and its SQL for every operation. This test
//! runs the same examples, in the same order, and checks every ```sql block of the page
//! against what the dialect renders, so the page cannot drift from the code.

use migration_runtime::dialect::{Dialect, Postgres};
use migration_runtime::ops::{Op, Value};
use migration_runtime::schema::{
    CheckConstraint, Column, ForeignKey, Identity, IndexElement, IndexMethod, PrimaryKey,
    ReferentialAction, Type, UniqueConstraint, f,
};

const PAGE: &str = include_str!("../../../docs/OPERATIONS.md");

/// The page's examples, in order of their ```sql blocks.
fn examples() -> Vec<fn(&mut Op)> {
    vec![
        // create_table
        |op| {
            op.create_table(
                "account",
                [
                    Column::new("id", Type::BigInt)
                        .identity(Identity::always())
                        .primary_key(),
                    Column::new("email", Type::varchar(200)).not_null().unique(),
                    Column::new("plan", Type::Text)
                        .not_null()
                        .server_default_value("free"),
                    Column::new("created_at", Type::TimestampTz)
                        .not_null()
                        .server_default("now()"),
                    Column::new("owner_id", Type::BigInt).references(
                        ForeignKey::to("account", ["id"])
                            .referred_schema("app")
                            .on_delete(ReferentialAction::SetNull),
                    ),
                    Column::new("note", Type::Text).comment("free text"),
                ],
            )
            .schema("app")
            .comment("one row per customer")
            .constraint(CheckConstraint::new("plan <> ''").name("plan_not_empty"));
        },
        // create_table if_not_exists, table-level keys
        |op| {
            op.create_table(
                "membership",
                [
                    Column::new("account_id", Type::BigInt),
                    Column::new("team_id", Type::BigInt),
                ],
            )
            .if_not_exists()
            .constraint(PrimaryKey::new(["account_id", "team_id"]))
            .constraint(ForeignKey::new(["team_id"], "team", ["id"]).name(f("membership_team_fk")));
        },
        // drop_table
        |op| {
            op.drop_table("account").schema("app").if_exists().cascade();
        },
        // rename_table
        |op| {
            op.rename_table("account", "customer").schema("app");
        },
        // table comments
        |op| {
            op.create_table_comment("account", "one row per customer");
            op.drop_table_comment("account");
        },
        // add_column
        |op| {
            op.add_column(
                "account",
                Column::new("team_id", Type::BigInt)
                    .not_null()
                    .server_default_value(0)
                    .comment("the owning team")
                    .references(ForeignKey::to("team", ["id"])),
            );
            op.add_column("account", Column::new("nickname", Type::Text))
                .if_not_exists();
        },
        // drop_column
        |op| {
            op.drop_column("account", "nickname").if_exists();
        },
        // alter_column
        |op| {
            op.alter_column("account", "balance")
                .set_type(Type::numeric(12, 2))
                .using("balance::numeric(12, 2)")
                .nullable(false)
                .server_default_value(0)
                .comment("in euros")
                .rename_to("balance_eur");
            op.alter_column("account", "plan")
                .nullable(true)
                .drop_server_default()
                .drop_comment();
        },
        // column types
        |op| {
            op.create_table(
                "kitchen_sink",
                [
                    Column::new("a", Type::SmallInt),
                    Column::new("b", Type::Integer),
                    Column::new("c", Type::BigInt),
                    Column::new("d", Type::Serial),
                    Column::new("e", Type::numeric(10, 2)),
                    Column::new("f", Type::Real),
                    Column::new("g", Type::Double),
                    Column::new("h", Type::Boolean),
                    Column::new("i", Type::varchar(50)),
                    Column::new("j", Type::Text),
                    Column::new("k", Type::char(2)),
                    Column::new("l", Type::Date),
                    Column::new("m", Type::Time),
                    Column::new("n", Type::Timestamp),
                    Column::new("o", Type::TimestampTz),
                    Column::new("p", Type::Interval),
                    Column::new("q", Type::Uuid),
                    Column::new("r", Type::Json),
                    Column::new("s", Type::Jsonb),
                    Column::new("t", Type::Bytea),
                    Column::new("u", Type::array(Type::Text)),
                    Column::new("v", Type::enum_type("mood")),
                    Column::new("w", Type::raw("tsvector")),
                    Column::new("x", Type::BigInt).identity(Identity::by_default().start(1000)),
                ],
            );
        },
        // create_index
        |op| {
            op.create_index("account", ["email"]);
            op.create_index("account", [IndexElement::expr("lower(email)")])
                .name("ix_account_email_lower")
                .unique()
                .where_("deleted_at IS NULL")
                .include(["id"]);
            op.create_index("document", ["body"])
                .using(IndexMethod::Gin)
                .if_not_exists();
            op.create_index("account", ["created_at"]).concurrently();
        },
        // drop_index
        |op| {
            op.drop_index("ix_account_email").if_exists();
            op.drop_index("ix_account_created_at").concurrently();
        },
        // constraints
        |op| {
            op.create_primary_key("membership", PrimaryKey::new(["account_id", "team_id"]));
            op.create_unique_constraint("account", UniqueConstraint::new(["email"]));
            op.create_foreign_key(
                "account",
                ForeignKey::new(["team_id"], "team", ["id"])
                    .referred_schema("app")
                    .on_delete(ReferentialAction::Cascade)
                    .initially_deferred(),
            );
            op.create_check_constraint(
                "account",
                CheckConstraint::new("balance >= 0").name("balance_positive"),
            );
        },
        // drop_constraint
        |op| {
            op.drop_constraint("ck_account_balance_positive", "account")
                .if_exists();
        },
        // naming convention
        |op| {
            op.create_unique_constraint(
                "account",
                UniqueConstraint::new(["email"]).name("account_email_key"),
            );
            op.create_check_constraint(
                "account",
                CheckConstraint::new("balance >= 0").name(f("balance_ok")),
            );
            op.create_index(
                "order_line_items_archive",
                ["customer_account_identifier_with_long_name"],
            );
        },
        // enums
        |op| {
            op.create_enum("mood", ["happy", "sad"]);
            op.add_enum_value("mood", "meh")
                .before("sad")
                .if_not_exists();
            op.rename_enum_value("mood", "sad", "blue");
            op.drop_enum("mood").if_exists();
        },
        // sequences
        |op| {
            op.create_sequence("invoice_number")
                .data_type(Type::BigInt)
                .start(1000)
                .increment(1)
                .cache(10);
            op.drop_sequence("invoice_number");
        },
        // schemas
        |op| {
            op.create_schema("billing").if_not_exists();
            op.drop_schema("billing").cascade();
        },
        // extensions
        |op| {
            op.create_extension("pgcrypto").if_not_exists();
            op.create_extension("uuid-ossp").schema("ext");
            op.drop_extension("pgcrypto").if_exists();
        },
        // execute
        |op| {
            op.execute(
                "UPDATE account SET plan = 'free' WHERE plan IS NULL;
                 CREATE INDEX CONCURRENTLY ix_account_plan ON account (plan);",
            );
        },
        // execute_with
        |op| {
            op.execute_with(
                "UPDATE account SET plan = $1 WHERE created_at < $2",
                [Value::from("legacy"), Value::Date("2024-01-01".into())],
            );
        },
        // bulk_insert
        |op| {
            op.bulk_insert(
                "plan",
                ["id", "name", "price", "features"],
                [
                    [
                        Value::from(1),
                        Value::from("free"),
                        Value::Numeric("0".into()),
                        Value::Json("[]".into()),
                    ],
                    [
                        Value::from(2),
                        Value::from("pro's"),
                        Value::Numeric("9.90".into()),
                        Value::Null,
                    ],
                ],
            );
        },
        // autocommit_block
        |op| {
            op.autocommit_block(|op| {
                op.execute("VACUUM ANALYZE account");
                op.execute("ALTER TYPE mood ADD VALUE 'soso'");
            });
        },
    ]
}

/// What the page shows for one example: each statement as offline SQL ending in `;`,
/// separated by blank lines, with a comment above statements that run outside the
/// transaction.
fn rendered(example: fn(&mut Op)) -> String {
    let mut op = Op::new();
    example(&mut op);
    let mut blocks = Vec::new();
    for operation in op.finish().unwrap_or_else(|err| panic!("{err}")) {
        for statement in Postgres
            .statements(&operation)
            .unwrap_or_else(|err| panic!("{err}"))
        {
            let sql = statement.render_offline(&Postgres);
            blocks.push(if statement.transactional {
                format!("{sql};")
            } else {
                format!("-- outside the transaction\n{sql};")
            });
        }
    }
    blocks.join("\n\n")
}

/// The contents of the page's ```sql blocks, in order.
fn sql_blocks(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in page.lines() {
        match &mut current {
            None if line.trim_end() == "```sql" => current = Some(Vec::new()),
            None => {}
            Some(lines) if line.trim_end() == "```" => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            Some(lines) => lines.push(line),
        }
    }
    blocks
}

#[test]
fn operations_md_shows_the_sql_each_example_produces() {
    let blocks = sql_blocks(PAGE);
    let examples = examples();
    assert_eq!(
        blocks.len(),
        examples.len(),
        "docs/OPERATIONS.md has {} sql blocks for {} examples",
        blocks.len(),
        examples.len()
    );
    for (i, (block, example)) in blocks.iter().zip(examples).enumerate() {
        assert_eq!(
            *block,
            rendered(example),
            "sql block {} of docs/OPERATIONS.md",
            i + 1
        );
    }
}

//! Bad input: each mistake is an error naming the operation, raised by `Op::finish` or the
//! dialect before any SQL exists.

use migration_runtime::dialect::{Dialect, Postgres};
use migration_runtime::ops::{Op, Value};
use migration_runtime::schema::{
    CheckConstraint, Column, ForeignKey, Identity, IndexElement, NamingConvention, PrimaryKey,
    Type, UniqueConstraint, f,
};

/// Records, finishes and renders; returns the first error's text.
fn error_of(convention: NamingConvention, record: impl FnOnce(&mut Op)) -> Option<String> {
    let mut op = Op::with_naming_convention(convention);
    record(&mut op);
    let operations = match op.finish() {
        Ok(operations) => operations,
        Err(err) => return Some(err.to_string()),
    };
    for operation in &operations {
        if let Err(err) = Postgres.statements(operation) {
            return Some(err.to_string());
        }
    }
    None
}

#[track_caller]
fn check(record: impl FnOnce(&mut Op), expect: &str) {
    assert_eq!(
        error_of(NamingConvention::default(), record).as_deref(),
        Some(expect)
    );
}

#[test]
fn bad_input_is_a_clear_error_naming_the_operation() {
    // The four.
    check(
        |op| {
            op.create_table("", [Column::new("id", Type::Integer)]);
        },
        "create_table '': empty table name",
    );
    check(
        |op| {
            op.create_table(
                "account",
                [
                    Column::new("id", Type::Integer),
                    Column::new("name", Type::Text),
                    Column::new("id", Type::BigInt),
                ],
            );
        },
        "create_table 'account': column 'id' is declared twice",
    );
    check(
        |op| {
            op.create_foreign_key(
                "post",
                ForeignKey::new(Vec::<String>::new(), "account", ["id"]),
            );
        },
        "create_foreign_key on 'post': foreign key names no columns",
    );
    check(
        |op| {
            op.add_column("account", Column::new("ids", Type::array(Type::Serial)));
        },
        "add_column 'account.ids': postgresql cannot express type SERIAL[]: serial types cannot be array elements",
    );

    // Names.
    check(
        |op| {
            op.add_column("account", Column::new("", Type::Text))
                .schema("app");
        },
        "add_column 'app.account.': empty column name",
    );
    check(
        |op| {
            op.drop_table("account").schema("");
        },
        "drop_table '.account': empty schema name",
    );
    check(
        |op| {
            op.create_table("t".repeat(64), [Column::new("id", Type::Integer)]);
        },
        &format!(
            "create_table '{0}': identifier '{0}' is 64 bytes long; postgresql allows at most 63",
            "t".repeat(64)
        ),
    );
    check(
        |op| {
            op.create_index("account", ["name"]).name("i".repeat(70));
        },
        &format!(
            "create_index on 'account': identifier '{}' is 70 bytes long; postgresql allows at most 63",
            "i".repeat(70)
        ),
    );
    check(
        |op| {
            op.create_enum("mood", ["happy", "sad", "happy"]);
        },
        "create_enum 'mood': enum value 'happy' is listed twice",
    );
    check(
        |op| {
            op.add_enum_value("mood", "x".repeat(64));
        },
        &format!(
            "add_enum_value 'mood': enum value '{}' is 64 bytes long; postgresql allows at most 63",
            "x".repeat(64)
        ),
    );

    // Constraints and indexes.
    check(
        |op| {
            op.create_foreign_key("post", ForeignKey::new(["a", "b"], "account", ["id"]));
        },
        "create_foreign_key on 'post': foreign key has 2 columns but refers to 1",
    );
    check(
        |op| {
            op.create_table("post", [Column::new("id", Type::Integer)])
                .constraint(UniqueConstraint::new(["title"]));
        },
        "create_table 'post': unique constraint names column 'title', which the table does not declare",
    );
    check(
        |op| {
            op.create_table(
                "post",
                [
                    Column::new("id", Type::Integer).primary_key(),
                    Column::new("b", Type::Integer),
                ],
            )
            .constraint(PrimaryKey::new(["b"]));
        },
        "create_table 'post': the table declares more than one primary key",
    );
    check(
        |op| {
            op.create_unique_constraint("post", UniqueConstraint::new(Vec::<String>::new()));
        },
        "create_unique_constraint on 'post': unique constraint names no columns",
    );
    check(
        |op| {
            op.create_check_constraint("post", CheckConstraint::new(" ").name("x"));
        },
        "create_check_constraint on 'post': check constraint has an empty condition",
    );
    check(
        |op| {
            op.create_index("post", Vec::<IndexElement>::new());
        },
        "create_index on 'post': index names no columns",
    );
    check(
        |op| {
            op.drop_index("ix_post").concurrently().cascade();
        },
        "drop_index 'ix_post': concurrently cannot be combined with cascade",
    );

    // The naming convention.
    check(
        |op| {
            op.create_check_constraint("post", CheckConstraint::new("id > 0"));
        },
        "create_check_constraint on 'post': naming convention 'ck_%(table_name)s_%(constraint_name)s' uses %(constraint_name)s, so the check constraint needs a name",
    );
    check(
        |op| {
            op.create_index("post", [IndexElement::expr("lower(title)")]);
        },
        "create_index on 'post': naming convention 'ix_%(column_0_label)s' uses %(column_0_label)s, but the index has no plain columns: name it",
    );
    assert_eq!(
        error_of(NamingConvention::none(), |op| {
            op.create_index("post", ["title"]).if_not_exists();
        })
        .as_deref(),
        Some("create_index on 'post': if_not_exists needs an index name")
    );
    assert_eq!(
        error_of(
            NamingConvention {
                primary_key: Some("pk_%(nope)s".to_owned()),
                ..NamingConvention::none()
            },
            |op| {
                op.create_table("t", [Column::new("id", Type::Integer).primary_key()]);
            }
        )
        .as_deref(),
        Some("create_table 't': naming convention 'pk_%(nope)s' has an unknown token %(nope)s")
    );

    // Types the dialect cannot express.
    check(
        |op| {
            op.add_column("t", Column::new("c", Type::varchar(0)));
        },
        "add_column 't.c': postgresql cannot express type VARCHAR(0): length must be between 1 and 10485760",
    );
    check(
        |op| {
            op.alter_column("t", "c").set_type(Type::numeric(1001, 2));
        },
        "alter_column 't.c': postgresql cannot express type NUMERIC(1001, 2): precision must be between 1 and 1000",
    );
    check(
        |op| {
            op.add_column(
                "t",
                Column::new(
                    "c",
                    Type::Numeric {
                        precision: None,
                        scale: Some(2),
                    },
                ),
            );
        },
        "add_column 't.c': postgresql cannot express type NUMERIC(?, 2): a scale needs a precision",
    );
    check(
        |op| {
            op.add_column(
                "t",
                Column::new("c", Type::Text).identity(Identity::always()),
            );
        },
        "add_column 't.c': postgresql cannot express type TEXT: identity columns need smallint, integer or bigint",
    );
    check(
        |op| {
            op.create_sequence("s").data_type(Type::Numeric {
                precision: None,
                scale: None,
            });
        },
        "create_sequence 's': postgresql cannot express type NUMERIC: sequences need smallint, integer or bigint",
    );
    check(
        |op| {
            op.create_sequence("s").increment(0);
        },
        "create_sequence 's': sequence increment must not be zero",
    );
    check(
        |op| {
            op.add_column("t", Column::new("c", Type::raw("")));
        },
        "add_column 't.c': postgresql cannot express type : a raw type needs SQL",
    );
    check(
        |op| {
            op.alter_column("t", "c").using("c::int");
        },
        "alter_column 't.c': using needs a new type (set_type)",
    );

    // Data.
    check(
        |op| {
            op.bulk_insert(
                "t",
                ["a", "b"],
                [vec![Value::from(1), Value::from(2)], vec![Value::from(3)]],
            );
        },
        "bulk_insert 't': row 2 has 1 values for 2 columns",
    );
    check(
        |op| {
            op.bulk_insert("t", ["a", "a"], [[Value::from(1), Value::from(2)]]);
        },
        "bulk_insert 't': column 'a' is declared twice",
    );
    check(
        |op| {
            op.bulk_insert("t", Vec::<String>::new(), Vec::<Vec<Value>>::new());
        },
        "bulk_insert 't': bulk insert names no columns",
    );
    check(
        |op| {
            op.execute_with("SELECT $1; SELECT $2", [Value::from(1), Value::from(2)]);
        },
        "execute: parameters need exactly one statement; the SQL holds 2",
    );
    check(
        |op| {
            op.execute_with("SELECT $1, '$2'", [Value::from(1), Value::from(2)]);
        },
        "execute: the SQL uses 1 parameters but 2 were given",
    );

    // Errors inside an autocommit block name the inner operation.
    check(
        |op| {
            op.autocommit_block(|op| {
                op.drop_index("");
            });
        },
        "drop_index '': empty index name",
    );

    // f() names are final: shortened, never an error.
    assert_eq!(
        error_of(NamingConvention::default(), |op| {
            op.create_index("t", ["a"]).name(f("i".repeat(70)));
        }),
        None
    );
}

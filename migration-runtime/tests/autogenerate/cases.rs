//! Round trips, one per case directory `cases/<case>/`:
//!
//! 1. `before.sql` is applied to a database, which is introspected (the current schema);
//! 2. `after.sql` is read through a shadow database (the target);
//! 3. the comparison's upgrade and downgrade, rendered as Rust, are checked against
//!    `expected_upgrade.rs` and `expected_downgrade.rs` (with the `autogenerate` feature;
//!    `SNAPSHOTS=overwrite` rewrites them), and those files, compiled into this test by
//!    `include!`, must record exactly the comparison's operations;
//! 4. the upgrade is applied, and the database must then equal the target;
//! 5. the downgrade is applied, and the database must then equal the state after
//!    `before.sql`.

use migration_runtime::autogenerate::{CompareOptions, compare};
use migration_runtime::ops::{Op, Operation};

use crate::support::{apply, assert_same, cases_dir, current, database, read, shadow};

/// A case's `expected_upgrade.rs` and `expected_downgrade.rs`, compiled in.
type Golden = (fn(&mut Op), fn(&mut Op));

/// Runs a case.
async fn run_case(name: &str, golden: Golden) {
    let dir = cases_dir().join(name);
    let before = read(&dir.join("before.sql"));
    let after = read(&dir.join("after.sql"));
    let (_db, client) = database(name, &before).await;
    let start = current(&client).await;
    let target = shadow(&after).await;
    let diff = compare(&start, &target, &CompareOptions::default());
    assert!(!diff.is_empty(), "{name}: no difference found");

    #[cfg(feature = "autogenerate")]
    {
        use migration_runtime::autogenerate::render_rust;
        let upgrade = golden_file(
            "upgrade",
            &render_rust(&diff.upgrade, &diff.notes),
            &diff.warnings,
        );
        let downgrade = golden_file(
            "downgrade",
            &render_rust(&diff.downgrade, &diff.downgrade_notes),
            &[],
        );
        snapbox::assert_data_eq!(
            upgrade,
            snapbox::Data::read_from(&dir.join("expected_upgrade.rs"), None)
        );
        snapbox::assert_data_eq!(
            downgrade,
            snapbox::Data::read_from(&dir.join("expected_downgrade.rs"), None)
        );
    }
    assert_eq!(
        record(golden.0),
        diff.upgrade,
        "{name}: expected_upgrade.rs records other operations"
    );
    assert_eq!(
        record(golden.1),
        diff.downgrade,
        "{name}: expected_downgrade.rs records other operations"
    );

    apply(&client, &diff.upgrade).await;
    let upgraded = current(&client).await;
    assert_same(&upgraded, &target, &format!("{name}: after the upgrade"));

    apply(&client, &diff.downgrade).await;
    let downgraded = current(&client).await;
    assert_same(&downgraded, &start, &format!("{name}: after the downgrade"));
    assert_same(
        &start,
        &downgraded,
        &format!("{name}: after the downgrade (reversed)"),
    );
}

/// The operations a rendered function records, checked and named as the migrator does.
fn record(function: fn(&mut Op)) -> Vec<Operation> {
    let mut op = Op::new();
    function(&mut op);
    op.finish().unwrap_or_else(|err| panic!("{err}"))
}

/// A rendered body as the golden file holds it: a function, with the warnings on top.
#[cfg(feature = "autogenerate")]
fn golden_file(function: &str, body: &str, warnings: &[String]) -> String {
    let mut out = String::from(
        "// Rendered by tests/autogenerate from before.sql and after.sql; SNAPSHOTS=overwrite updates it.\n",
    );
    for warning in warnings {
        out.push_str(&format!("// WARNING: {warning}\n"));
    }
    out.push_str(&format!("pub fn {function}(op: &mut Op) {{\n"));
    for line in body.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str("}\n");
    out
}

/// A test per case, and the case's golden files compiled into a module of the same name.
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[allow(unused_imports, clippy::all)]
            mod $case {
                use migration_runtime::prelude::*;
                include!(concat!("cases/", stringify!($case), "/expected_upgrade.rs"));
                include!(concat!("cases/", stringify!($case), "/expected_downgrade.rs"));
            }

            #[tokio::test]
            async fn $case() {
                run_case(stringify!($case), ($case::upgrade, $case::downgrade)).await;
            }
        )*
    };
}

cases!(
    add_drop_table,
    add_drop_column,
    type_change,
    nullability,
    server_default,
    primary_key,
    foreign_key,
    unique,
    indexes,
    check_constraint,
    comments,
    enum_create,
    enum_add_value,
    enum_drop_with_table,
    sequence,
    serial_identity,
    other_schema,
    extension_owned,
    rename_like,
    fk_cycle,
    rust_target,
    enum_remove_value,
    type_change_enum,
);

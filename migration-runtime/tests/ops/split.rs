//! `split_statements`: quotes, comments, dollar quotes, line numbers and the statements
//! PostgreSQL refuses inside a transaction block.

use migration_runtime::dialect::split_statements;

/// Each piece as `line: sql` with ` [autocommit]` appended when it must run outside a
/// transaction.
#[track_caller]
fn check(sql: &str, expect: &[&str]) {
    let actual: Vec<String> = split_statements(sql)
        .into_iter()
        .map(|piece| {
            format!(
                "{}: {}{}",
                piece.line,
                piece.sql,
                if piece.transactional {
                    ""
                } else {
                    " [autocommit]"
                }
            )
        })
        .collect();
    assert_eq!(actual, expect, "splitting {sql:?}");
}

#[test]
fn splits_on_semicolons_outside_quotes_and_comments() {
    check("", &[]);
    check("  \n ; ;\n", &[]);
    check("-- only a comment\n/* and another */;", &[]);
    check("SELECT 1", &["1: SELECT 1"]);
    check("SELECT 1;SELECT 2;", &["1: SELECT 1", "1: SELECT 2"]);
    check(
        "\n\n  SELECT 1;\n\nSELECT\n  2\n;",
        &["3: SELECT 1", "5: SELECT\n  2"],
    );
    // Strings with '' escapes.
    check(
        "INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT ';'",
        &[
            "1: INSERT INTO t VALUES ('a;b', 'it''s; fine')",
            "1: SELECT ';'",
        ],
    );
    // E'' strings with backslash escapes: \' does not end the string.
    check(
        "SELECT E'a\\'; b', e'\\\\'; SELECT 2",
        &["1: SELECT E'a\\'; b', e'\\\\'", "1: SELECT 2"],
    );
    // In a standard string a backslash is just a character.
    check(
        "SELECT 'a\\'; SELECT 2",
        &["1: SELECT 'a\\'", "1: SELECT 2"],
    );
    // Quoted identifiers with "" escapes.
    check(
        "CREATE TABLE \"a;\"\"b\" (x int); SELECT 1",
        &["1: CREATE TABLE \"a;\"\"b\" (x int)", "1: SELECT 1"],
    );
    // Dollar quotes, tagged and not, with a different tag inside.
    check(
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nCREATE FUNCTION g() RETURNS void AS $body$\nBEGIN\n  EXECUTE $q$ SELECT ';' $q$;\n  RAISE NOTICE 'x;';\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT 3",
        &[
            "1: CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
            "2: CREATE FUNCTION g() RETURNS void AS $body$\nBEGIN\n  EXECUTE $q$ SELECT ';' $q$;\n  RAISE NOTICE 'x;';\nEND;\n$body$ LANGUAGE plpgsql",
            "8: SELECT 3",
        ],
    );
    // $1 is a parameter and a$b$ an identifier, not dollar quotes.
    check(
        "SELECT $1, a$b$ FROM t; SELECT 2",
        &["1: SELECT $1, a$b$ FROM t", "1: SELECT 2"],
    );
    // Line comments hide semicolons and quotes; leading comments are left out, inner ones
    // kept, trailing ones dropped with the whitespace.
    check(
        "-- create it; now\nCREATE TABLE t (x int) -- it's; here\n;\nSELECT 1 -- trailing\n; -- last",
        &["2: CREATE TABLE t (x int)", "4: SELECT 1"],
    );
    check(
        "SELECT 1 -- a\n + 2; SELECT 3",
        &["1: SELECT 1 -- a\n + 2", "2: SELECT 3"],
    );
    // Nested block comments.
    check(
        "/* outer /* inner; */ still; comment */ SELECT 1; /* a */ SELECT /* b; */ 2",
        &["1: SELECT 1", "1: SELECT /* b; */ 2"],
    );
    // Unterminated quotes run to the end; the server reports them.
    check("SELECT 'open; SELECT 2", &["1: SELECT 'open; SELECT 2"]);
    check("SELECT $$ open; ", &["1: SELECT $$ open; "]);
    // Non-ASCII text and identifiers.
    check(
        "INSERT INTO café VALUES ('naïve;'); SELECT 1",
        &["1: INSERT INTO café VALUES ('naïve;')", "1: SELECT 1"],
    );
    // Windows line ends count lines the same way.
    check("SELECT 1;\r\n\r\nSELECT 2", &["1: SELECT 1", "3: SELECT 2"]);
}

#[test]
fn knows_what_postgresql_refuses_inside_a_transaction() {
    check(
        "CREATE INDEX CONCURRENTLY ix ON t (a);\ncreate unique index concurrently if not exists ix2 on t (b);\nCREATE INDEX ix3 ON t (c);\nDROP INDEX CONCURRENTLY IF EXISTS ix;\nDROP INDEX ix3",
        &[
            "1: CREATE INDEX CONCURRENTLY ix ON t (a) [autocommit]",
            "2: create unique index concurrently if not exists ix2 on t (b) [autocommit]",
            "3: CREATE INDEX ix3 ON t (c)",
            "4: DROP INDEX CONCURRENTLY IF EXISTS ix [autocommit]",
            "5: DROP INDEX ix3",
        ],
    );
    check(
        "REINDEX INDEX CONCURRENTLY ix; REINDEX (VERBOSE) TABLE CONCURRENTLY t; REINDEX TABLE t; REINDEX SCHEMA app; REINDEX DATABASE db; REINDEX SYSTEM db",
        &[
            "1: REINDEX INDEX CONCURRENTLY ix [autocommit]",
            "1: REINDEX (VERBOSE) TABLE CONCURRENTLY t [autocommit]",
            "1: REINDEX TABLE t",
            "1: REINDEX SCHEMA app [autocommit]",
            "1: REINDEX DATABASE db [autocommit]",
            "1: REINDEX SYSTEM db [autocommit]",
        ],
    );
    check(
        "ALTER TYPE mood ADD VALUE 'soso'; ALTER TYPE app.\"Mood\" ADD VALUE IF NOT EXISTS 'x' BEFORE 'y'; ALTER TYPE addr ADD ATTRIBUTE value text; ALTER TYPE mood RENAME VALUE 'a' TO 'b'",
        &[
            "1: ALTER TYPE mood ADD VALUE 'soso' [autocommit]",
            "1: ALTER TYPE app.\"Mood\" ADD VALUE IF NOT EXISTS 'x' BEFORE 'y' [autocommit]",
            "1: ALTER TYPE addr ADD ATTRIBUTE value text",
            "1: ALTER TYPE mood RENAME VALUE 'a' TO 'b'",
        ],
    );
    check(
        "CREATE DATABASE d; DROP DATABASE d; ALTER DATABASE d SET TABLESPACE s; ALTER DATABASE d SET search_path TO app; CREATE TABLESPACE s LOCATION '/x'; DROP TABLESPACE s",
        &[
            "1: CREATE DATABASE d [autocommit]",
            "1: DROP DATABASE d [autocommit]",
            "1: ALTER DATABASE d SET TABLESPACE s [autocommit]",
            "1: ALTER DATABASE d SET search_path TO app",
            "1: CREATE TABLESPACE s LOCATION '/x' [autocommit]",
            "1: DROP TABLESPACE s [autocommit]",
        ],
    );
    check(
        "VACUUM; vacuum analyze t; ALTER SYSTEM SET work_mem = '64MB'; CLUSTER; CLUSTER t USING ix; DISCARD ALL; DISCARD PLANS; COMMIT PREPARED 'x'; CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p; DROP SUBSCRIPTION s",
        &[
            "1: VACUUM [autocommit]",
            "1: vacuum analyze t [autocommit]",
            "1: ALTER SYSTEM SET work_mem = '64MB' [autocommit]",
            "1: CLUSTER [autocommit]",
            "1: CLUSTER t USING ix",
            "1: DISCARD ALL [autocommit]",
            "1: DISCARD PLANS",
            "1: COMMIT PREPARED 'x' [autocommit]",
            "1: CREATE SUBSCRIPTION s CONNECTION 'c' PUBLICATION p [autocommit]",
            "1: DROP SUBSCRIPTION s [autocommit]",
        ],
    );
    check(
        "ALTER TABLE m DETACH PARTITION p CONCURRENTLY; ALTER TABLE m DETACH PARTITION p; REFRESH MATERIALIZED VIEW CONCURRENTLY v",
        &[
            "1: ALTER TABLE m DETACH PARTITION p CONCURRENTLY [autocommit]",
            "1: ALTER TABLE m DETACH PARTITION p",
            "1: REFRESH MATERIALIZED VIEW CONCURRENTLY v",
        ],
    );
    // Keywords inside strings, identifiers and comments do not count; a leading comment
    // does not hide the keyword.
    check(
        "SELECT 'CREATE INDEX CONCURRENTLY'; CREATE INDEX \"CONCURRENTLY\" ON t (a); /* x */ VACUUM; CREATE /* c */ INDEX -- d\n CONCURRENTLY ix ON t (a)",
        &[
            "1: SELECT 'CREATE INDEX CONCURRENTLY'",
            "1: CREATE INDEX \"CONCURRENTLY\" ON t (a)",
            "1: VACUUM [autocommit]",
            "1: CREATE /* c */ INDEX -- d\n CONCURRENTLY ix ON t (a) [autocommit]",
        ],
    );
}

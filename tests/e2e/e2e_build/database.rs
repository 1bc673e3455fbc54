//! The database commands through `cargo alembic`, which builds the migrations crate's binary
//! and runs it: what they print, what they leave in the database, the exit codes passed
//! through, a password that never shows, and TLS.

use alembic_test_support::TestDb;
use snapbox::str;

use super::{write_rust_revision, write_sql_revision};
use crate::project::{AssertAll, TestProject, show};

fn account_and_owner(p: &TestProject) {
    write_sql_revision(
        p,
        "migrations",
        ("aaaa01", "", "create account"),
        "CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE account;",
    );
    write_rust_revision(
        p,
        "migrations",
        ("bbbb02", "aaaa01", "add owner"),
        r#"    op.create_table("owner", [Column::new("id", Type::Integer).primary_key()]);
    op.add_column("account", Column::new("owner_id", Type::Integer));"#,
        r#"    op.drop_column("account", "owner_id");
    op.drop_table("owner");"#,
    );
}

fn tables(db: &TestDb) -> Vec<String> {
    db.query_strings(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
}

fn version_rows(db: &TestDb) -> Vec<String> {
    db.query_strings("SELECT version_num FROM alembic_version ORDER BY 1")
}

#[test]
fn upgrade_current_history_downgrade_stamp_and_exit_codes() {
    let db = TestDb::new(module_path!(), "online_commands");
    let p = TestProject::new();
    p.init("migrations", "m_online");
    account_and_owner(&p);
    let alembic = |args: &[&str]| p.alembic(args).env("DATABASE_URL", db.url());

    // The first command builds the binary: cargo's lines come first on stderr.
    alembic(&["upgrade", "head"]).assert().all(
        0,
        "",
        str![[r#"
...
INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.
INFO  [alembic.runtime.migration] Running upgrade  -> aaaa01, create account
INFO  [alembic.runtime.migration] Running upgrade aaaa01 -> bbbb02, add owner

"#]],
    );
    assert_eq!(version_rows(&db), ["bbbb02"]);
    assert_eq!(tables(&db), ["account", "alembic_version", "owner"]);
    assert_eq!(
        db.query_strings(
            "SELECT column_name FROM information_schema.columns
             WHERE table_name = 'account' ORDER BY ordinal_position"
        ),
        ["id", "name", "owner_id"]
    );

    // Already at head: nothing to do, nothing printed but the context lines.
    alembic(&["upgrade", "head"]).assert().all(
        0,
        "",
        str![[r#"
...
INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.

"#]],
    );

    alembic(&["current"]).assert().all(
        0,
        str![[r#"
bbbb02 (head)

"#]],
        str![[r#"
...
INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Will assume transactional DDL.

"#]],
    );
    alembic(&["-q", "history", "-i"]).assert().all(
        0,
        str![[r#"
aaaa01 -> bbbb02 (head) (current), add owner
<base> -> aaaa01, create account

"#]],
        "",
    );

    alembic(&["downgrade", "-1"]).assert().all(
        0,
        "",
        str![[r#"
...
INFO  [alembic.runtime.migration] Running downgrade bbbb02 -> aaaa01, add owner

"#]],
    );
    assert_eq!(version_rows(&db), ["aaaa01"]);
    assert_eq!(tables(&db), ["account", "alembic_version"]);

    // A stamp moves the row and runs nothing.
    alembic(&["stamp", "head"]).assert().all(
        0,
        "",
        str![[r#"
...
INFO  [alembic.runtime.migration] Running stamp_revision aaaa01 -> bbbb02

"#]],
    );
    assert_eq!(version_rows(&db), ["bbbb02"]);
    assert_eq!(tables(&db), ["account", "alembic_version"]);
    alembic(&["stamp", "aaaa01"]).assert().success();
    alembic(&["-q", "upgrade", "head"]).assert().all(0, "", "");
    assert_eq!(tables(&db), ["account", "alembic_version", "owner"]);

    // Offline: no database is needed (DATABASE_URL is not set here).
    p.alembic(&["upgrade", "head", "--sql"]).assert().all(
        0,
        str![[r#"
BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> aaaa01

CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL);

INSERT INTO alembic_version (version_num) VALUES ('aaaa01') RETURNING alembic_version.version_num;

-- Running upgrade aaaa01 -> bbbb02

CREATE TABLE owner (
    id INTEGER NOT NULL,
    CONSTRAINT pk_owner PRIMARY KEY (id)
);

ALTER TABLE account ADD COLUMN owner_id INTEGER;

UPDATE alembic_version SET version_num='bbbb02' WHERE alembic_version.version_num = 'aaaa01';

COMMIT;


"#]],
        str![[r#"
...
INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Generating static SQL
INFO  [alembic.runtime.migration] Will assume transactional DDL.
INFO  [alembic.runtime.migration] Running upgrade  -> aaaa01, create account
INFO  [alembic.runtime.migration] Running upgrade aaaa01 -> bbbb02, add owner

"#]],
    );

    // A failing statement: exit 5, the error on stderr, the database unchanged.
    write_sql_revision(
        &p,
        "migrations",
        ("cccc03", "bbbb02", "fail"),
        "CREATE TABLE t3 (id int);\nSELECT 1/0;",
        "DROP TABLE t3;",
    );
    alembic(&["upgrade", "head"]).assert().all(
        5,
        "",
        str![[r#"
...
INFO  [alembic.runtime.migration] Running upgrade bbbb02 -> cccc03, fail
error: revision cccc03 (versions/cccc03_fail.sql:9) failed: division by zero
  statement: SELECT 1/0
  the transaction was rolled back; the database is unchanged

"#]],
    );
    assert_eq!(version_rows(&db), ["bbbb02"]);
    assert_eq!(tables(&db), ["account", "alembic_version", "owner"]);

    // Behind the heads: `current --check-heads` exits 1.
    alembic(&["-q", "current", "--check-heads"]).assert().all(
        1,
        "",
        str![[r#"
error: Database is not on all head revisions

"#]],
    );
    // An unknown target: exit 3, nothing run.
    alembic(&["-q", "upgrade", "nosuch"]).assert().all(
        3,
        "",
        str![[r#"
error: Can't locate revision identified by 'nosuch'

"#]],
    );
    assert_eq!(version_rows(&db), ["bbbb02"]);
}

/// A login role with a password, dropped (after the databases it owns) on drop.
struct Role {
    name: String,
    admin_url: String,
}

impl Role {
    fn create(password: &str) -> Role {
        let role = Role {
            name: format!("alembic_e2e_pw_{}", std::process::id()),
            admin_url: std::env::var("DATABASE_URL").expect("TestDb checked DATABASE_URL"),
        };
        role.admin(&format!(
            "DROP ROLE IF EXISTS {name}; CREATE ROLE {name} LOGIN PASSWORD '{password}'",
            name = role.name
        ));
        role
    }

    /// Runs `sql` as the admin, on a thread and runtime of its own.
    fn admin(&self, sql: &str) {
        if let Err(err) = self.try_admin(sql) {
            panic!("`{sql}` failed: {err}");
        }
    }

    fn try_admin(&self, sql: &str) -> Result<(), tokio_postgres::Error> {
        let url = self.admin_url.clone();
        let sql = sql.to_owned();
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let (client, connection) =
                        tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
                    tokio::spawn(connection);
                    client.batch_execute(&sql).await
                })
        })
        .join()
        .unwrap()
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        let sql = format!("DROP ROLE IF EXISTS {}", self.name);
        match self.try_admin(&sql) {
            Ok(()) => {}
            // Already failing: a second panic would abort and hide the first.
            Err(err) if std::thread::panicking() => eprintln!("warning: `{sql}` failed: {err}"),
            Err(err) => panic!("`{sql}` failed: {err}"),
        }
    }
}

/// `url` with its user and password replaced.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{scheme}://{user}:{password}@{host}")
}

#[test]
fn a_password_in_the_url_never_shows_and_tls_is_used() {
    const PASSWORD: &str = "Tr0ub4dor-and-3";
    // Declared before the database, so dropped after it: the role owns the database.
    let role = Role::create(PASSWORD);
    let db = TestDb::new(module_path!(), "password_tls");
    role.admin(&format!(
        "ALTER DATABASE \"{}\" OWNER TO {}",
        db.name(),
        role.name
    ));
    let ssl = db.query_strings("SHOW ssl") == ["on"];
    let url = with_user(db.url(), &role.name, PASSWORD);
    let tls_url = format!("{url}?sslmode=require");

    let p = TestProject::new();
    p.init("migrations", "m_secret");
    // The revision records whether its own session is encrypted.
    write_sql_revision(
        &p,
        "migrations",
        ("aaaa01", "", "record tls"),
        "CREATE TABLE session_tls AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
        "DROP TABLE session_tls;",
    );
    write_rust_revision(
        &p,
        "migrations",
        ("bbbb02", "aaaa01", "add owner"),
        r#"    op.create_table("owner", [Column::new("id", Type::Integer).primary_key()]);"#,
        r#"    op.drop_table("owner");"#,
    );

    let mut outputs = Vec::new();
    let mut run = |args: &[&str], env_url: Option<&str>, code: i32| {
        let mut cmd = p.alembic(args);
        if let Some(url) = env_url {
            cmd = cmd.env("DATABASE_URL", url);
        }
        let output = cmd.output().unwrap();
        show(&output);
        assert_eq!(output.status.code(), Some(code), "cargo alembic {args:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        outputs.push((args.join(" "), stdout.clone(), stderr.clone()));
        (stdout, stderr)
    };

    if ssl {
        run(&["upgrade", "aaaa01"], Some(&tls_url), 0);
        assert_eq!(db.query_strings("SELECT ssl FROM session_tls"), ["t"]);
        run(&["downgrade", "base"], Some(&tls_url), 0);
        run(
            &["upgrade", "aaaa01"],
            Some(&format!("{url}?sslmode=disable")),
            0,
        );
        assert_eq!(db.query_strings("SELECT ssl FROM session_tls"), ["f"]);
    } else {
        // The server offers no TLS: `require` must refuse to go on in plain text.
        let (_, stderr) = run(&["current"], Some(&tls_url), 5);
        assert!(stderr.contains("server does not support TLS"), "{stderr}");
        run(&["upgrade", "aaaa01"], Some(&url), 0);
        assert_eq!(db.query_strings("SELECT ssl FROM session_tls"), ["f"]);
    }

    // Every command, the URL from DATABASE_URL, --url or -x url=.
    let tls_url = if ssl {
        tls_url
    } else {
        format!("{url}?sslmode=prefer")
    };
    run(&["upgrade", "head"], Some(&tls_url), 0);
    let (stdout, _) = run(&["current", "-v"], Some(&tls_url), 0);
    assert!(
        stdout.starts_with(&format!(
            "Current revision(s) for {}:\n",
            tls_url.replace(PASSWORD, "***")
        )),
        "{stdout}"
    );
    assert!(stdout.contains("Rev: bbbb02 (head)"), "{stdout}");
    run(&["history", "-i", "--url", &tls_url], None, 0);
    run(
        &["downgrade", "-1", "-x", &format!("url={tls_url}")],
        None,
        0,
    );
    run(&["stamp", "head", "--url", &tls_url], None, 0);
    run(&["upgrade", "head", "--sql", "--url", &tls_url], None, 0);
    assert_eq!(version_rows(&db), ["bbbb02"]);

    // Failures name the URL, masked: a database that does not exist, a wrong password.
    let missing = tls_url.replace(db.name(), "alembic_t_no_such_database");
    let (_, stderr) = run(&["current"], Some(&missing), 5);
    assert!(
        stderr.ends_with(&format!(
            "error: failed to connect to {}: database \"alembic_t_no_such_database\" does not exist\n",
            missing.replace(PASSWORD, "***")
        )),
        "{stderr}"
    );
    // A revision that kills its process (as `panic = "abort"` would): cargo alembic
    // reports the command it ran, whose --url carries the password, and exits 128 + 6 as a
    // shell reports SIGABRT.
    write_rust_revision(
        &p,
        "migrations",
        ("cccc03", "bbbb02", "abort"),
        "    std::process::abort();",
        "",
    );
    let (_, stderr) = run(&["upgrade", "head", "--url", &tls_url], None, 134);
    assert!(
        stderr.ends_with(&format!(
            " upgrade --url {} -- head` was terminated: signal: 6 (SIGABRT)\n",
            tls_url.replace(PASSWORD, "***")
        )),
        "{stderr}"
    );

    for (command, stdout, stderr) in &outputs {
        assert!(
            !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
            "cargo alembic {command} showed the password:\n{stdout}\n{stderr}"
        );
    }
    drop(p);
    drop(db);
    drop(role);
}

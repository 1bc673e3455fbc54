//! An application that brings its database schema up to date at start-up, the way
//! cargo-alembic is meant to be used in production.
//!
//! The revisions in `migrations/versions/` are compiled into this binary by the migrations
//! crate's build script, so the binary needs no file beside it: copy it anywhere, set
//! `DATABASE_URL`, run it. Several copies starting at once are safe: one applies the
//! revisions while the others wait for its lock, then find the database at head.
//!
//! ```text
//! DATABASE_URL=postgres://postgres@localhost/app cargo run -p example-app
//! ```

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line application reports on stdout and fails on stderr"
)]

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    #[expect(
        clippy::disallowed_methods,
        reason = "an application reads its own configuration"
    )]
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL")?;
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            eprintln!("error: database connection: {err}");
        }
    });

    // The one line an application needs; at head it costs a single read-only query.
    let report = example_app_migrations::MIGRATIONS
        .upgrade(&mut client, "head")
        .await?;
    for step in &report.steps {
        println!("applied: {step}");
    }
    if report.is_empty() {
        println!("database is up to date at {}", report.heads.join(", "));
    } else {
        println!("database is at {}", report.heads.join(", "));
    }

    // The application's own work, on the schema the migrations made.
    let plans: i64 = client
        .query_one("SELECT count(*) FROM plan", &[])
        .await?
        .get(0);
    println!("plans available: {plans}");
    Ok(())
}

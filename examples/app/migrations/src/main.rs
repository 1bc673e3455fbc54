//! The migration commands of `example-app-migrations`: `upgrade`, `downgrade`, `current`, `stamp`, ...
//! `cargo alembic` builds and runs this binary for the commands that need the database.

fn main() -> std::process::ExitCode {
    migration_runtime::cli::main(&example_app_migrations::MIGRATIONS)
}

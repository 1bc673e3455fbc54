fn main() -> std::process::ExitCode {
    cargo_alembic::main()
}

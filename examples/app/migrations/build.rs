// Embeds every revision in versions/ into the crate, so the binary needs no files beside it.
fn main() {
    if let Err(err) = migration_runtime::build::embed() {
        migration_runtime::build::fail(&err);
    }
}

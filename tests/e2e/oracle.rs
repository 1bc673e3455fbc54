//! Python Alembic, run for real, as the oracle for what the commands print.

use std::path::Path;
use std::process::Command;

/// A scratch Python Alembic project in `dir`.
pub struct PyAlembic<'a> {
    dir: &'a Path,
}

impl<'a> PyAlembic<'a> {
    /// Runs `alembic init migrations` in `dir`.
    pub fn init(dir: &'a Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let py = Self { dir };
        py.run(&["init", "migrations"]);
        py
    }

    /// Runs `alembic <args>` and returns stdout; panics with the output on failure.
    pub fn run(&self, args: &[&str]) -> String {
        let output = Command::new("python3")
            .args(["-m", "alembic"])
            .args(args)
            .current_dir(self.dir)
            .output()
            .expect("python3 runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("No module named alembic"),
            "Python Alembic is the oracle of these tests: pip install alembic sqlalchemy psycopg2-binary (.ci/run does)"
        );
        assert!(
            output.status.success(),
            "alembic {args:?} failed:\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}

//! `TestProject`: a scratch cargo workspace in which tests run the real `cargo alembic`
//! (through the shim binary) and build the crates it scaffolds with real cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use snapbox::cmd::OutputAssert;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The target directory every scaffolded crate builds into, so migration-runtime and its
/// dependencies compile once for the whole suite.
pub fn shared_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("e2e-projects")
}

/// A scratch workspace, removed on drop unless `KEEP_TEMP_DIR` is set.
pub struct TestProject {
    dir: tempfile::TempDir,
}

impl TestProject {
    /// An empty cargo workspace.
    pub fn new() -> Self {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("projects");
        std::fs::create_dir_all(&base).unwrap();
        let mut dir = tempfile::Builder::new()
            .prefix("p")
            .tempdir_in(&base)
            .unwrap();
        if std::env::var_os("KEEP_TEMP_DIR").is_some() {
            dir.disable_cleanup(true);
            eprintln!("KEEP_TEMP_DIR: project in {}", dir.path().display());
        }
        let project = Self { dir };
        project.write(
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = []\n",
        );
        project
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating directories.
    pub fn write(&self, relative: &str, contents: &str) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Reads a file.
    pub fn read(&self, relative: &str) -> String {
        let path = self.path().join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// The files below `relative`, sorted, as paths relative to it.
    pub fn files(&self, relative: &str) -> Vec<String> {
        let root = self.path().join(relative);
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push(
                        path.strip_prefix(&root)
                            .unwrap()
                            .to_string_lossy()
                            .replace('\\', "/"),
                    );
                }
            }
        }
        out.sort();
        out
    }

    /// `cargo alembic <args>` in the project directory.
    pub fn alembic(&self, args: &[&str]) -> snapbox::cmd::Command {
        self.alembic_in("", args)
    }

    /// `cargo alembic <args>` in a subdirectory.
    pub fn alembic_in(&self, subdir: &str, args: &[&str]) -> snapbox::cmd::Command {
        snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("cargo-alembic-e2e"))
            .arg("alembic")
            .args(args)
            .current_dir(self.path().join(subdir))
            .env(
                "CARGO_ALEMBIC_RUNTIME_PATH",
                repo_root().join("migration-runtime"),
            )
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env_remove("DATABASE_URL")
            .env_remove("EDITOR")
            .env_remove("VISUAL")
    }

    /// Runs `cargo alembic <args>`, asserting success, and returns stdout.
    pub fn alembic_ok(&self, args: &[&str]) -> String {
        let output = self.alembic(args).output().unwrap();
        show(&output);
        assert!(output.status.success(), "cargo alembic {args:?} failed");
        String::from_utf8(output.stdout).unwrap()
    }

    /// `cargo <args>` in the project directory, with the shared target directory.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", shared_target_dir());
        cmd
    }

    /// Scaffolds a migrations crate named `package` in `dir` and returns nothing; asserts
    /// success.
    pub fn init(&self, dir: &str, package: &str) {
        self.alembic(&["init", dir, "--package", package])
            .assert()
            .success();
    }
}

/// Prints a command's unfiltered output to stderr before assertions, so a failing run in CI
/// shows the real text.
pub fn show(output: &std::process::Output) {
    eprintln!(
        "--- status: {}\n--- stdout\n{}--- stderr\n{}---",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Asserts exit code, stdout and stderr together.
pub trait AssertAll {
    /// Asserts the three at once.
    fn all(
        self,
        code: i32,
        stdout: impl snapbox::IntoData,
        stderr: impl snapbox::IntoData,
    ) -> OutputAssert;
}

impl AssertAll for OutputAssert {
    fn all(
        self,
        code: i32,
        stdout: impl snapbox::IntoData,
        stderr: impl snapbox::IntoData,
    ) -> OutputAssert {
        self.code(code).stdout_eq(stdout).stderr_eq(stderr)
    }
}

//! Running commands, always printing them first, and reading the environment.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Result;

/// A command that prints itself (`$ program args`) to stderr before it runs.
pub struct Cmd {
    inner: Command,
    shown: String,
}

impl Cmd {
    /// A command running `program`.
    #[expect(
        clippy::disallowed_methods,
        reason = "xtask's one way to start a process; it prints every command it runs"
    )]
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let program = program.as_ref();
        Cmd {
            inner: Command::new(program),
            shown: shell_word(&program.to_string_lossy()),
        }
    }

    /// `$CARGO` (set by `cargo run`, so the same toolchain), else `cargo`.
    pub fn cargo() -> Cmd {
        Cmd::new(env("CARGO").unwrap_or_else(|| "cargo".to_owned()))
    }

    /// Runs `program` as `user` through `runuser` when `user` is given, else as ourselves.
    pub fn as_user(user: Option<&str>, program: impl AsRef<OsStr>) -> Cmd {
        match user {
            Some(user) => Cmd::new("runuser").args(["-u", user, "--"]).arg(program),
            None => Cmd::new(program),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        let arg = arg.as_ref();
        self.shown.push(' ');
        self.shown
            .push_str(&shell_word(&redact_password(&arg.to_string_lossy())));
        self.inner.arg(arg);
        self
    }

    pub fn args<I, S>(self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Cmd::arg)
    }

    /// Sets an environment variable for the command; it is shown, password masked.
    pub fn env(mut self, name: &str, value: &str) -> Cmd {
        self.shown = format!(
            "{name}={} {}",
            shell_word(&redact_password(value)),
            self.shown
        );
        self.inner.env(name, value);
        self
    }

    /// Sends the command's stdout to our stderr, keeping our stdout for answers such as
    /// `pg url`'s.
    pub fn stdout_to_stderr(mut self) -> Cmd {
        self.inner.stdout(std::io::stderr());
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Cmd {
        self.inner.current_dir(dir);
        self
    }

    /// Runs with inherited stdio; a non-zero exit is an error.
    pub fn run(mut self) -> Result<()> {
        eprintln!("$ {}", self.shown);
        let status = self
            .inner
            .status()
            .map_err(|err| format!("failed to run `{}`: {err}", self.shown))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.shown).into())
        }
    }

    /// Runs and returns stdout; a non-zero exit is an error that includes stderr.
    pub fn read(mut self) -> Result<String> {
        eprintln!("$ {}", self.shown);
        let output = self
            .inner
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("failed to run `{}`: {err}", self.shown))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!(
                "`{}` failed ({})\n{}",
                self.shown,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            )
            .into())
        }
    }

    /// Runs with output discarded and tells whether it succeeded; failing to start counts
    /// as failure.
    pub fn probe(mut self) -> bool {
        eprintln!("$ {}", self.shown);
        self.inner
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }
}

/// Quotes `word` for display if a shell would need it.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Reads an environment variable; `None` if unset or not Unicode.
#[expect(
    clippy::disallowed_methods,
    reason = "xtask cannot depend on migration_runtime::config; this is its one read of the environment"
)]
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Masks the password of a `postgres://user:password@host` URL or a `password=` option.
pub fn redact_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', '?', '#', ' ']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) if userinfo.contains(':') => {
                let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
                out.push_str(&format!("{user}:***@{host}"));
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    match out.find("password=") {
        Some(start) => {
            let value_start = start + "password=".len();
            let value_end = out[value_start..]
                .find(['&', ' '])
                .map_or(out.len(), |end| value_start + end);
            out.replace_range(value_start..value_end, "***");
            out
        }
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::{redact_password, shell_word};

    #[test]
    fn redact_password_masks_url_and_option_passwords() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/postgres",
            ),
            ("postgres://u:secret@h:1/db", "postgres://u:***@h:1/db"),
            (
                "postgres://h/db?password=secret&x=1",
                "postgres://h/db?password=***&x=1",
            ),
            (
                "host=h password=secret user=u",
                "host=h password=*** user=u",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(redact_password(text), expected);
        }
    }

    #[test]
    fn shell_word_quotes_only_when_needed() {
        assert_eq!(shell_word("--workspace"), "--workspace");
        assert_eq!(shell_word("select 1"), "'select 1'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}

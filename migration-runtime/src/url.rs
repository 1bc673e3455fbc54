//! Database URLs: accepting libpq's and SQLAlchemy's spellings, never showing a password, and
//! connecting with or without TLS.

use std::fmt;
use std::str::FromStr;

/// A database URL whose `Display` masks the password, as Alembic's `obfuscate_url_pw` does:
/// `postgresql://scott:***@localhost/test`.
#[derive(Clone)]
pub struct DatabaseUrl {
    raw: String,
    config: tokio_postgres::Config,
    tls: TlsMode,
}

/// How to use TLS, from the URL's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `sslmode=disable`: plain TCP.
    Disable,
    /// `sslmode=prefer` (the default): TLS when the server offers it, certificate unchecked.
    Prefer,
    /// `sslmode=require`: TLS or fail; the certificate is not checked, as in libpq.
    Require,
    /// `sslmode=verify-ca` or `verify-full`: TLS with the certificate checked against the
    /// system's roots (Mozilla's bundle) and, for `verify-full`, the host name.
    Verify,
}

/// A URL that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The URL is malformed.
    #[error("invalid database URL {url}: {message}")]
    Invalid {
        /// The URL, password masked.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A driver other than PostgreSQL's.
    #[error("unsupported database URL {url}: only postgresql:// URLs are supported")]
    Unsupported {
        /// The URL, password masked.
        url: String,
    },
    /// Connecting failed.
    #[error("failed to connect to {url}: {message}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// Why.
        message: String,
    },
}

impl DatabaseUrl {
    /// Parses a URL: `postgres://`, `postgresql://`, SQLAlchemy's `postgresql+psycopg2://`
    /// (the driver is ignored), or a libpq key/value string (`host=... dbname=...`).
    ///
    /// # Errors
    ///
    /// [`UrlError`] with the password masked.
    pub fn parse(raw: &str) -> Result<Self, UrlError> {
        let raw = raw.trim().to_owned();
        let masked = mask_password(&raw);
        let mut normalized = raw.clone();
        if let Some((scheme, rest)) = raw.split_once("://") {
            let base = scheme.split('+').next().unwrap_or(scheme);
            if !matches!(base, "postgres" | "postgresql") {
                return Err(UrlError::Unsupported { url: masked });
            }
            normalized = format!("postgresql://{rest}");
        }
        let (normalized, tls) = take_sslmode(&normalized);
        let config =
            tokio_postgres::Config::from_str(&normalized).map_err(|err| UrlError::Invalid {
                url: masked.clone(),
                message: err.to_string(),
            })?;
        let tls = tls.unwrap_or(TlsMode::Prefer);
        Ok(Self { raw, config, tls })
    }

    /// The parsed connection settings.
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The TLS mode.
    pub fn tls(&self) -> TlsMode {
        self.tls
    }

    /// The URL as given, password included: for handing to a driver, never for display.
    pub fn expose(&self) -> &str {
        &self.raw
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_password(&self.raw))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Removes `sslmode` from the query string, since tokio-postgres knows only some of libpq's
/// values, and returns it as a [`TlsMode`].
fn take_sslmode(url: &str) -> (String, Option<TlsMode>) {
    let mode_of = |value: &str| match value {
        "disable" | "allow" => Some(TlsMode::Disable),
        "prefer" => Some(TlsMode::Prefer),
        "require" => Some(TlsMode::Require),
        "verify-ca" | "verify-full" => Some(TlsMode::Verify),
        _ => None,
    };
    if url.contains("://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_owned(), None);
        };
        let mut mode = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| match pair.split_once('=') {
                Some(("sslmode", value)) if mode_of(value).is_some() => {
                    mode = mode_of(value);
                    false
                }
                _ => true,
            })
            .collect();
        let url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (url, mode)
    } else {
        let mut mode = None;
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|pair| match pair.split_once('=') {
                Some(("sslmode", value)) if mode_of(value).is_some() => {
                    mode = mode_of(value);
                    false
                }
                _ => true,
            })
            .collect();
        (kept.join(" "), mode)
    }
}

/// Replaces the password in a URL or key/value connection string with `***`.
pub fn mask_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            if let Some((user, _password)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{}", &rest[at + 1..]);
            }
        }
        // A password may also travel as a query parameter.
        return mask_query_password(url);
    }
    url.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mask_query_password(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// Connects to `url` and drives the connection on a spawned task.
#[cfg(feature = "tls")]
///
/// # Errors
///
/// [`UrlError::Connect`], naming the URL with its password masked.
pub async fn connect(url: &DatabaseUrl) -> Result<tokio_postgres::Client, UrlError> {
    let fail = |message: String| UrlError::Connect {
        url: url.to_string(),
        message,
    };
    let mut config = url.config.clone();
    if config.get_application_name().is_none() {
        config.application_name("cargo-alembic");
    }
    match url.tls {
        TlsMode::Disable => {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|err| fail(connect_message(&err)))?;
            tokio::spawn(connection);
            Ok(client)
        }
        mode => {
            config.ssl_mode(if mode == TlsMode::Prefer {
                tokio_postgres::config::SslMode::Prefer
            } else {
                tokio_postgres::config::SslMode::Require
            });
            let tls = crate::tls::connector(mode == TlsMode::Verify).map_err(fail)?;
            let (client, connection) = config
                .connect(tls)
                .await
                .map_err(|err| fail(connect_message(&err)))?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

#[cfg(feature = "tls")]
fn connect_message(err: &tokio_postgres::Error) -> String {
    // A server's refusal is the whole story; its `source` repeats it with the severity.
    if let Some(db) = err.as_db_error() {
        return db.message().to_owned();
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        for (url, masked) in [
            (
                "postgresql://scott:tiger@localhost/test",
                "postgresql://scott:***@localhost/test",
            ),
            (
                "postgresql+psycopg2://scott:t@g:er@db:5432/x?sslmode=require",
                "postgresql+psycopg2://scott:***@db:5432/x?sslmode=require",
            ),
            (
                "postgres://scott@localhost/test",
                "postgres://scott@localhost/test",
            ),
            (
                "postgres://localhost/test?user=a&password=secret",
                "postgres://localhost/test?user=a&password=***",
            ),
            (
                "host=localhost password=secret dbname=x",
                "host=localhost password=*** dbname=x",
            ),
        ] {
            assert_eq!(mask_password(url), masked);
        }
    }

    #[test]
    fn parses_sqlalchemy_urls_and_sslmode() {
        let url =
            DatabaseUrl::parse("postgresql+psycopg2://scott:tiger@db:5433/app?sslmode=verify-full")
                .unwrap();
        assert_eq!(url.tls(), TlsMode::Verify);
        assert_eq!(url.config().get_user(), Some("scott"));
        assert_eq!(url.config().get_dbname(), Some("app"));
        assert_eq!(
            url.to_string(),
            "postgresql+psycopg2://scott:***@db:5433/app?sslmode=verify-full"
        );
        let err = DatabaseUrl::parse("mysql://root:pw@localhost/x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported database URL mysql://root:***@localhost/x: only postgresql:// URLs are supported"
        );
        let err = DatabaseUrl::parse("postgres://u:secret@host:notaport/db").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

//! Small, dependency-free handling of PostgreSQL connection strings.
//!
//! Both libpq forms are accepted: URLs (`postgres://user:pw@host:port/db?opt=v`) and
//! key/value strings (`host=... user=... dbname=...`).

const SCHEMES: [&str; 2] = ["postgresql://", "postgres://"];

/// Returns `conn` pointing at database `database`, keeping host, port, user, password and
/// options.
///
/// `database` must not need percent-encoding or quoting; test database names are made of
/// `[a-z0-9_]` only.
pub(crate) fn with_database(conn: &str, database: &str) -> String {
    for scheme in SCHEMES {
        if let Some(rest) = conn.strip_prefix(scheme) {
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            // A `dbname` option would override the path, so it is dropped with the path.
            let options: Vec<&str> = tail
                .split_once('?')
                .map(|(_, query)| query.split('#').next().unwrap_or(""))
                .unwrap_or("")
                .split('&')
                .filter(|pair| !pair.is_empty() && !pair.starts_with("dbname="))
                .collect();
            let query = if options.is_empty() {
                String::new()
            } else {
                format!("?{}", options.join("&"))
            };
            return format!("{scheme}{authority}/{database}{query}");
        }
    }
    // In the key/value form a later `dbname` wins over an earlier one.
    format!("{} dbname={database}", conn.trim_end())
}

/// Returns `conn` with any password replaced by `***`, for messages and logs.
pub fn redact_password(conn: &str) -> String {
    for scheme in SCHEMES {
        if let Some(rest) = conn.strip_prefix(scheme) {
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(authority_end);
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => format!("{user}:***@{host}"),
                    None => authority.to_owned(),
                },
                None => authority.to_owned(),
            };
            let tail: Vec<String> = tail
                .split('&')
                .map(|part| match part.split_once("password=") {
                    Some((before, _)) if before.is_empty() || before.ends_with('?') => {
                        format!("{before}password=***")
                    }
                    _ => part.to_owned(),
                })
                .collect();
            return format!("{scheme}{authority}{}", tail.join("&"));
        }
    }
    conn.split_whitespace()
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::{redact_password, with_database};

    #[test]
    fn with_database_replaces_the_path_and_keeps_the_rest() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/postgres",
                "postgres://postgres@127.0.0.1:5432/t1",
            ),
            (
                "postgres://u:p%2Fw@h:1/db?sslmode=disable",
                "postgres://u:p%2Fw@h:1/t1?sslmode=disable",
            ),
            ("postgresql://h", "postgresql://h/t1"),
            (
                "postgres://h/?dbname=x&connect_timeout=5",
                "postgres://h/t1?connect_timeout=5",
            ),
            ("postgres:///postgres?host=/tmp", "postgres:///t1?host=/tmp"),
            (
                "host=/tmp user=postgres dbname=postgres",
                "host=/tmp user=postgres dbname=postgres dbname=t1",
            ),
        ];
        for (admin, expected) in cases {
            assert_eq!(with_database(admin, "t1"), expected, "for {admin}");
        }
    }

    #[test]
    fn redact_password_masks_only_the_password() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "postgres://h/db?password=secret&x=1",
                "postgres://h/db?password=***&x=1",
            ),
            (
                "host=h password=secret user=u",
                "host=h password=*** user=u",
            ),
        ];
        for (conn, expected) in cases {
            assert_eq!(redact_password(conn), expected, "for {conn}");
        }
    }
}

//! A PostgreSQL-aware tokenizer: just enough to find statement boundaries, `$n` placeholders
//! and leading keywords without being fooled by quotes or comments.
//!
//! It follows `src/backend/parser/scan.l` for what can hide a `;`: `'…'` strings with `''`
//! escapes, `E'…'` strings with backslash escapes, `"…"` identifiers, `$$…$$` and
//! `$tag$…$tag$` dollar quotes, `--` line comments and nested `/* */` block comments.
//! Strings are assumed to follow `standard_conforming_strings = on`, the default since
//! PostgreSQL 9.1. Unterminated quotes and comments run to the end of the text; the server
//! reports them.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// Whitespace.
    Space,
    /// `-- …` up to the end of the line.
    LineComment,
    /// `/* … */`, possibly nested.
    BlockComment,
    /// `'…'` or `E'…'`.
    String,
    /// `"…"`.
    QuotedIdent,
    /// `$tag$…$tag$`.
    DollarQuoted,
    /// `$n`: a parameter placeholder, with its number.
    Param(usize),
    /// A keyword or unquoted identifier.
    Word,
    /// `;`.
    Semicolon,
    /// Anything else: numbers, operators, punctuation.
    Other,
}

impl TokenKind {
    /// Whether the token carries meaning (not whitespace or a comment).
    pub(crate) fn is_significant(self) -> bool {
        !matches!(
            self,
            TokenKind::Space | TokenKind::LineComment | TokenKind::BlockComment
        )
    }
}

/// A token: its kind and its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_ident_char(byte: u8) -> bool {
    is_ident_start(byte) || byte.is_ascii_digit() || byte == b'$'
}

/// Splits `sql` into tokens covering every byte, in order.
pub(crate) fn tokenize(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        let kind = if byte.is_ascii_whitespace() {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            TokenKind::Space
        } else if byte == b'-' && next == Some(b'-') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            TokenKind::LineComment
        } else if byte == b'/' && next == Some(b'*') {
            i = block_comment_end(bytes, i);
            TokenKind::BlockComment
        } else if byte == b'\'' {
            i = quoted_end(bytes, i + 1, b'\'', false);
            TokenKind::String
        } else if (byte == b'E' || byte == b'e') && next == Some(b'\'') {
            i = quoted_end(bytes, i + 2, b'\'', true);
            TokenKind::String
        } else if byte == b'"' {
            i = quoted_end(bytes, i + 1, b'"', false);
            TokenKind::QuotedIdent
        } else if byte == b'$' {
            let (kind, end) = dollar(sql, i);
            i = end;
            kind
        } else if is_ident_start(byte) {
            while i < bytes.len() && is_ident_char(bytes[i]) {
                i += 1;
            }
            TokenKind::Word
        } else if byte.is_ascii_digit() {
            // Numbers, including `1.5e-3` and `0x1F`; the exponent sign is the only
            // character that is not a digit, letter or dot.
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'.'
                    || bytes[i] == b'_'
                    || ((bytes[i] == b'+' || bytes[i] == b'-')
                        && matches!(bytes[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            TokenKind::Other
        } else if byte == b';' {
            i += 1;
            TokenKind::Semicolon
        } else {
            // Only ASCII reaches here: bytes from 0x80 start words.
            i += 1;
            TokenKind::Other
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    tokens
}

/// The end of a `/* */` comment starting at `start`, counting nesting.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The end (past the closing quote) of a quoted token whose body starts at `body`.
/// A doubled quote is an escaped quote; with `backslashes`, so is a backslash-escaped one.
fn quoted_end(bytes: &[u8], body: usize, quote: u8, backslashes: bool) -> usize {
    let mut i = body;
    while i < bytes.len() {
        if backslashes && bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// A token starting with `$` at `start`: a parameter, a dollar-quoted string, or a lone `$`.
fn dollar(sql: &str, start: usize) -> (TokenKind, usize) {
    let bytes = sql.as_bytes();
    let mut i = start + 1;
    if i < bytes.len() && bytes[i].is_ascii_digit() {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        return match sql[start + 1..i].parse() {
            Ok(n) => (TokenKind::Param(n), i),
            Err(_) => (TokenKind::Other, i),
        };
    }
    // A tag is empty or an identifier without `$`.
    if i < bytes.len() && is_ident_start(bytes[i]) {
        while i < bytes.len() && is_ident_char(bytes[i]) && bytes[i] != b'$' {
            i += 1;
        }
    }
    if bytes.get(i) != Some(&b'$') {
        return (TokenKind::Other, start + 1);
    }
    let tag = &sql[start..=i];
    let body = i + 1;
    match sql[body..].find(tag) {
        Some(at) => (TokenKind::DollarQuoted, body + at + tag.len()),
        None => (TokenKind::DollarQuoted, bytes.len()),
    }
}

/// The highest `$n` placeholder number in `sql`, outside quotes and comments; 0 for none.
pub(crate) fn max_placeholder(sql: &str) -> usize {
    tokenize(sql)
        .iter()
        .filter_map(|token| match token.kind {
            TokenKind::Param(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// `sql` with each `$n` placeholder (outside quotes and comments) replaced by
/// `replace(n)`, where it returns `Some`.
pub(crate) fn replace_placeholders(sql: &str, replace: impl Fn(usize) -> Option<String>) -> String {
    let mut out = String::with_capacity(sql.len());
    for token in tokenize(sql) {
        let text = &sql[token.start..token.end];
        match token.kind {
            TokenKind::Param(n) => match replace(n) {
                // `-$1` with a negative literal would make `--`, a comment.
                Some(literal) if literal.starts_with('-') && out.ends_with('-') => {
                    out.push('(');
                    out.push_str(&literal);
                    out.push(')');
                }
                Some(literal) => out.push_str(&literal),
                None => out.push_str(text),
            },
            _ => out.push_str(text),
        }
    }
    out
}

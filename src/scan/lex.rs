//! Byte classes and the lexers for the constructs that can hide a `;`: quoted strings, quoted
//! identifiers, dollar quotes and comments. They follow psql's lexer (`psqlscan.l`).
//!
//! Every function works on bytes. All delimiters are ASCII, and a UTF-8 continuation or lead byte
//! never equals an ASCII byte, so every offset these functions return is a char boundary.

/// psql's `space`: `[ \t\n\r\f\v]`.
pub(super) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `ident_start`: `[A-Za-z\200-\377_]`.
pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// `ident_cont`: `[A-Za-z\200-\377_0-9\$]`.
pub(super) fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// `dolq_cont`: like `ident_cont` without `$`.
fn is_dolq_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// Offset just after the last byte of `b` in `[from, ..)` that satisfies `f`, scanning forward.
pub(super) fn skip_while(b: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while i < b.len() && f(b[i]) {
        i += 1;
    }
    i
}

/// Offset of the next `\n` at or after `from`, if any.
pub(super) fn find_newline(b: &[u8], from: usize) -> Option<usize> {
    b[from..].iter().position(|&c| c == b'\n').map(|k| from + k)
}

/// End of a `--` comment starting at `i`: the first `\n` or `\r` (excluded), or end of input.
pub(super) fn line_comment_end(b: &[u8], i: usize) -> usize {
    skip_while(b, i + 2, |c| c != b'\n' && c != b'\r')
}

/// A construct that reached the end of input before it was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Unterminated;

/// End (exclusive) of a `/* … */` comment starting at `i`; comments nest.
/// `Err(Unterminated)` when the input ends first.
pub(super) fn block_comment(b: &[u8], i: usize) -> Result<usize, Unterminated> {
    let mut depth = 1usize;
    let mut j = i + 2;
    while j < b.len() {
        match b[j] {
            b'/' if b.get(j + 1) == Some(&b'*') => {
                depth += 1;
                j += 2;
            }
            b'*' if b.get(j + 1) == Some(&b'/') => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return Ok(j);
                }
            }
            _ => j += 1,
        }
    }
    Err(Unterminated)
}

/// End (exclusive) of a single-quoted string whose opening quote is at `q`.
/// `''` is a doubled quote; with `backslash_escapes` (E'' strings, or any string when
/// standard_conforming_strings is off) a backslash escapes the next byte.
pub(super) fn quoted_string(b: &[u8], q: usize, backslash_escapes: bool) -> Result<usize, Unterminated> {
    let mut j = q + 1;
    while j < b.len() {
        match b[j] {
            b'\'' => {
                if b.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return Ok(j + 1);
                }
            }
            // Skipping one byte may land inside a multibyte character; that is harmless because
            // only ASCII bytes are compared and the string ends at an ASCII quote.
            b'\\' if backslash_escapes => j += 2,
            _ => j += 1,
        }
    }
    Err(Unterminated)
}

/// End (exclusive) of a double-quoted identifier whose opening quote is at `q`; `""` doubles.
pub(super) fn quoted_ident(b: &[u8], q: usize) -> Result<usize, Unterminated> {
    let mut j = q + 1;
    while j < b.len() {
        if b[j] == b'"' {
            if b.get(j + 1) == Some(&b'"') {
                j += 2;
            } else {
                return Ok(j + 1);
            }
        } else {
            j += 1;
        }
    }
    Err(Unterminated)
}

/// If a dollar-quote delimiter `$tag$` (tag empty, or an identifier without `$` that does not start
/// with a digit) starts at `i`, the offset just after it.
pub(super) fn dollar_delimiter(b: &[u8], i: usize) -> Option<usize> {
    debug_assert_eq!(b[i], b'$');
    let mut j = i + 1;
    if j < b.len() && is_ident_start(b[j]) {
        j = skip_while(b, j + 1, is_dolq_cont);
    }
    (j < b.len() && b[j] == b'$').then_some(j + 1)
}

/// End (exclusive) of a dollar-quoted string whose opening delimiter is `b[open..body]`: the end of
/// the first later occurrence of the same delimiter. A different tag inside (`$a$ $b$ $a$`) is
/// just text, as in psql.
pub(super) fn dollar_body(b: &[u8], open: usize, body: usize) -> Result<usize, Unterminated> {
    let tag = &b[open..body];
    let mut j = body;
    while let Some(k) = b[j..].iter().position(|&c| c == b'$') {
        let at = j + k;
        if b[at..].starts_with(tag) {
            return Ok(at + tag.len());
        }
        j = at + 1;
    }
    Err(Unterminated)
}

/// ASCII case-insensitive comparison of a token with a lowercase keyword.
pub(super) fn is_kw(word: &[u8], kw: &str) -> bool {
    word.eq_ignore_ascii_case(kw.as_bytes())
}

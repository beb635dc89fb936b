//! Token-level text surgery on one statement, for actions that strip a clause. Works on
//! pg_query's own scanner tokens, so quotes, comments and dollar bodies are never cut into.

use crate::ir::Edit;
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct Tok {
    /// Byte range relative to the statement text.
    pub start: usize,
    pub end: usize,
    /// Uppercased token text (identifiers too; quoted identifiers keep their quotes).
    pub upper: String,
    /// Parenthesis depth before the token.
    pub depth: i32,
}

pub fn tokens(text: &str) -> Vec<Tok> {
    // pg_query's scan of a text without a token reads a null token array (a UB panic).
    if text.trim().is_empty() {
        return Vec::new();
    }
    let Ok(raw) = pg_query::scan_tokens(text) else { return Vec::new() };
    let mut depth = 0;
    let mut out = Vec::with_capacity(raw.len());
    for t in raw {
        let (start, end) = (t.start as usize, t.end as usize);
        let s = text.get(start..end).unwrap_or("");
        // Comments are tokens too; they are never part of a clause.
        if s.starts_with("--") || s.starts_with("/*") {
            continue;
        }
        let d = depth;
        match s {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        out.push(Tok { start, end, upper: s.to_uppercase(), depth: d });
    }
    out
}

/// The comments in `text` (byte ranges, `--` ones without their line break), as pg_query's
/// scanner finds them.
pub fn comments(text: &str) -> Vec<(usize, usize)> {
    // Most gaps hold only space (and a scan without a token reads a null token array).
    if !text.contains("--") && !text.contains("/*") {
        return Vec::new();
    }
    let Ok(raw) = pg_query::scan_tokens(text) else { return Vec::new() };
    raw.iter()
        .map(|t| (t.start as usize, t.end as usize))
        .filter(|&(start, end)| text.get(start..end).is_some_and(|c| c.starts_with("--") || c.starts_with("/*")))
        .collect()
}

/// Is `t` an identifier-like token (a name part)?
pub fn is_name(t: &Tok) -> bool {
    t.upper.starts_with('"') || t.upper.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Index just past a possibly qualified name starting at `i`.
pub fn skip_name(toks: &[Tok], mut i: usize) -> usize {
    if i < toks.len() && is_name(&toks[i]) {
        i += 1;
        while i + 1 < toks.len() && toks[i].upper == "." && is_name(&toks[i + 1]) {
            i += 2;
        }
    }
    i
}

/// Index just past the parenthesised group opening at `i` (which must be `(`).
pub fn skip_group(toks: &[Tok], i: usize) -> usize {
    let depth = toks[i].depth;
    let mut j = i + 1;
    while j < toks.len() && !(toks[j].upper == ")" && toks[j].depth == depth + 1) {
        j += 1;
    }
    (j + 1).min(toks.len())
}

/// An edit removing statement-relative `[start, end)` plus the whitespace before it (so no double
/// space or dangling indentation is left); `base` is the statement's absolute offset.
pub fn remove(text: &str, base: usize, start: usize, end: usize) -> Edit {
    let before = &text[..start];
    let ws = before.len() - before.trim_end_matches([' ', '\t']).len();
    // Keep a line break: remove leading spaces only on the same line.
    let from = if ws > 0 { start - ws } else { start };
    let mut to = end;
    if from == start {
        // At the start of a line or statement: take the trailing spaces instead.
        let after = &text[end..];
        to += after.len() - after.trim_start_matches([' ', '\t']).len();
    }
    Edit { span: Span::new(base + from, base + to), insert: String::new() }
}

// Identifier quoting is the IR's vocabulary (emit uses it too).
pub use crate::ir::names::quote_ident;

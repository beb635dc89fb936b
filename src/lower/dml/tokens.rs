//! pg_query's scanner tokens of a text, without comments, with helpers to find keyword sequences.

use pg_query::protobuf::Token;

#[derive(Clone, Copy, Debug)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: i32,
}

/// The tokens of `text` (comments left out); empty when the text does not scan.
pub fn scan(text: &str) -> Vec<Tok> {
    let Ok(raw) = pg_query::scan_tokens(text) else { return Vec::new() };
    raw.iter()
        .filter(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
        .map(|t| Tok { start: t.start.max(0) as usize, end: t.end.max(0) as usize, kind: t.token })
        .collect()
}

/// Lazily scanned tokens of one text.
pub struct Tokens<'a> {
    pub text: &'a str,
    toks: Option<Vec<Tok>>,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens { text, toks: None }
    }

    pub fn all(&mut self) -> &[Tok] {
        let text = self.text;
        self.toks.get_or_insert_with(|| scan(text))
    }

    pub fn word(&self, t: &Tok) -> &'a str {
        self.text.get(t.start..t.end).unwrap_or("")
    }

    /// Start offsets of every occurrence of the keyword sequence `seq` (case-insensitive), each
    /// with the index of its first token.
    pub fn find_seq(&mut self, seq: &[&str]) -> Vec<usize> {
        let text = self.text;
        let toks = self.all();
        let mut out = Vec::new();
        if seq.is_empty() {
            return out;
        }
        let mut i = 0;
        while i + seq.len() <= toks.len() {
            let hit = seq.iter().enumerate().all(|(k, w)| {
                let t = &toks[i + k];
                text.get(t.start..t.end).is_some_and(|s| s.eq_ignore_ascii_case(w))
            });
            if hit {
                out.push(i);
                i += seq.len();
            } else {
                i += 1;
            }
        }
        out
    }

    /// Index of the first token starting at or after `offset`.
    pub fn index_at(&mut self, offset: usize) -> usize {
        let toks = self.all();
        toks.partition_point(|t| t.start < offset)
    }
}

/// The end of the word-like run (identifier, qualified name, number) starting at `start`; at
/// least one character.
pub fn word_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut quoted = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && !b.is_ascii_alphanumeric() && !matches!(b, b'_' | b'.' | b'$' | 0x80..) {
            break;
        }
        i += 1;
    }
    if i == start {
        i = start + text[start..].chars().next().map(char::len_utf8).unwrap_or(0);
    }
    i.min(text.len())
}

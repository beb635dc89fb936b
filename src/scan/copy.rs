//! `COPY … FROM stdin` data blocks and the `\copy` meta-command.

use super::lex::{self, is_kw};

/// End (exclusive) of the data block that starts at the beginning of a line at `start`: just after
/// the line that is exactly `\.` (ended by `\n`, `\r\n` or the end of input), as psql reads it.
/// `None` when no such line exists: the data runs to the end of input.
pub(super) fn data_end(b: &[u8], start: usize) -> Option<usize> {
    let n = b.len();
    let mut line = start;
    while line < n {
        if b[line] == b'\\' && b.get(line + 1) == Some(&b'.') {
            let r = line + 2;
            match b.get(r) {
                None => return Some(n),
                Some(b'\n') => return Some(r + 1),
                Some(b'\r') if b.get(r + 1) == Some(&b'\n') => return Some(r + 2),
                _ => {}
            }
        }
        line = match lex::find_newline(b, line) {
            Some(nl) => nl + 1,
            None => n,
        };
    }
    None
}

/// Whether a `\copy` meta-command line (the text after `\copy`) reads its data from the script:
/// `\copy table [(columns)] from stdin|pstdin …`. The first `from` or `to` outside parentheses and
/// quotes decides the direction; the word after `from` must be `stdin` or `pstdin`. Like psql, a
/// `;` separates words (`\copy t from stdin;`).
pub(super) fn slash_copy_reads_script(args: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    let mut after_from = false;
    while i < args.len() {
        let c = args[i];
        if lex::is_space(c) {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\'' | b'"' => {
                // A quoted file name or identifier; psql ends \copy at the end of the line.
                i = args[i + 1..].iter().position(|&d| d == c).map_or(args.len(), |k| i + 1 + k + 1);
            }
            _ => {
                i = lex::skip_while(args, i + 1, |d| {
                    !lex::is_space(d) && !matches!(d, b'(' | b')' | b'\'' | b'"' | b';')
                });
            }
        }
        let word = &args[start..i];
        if after_from {
            return is_kw(word, "stdin") || is_kw(word, "pstdin");
        }
        if depth == 0 && c != b')' {
            if is_kw(word, "from") {
                after_from = true;
            } else if is_kw(word, "to") {
                return false;
            }
        }
    }
    false
}

//! Stage 1: split a psql script into pieces that tile the input exactly.
//!
//! The scanner reads the script the way psql does and cuts it into [`Piece`]s: SQL statements,
//! `COPY … FROM stdin` data blocks, psql meta-commands, and the comments and whitespace between
//! them. Concatenating the pieces' text gives back the input byte for byte; no piece is empty.
//!
//! * A statement runs from its first token through the `;` that ends it (see `statement.rs` for
//!   psql's rule: quotes, comments, parentheses, `BEGIN ATOMIC … END`), or, for the last statement,
//!   to its last token. Comments between its tokens belong to it.
//! * A backslash where a statement would start begins a meta-command that runs to the end of the
//!   line (the line break is not part of it). A backslash inside a statement stays statement text,
//!   except `\g`, `\gx`, `\gdesc`, `\gset` and `\gexec`, which end the statement as `;` does and
//!   are meta-commands of their own.
//! * After `COPY … FROM STDIN;` (or `\copy … from stdin|pstdin`) the rest of the line is
//!   whitespace and the data starts on the next line, through the line `\.` and its line break.
//! * standard_conforming_strings starts on (pg_dump sets it) and follows
//!   `SET standard_conforming_strings = on|off` statements, as psql follows the server.
//!
//! One pass over the bytes, linear time, no allocation per byte. Every offset is a char boundary:
//! all delimiters are ASCII.

mod copy;
mod lex;
mod statement;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PieceKind {
    /// An SQL statement, from its first token through its terminating `;` (or end of input).
    Statement,
    /// The rows of a `COPY … FROM stdin` (or `\copy … from stdin`), through the `\.` line.
    CopyData,
    /// A psql meta-command line such as `\connect db` or `\restrict key`.
    Meta,
    /// A `--` or `/* */` comment between statements.
    Comment,
    /// Whitespace between pieces.
    Whitespace,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub kind: PieceKind,
    pub span: Span,
}

/// A problem the scanner found; the scan still covers the whole input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// Where the unterminated construct starts.
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub pieces: Vec<Piece>,
    pub errors: Vec<ScanError>,
}

impl Piece {
    /// The piece's text in the scanned input.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.span.start..self.span.end]
    }
}

impl Scan {
    /// The statement pieces, in input order.
    pub fn statements(&self) -> impl Iterator<Item = &Piece> + '_ {
        self.pieces.iter().filter(|p| p.kind == PieceKind::Statement)
    }

    /// The index of the data block read by the `COPY … FROM stdin` statement or `\copy` meta-command
    /// at `command`: the next piece after it, skipping whitespace and comments, when that is data.
    pub fn copy_data_of(&self, command: usize) -> Option<usize> {
        if !matches!(self.pieces.get(command)?.kind, PieceKind::Statement | PieceKind::Meta) {
            return None;
        }
        self.pieces[command + 1..]
            .iter()
            .position(|p| !matches!(p.kind, PieceKind::Whitespace | PieceKind::Comment))
            .map(|k| command + 1 + k)
            .filter(|&j| self.pieces[j].kind == PieceKind::CopyData)
    }

    /// The index of the statement or meta-command whose data is the block at `data`: the piece
    /// before it, skipping whitespace and comments.
    ///
    /// Both lookups rely on the data block following its command with only whitespace and comments
    /// between them. The one exception is text after `COPY … FROM stdin;` on the same line, which
    /// the scanner reports as an error; there the block pairs with that text instead.
    pub fn copy_command_of(&self, data: usize) -> Option<usize> {
        if self.pieces.get(data)?.kind != PieceKind::CopyData {
            return None;
        }
        self.pieces[..data]
            .iter()
            .rposition(|p| !matches!(p.kind, PieceKind::Whitespace | PieceKind::Comment))
            .filter(|&j| matches!(self.pieces[j].kind, PieceKind::Statement | PieceKind::Meta))
    }
}

/// Split `text` into pieces that tile it exactly. Never fails: problems (an unterminated string,
/// comment, dollar quote or COPY block) are recorded in [`Scan::errors`] and the piece they are in
/// runs to the end of input.
pub fn scan(text: &str) -> Scan {
    let mut s = Scanner { b: text.as_bytes(), pos: 0, std_strings: true, out: Scan::default() };
    s.run();
    debug_assert_eq!(s.pos, text.len());
    s.out
}

struct Scanner<'a> {
    b: &'a [u8],
    /// Start of the next piece.
    pos: usize,
    /// standard_conforming_strings, as the script has set it so far.
    std_strings: bool,
    out: Scan,
}

impl Scanner<'_> {
    /// Add the piece `[pos, end)` (nothing when empty; adjacent whitespace is merged).
    fn push(&mut self, kind: PieceKind, end: usize) {
        let start = self.pos;
        debug_assert!(end >= start);
        if end <= start {
            return;
        }
        self.pos = end;
        if kind == PieceKind::Whitespace {
            if let Some(last) = self.out.pieces.last_mut() {
                if last.kind == PieceKind::Whitespace && last.span.end == start {
                    last.span.end = end;
                    return;
                }
            }
        }
        self.out.pieces.push(Piece { kind, span: Span::new(start, end) });
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.out.errors.push(ScanError { offset, message: message.into() });
    }

    /// Between pieces: whitespace, comments, meta-commands and statements.
    fn run(&mut self) {
        let b = self.b;
        let n = b.len();
        // psql skips a UTF-8 byte order mark at the start of a file.
        if b.starts_with(b"\xEF\xBB\xBF") {
            self.push(PieceKind::Whitespace, 3);
        }
        while self.pos < n {
            let i = self.pos;
            let c = b[i];
            let next = b.get(i + 1).copied();
            if lex::is_space(c) {
                self.push(PieceKind::Whitespace, lex::skip_while(b, i, lex::is_space));
            } else if c == b'-' && next == Some(b'-') {
                self.push(PieceKind::Comment, lex::line_comment_end(b, i));
            } else if c == b'/' && next == Some(b'*') {
                match lex::block_comment(b, i) {
                    Ok(end) => self.push(PieceKind::Comment, end),
                    Err(lex::Unterminated) => {
                        self.push(PieceKind::Comment, n);
                        self.error(i, "unterminated block comment: no closing */ before end of input");
                    }
                }
            } else if c == b'\\' {
                self.meta(i);
            } else {
                self.statement(i);
            }
        }
    }

    fn statement(&mut self, start: usize) {
        let r = statement::statement(self.b, start, self.std_strings);
        // Defensive: a statement always holds at least its first byte.
        let end = if r.end > start { r.end } else { self.b.len() };
        self.push(PieceKind::Statement, end);
        if let Some((offset, message)) = r.problem {
            self.error(offset, message);
        }
        if let Some(on) = r.set_std_strings {
            self.std_strings = on;
        }
        if r.copy_from_stdin {
            self.copy_data(start);
        }
    }

    /// A psql meta-command: from the backslash to the end of the line (`\n` or `\r\n` excluded).
    fn meta(&mut self, start: usize) {
        let b = self.b;
        let mut end = lex::find_newline(b, start).unwrap_or(b.len());
        if end > start + 1 && b[end - 1] == b'\r' {
            end -= 1;
        }
        self.push(PieceKind::Meta, end);
        let line = &b[start + 1..end];
        // psql's command names are case-sensitive: `\copy`, not `\COPY`.
        let is_copy = line.starts_with(b"copy") && line.get(4).is_none_or(|&c| !c.is_ascii_alphanumeric() && c != b'_');
        if is_copy && copy::slash_copy_reads_script(&line[4..]) {
            self.copy_data(start);
        }
    }

    /// The data block of the COPY statement or `\copy` command at `command`, which ends at `pos`:
    /// the rest of the command's line, then the data from the next line through the `\.` line.
    fn copy_data(&mut self, command: usize) {
        let b = self.b;
        let n = b.len();
        let data_start = lex::find_newline(b, self.pos).map_or(n, |nl| nl + 1);
        self.rest_of_copy_line(data_start);
        match copy::data_end(b, data_start) {
            Some(end) => self.push(PieceKind::CopyData, end),
            None => {
                self.push(PieceKind::CopyData, n);
                self.error(command, "unterminated COPY data: no \\. line before end of input");
            }
        }
    }

    /// What follows `COPY … FROM stdin;` on its line, through the line break at `to - 1`: normally
    /// only the line break. psql reads the data from the next line and runs any other text on the
    /// line only after the data; that text becomes its own piece and is reported.
    fn rest_of_copy_line(&mut self, to: usize) {
        let b = self.b;
        let line_end = if to > self.pos && b[to - 1] == b'\n' { to - 1 } else { to };
        while self.pos < to {
            let i = self.pos;
            let c = b[i];
            if lex::is_space(c) {
                self.push(PieceKind::Whitespace, lex::skip_while(b, i, lex::is_space).min(to));
                continue;
            }
            if c == b'-' && b.get(i + 1) == Some(&b'-') {
                self.push(PieceKind::Comment, lex::line_comment_end(b, i).min(line_end));
                continue;
            }
            let comment = c == b'/' && b.get(i + 1) == Some(&b'*');
            if comment {
                if let Ok(end) = lex::block_comment(&b[..line_end], i) {
                    self.push(PieceKind::Comment, end);
                    continue;
                }
            }
            let mut end = line_end;
            while end > i + 1 && lex::is_space(b[end - 1]) {
                end -= 1;
            }
            self.error(i, "text after COPY … FROM stdin on the same line: psql runs it only after the data block");
            let kind = if comment {
                PieceKind::Comment
            } else if c == b'\\' {
                PieceKind::Meta
            } else {
                PieceKind::Statement
            };
            self.push(kind, end);
        }
    }
}

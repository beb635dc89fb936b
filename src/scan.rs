//! Stage 1: split a psql script into pieces that tile the input exactly.
//! (Implementation in progress: see the scanner task.)

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

pub fn scan(_text: &str) -> Scan {
    unimplemented!("scanner in progress")
}

//! A statement's current text: its source slices with its edits applied and what rules appended.
//! Emit prints it; rules read it to rewrite statements they merge or copy.

use super::Stmt;
use crate::source::SourceFile;

/// The text a statement is emitted as (without its leading comments).
pub fn statement_text(stmt: &Stmt, files: &[SourceFile]) -> String {
    let mut out = String::with_capacity(stmt.span.len() + 64);
    statement_pieces(stmt, files, |p| out.push_str(p));
    out
}

/// The pieces of text a statement is emitted as (without its leading comments): source slices
/// between its edits, the edits' text, and what rules appended.
pub fn statement_pieces<'s>(stmt: &'s Stmt, files: &'s [SourceFile], mut f: impl FnMut(&'s str)) {
    let src: &str = &files[stmt.file].text;
    let mut edits: Vec<_> = stmt.edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut at = stmt.span.start;
    for e in edits {
        f(&src[at..e.span.start]);
        f(&e.insert);
        at = e.span.end;
    }
    f(&src[at..stmt.span.end]);
    for a in &stmt.appended {
        f("\n\n");
        f(a);
    }
}

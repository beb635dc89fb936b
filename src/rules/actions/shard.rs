//! `shard_hints`: write a table's primary key with ZNbaseDB's explicit sharding, `PRIMARY KEY
//! (a HASH, b ASC)` — the 2.6 default made explicit, so the distribution no longer depends on
//! `yb_use_hash_splitting_by_default`. ZNbaseDB-only syntax: PostgreSQL cannot parse it, so the
//! statement is marked and not re-parsed.

use crate::ir::{Detail, Edit, Fate, Ir, StmtId};
use crate::rules::edit;
use crate::source::Span;

use super::{ActionEnv, Applied};

/// `PRIMARY KEY (a, b)` → `PRIMARY KEY (a HASH, b ASC)`.
fn table_key(text: &str, toks: &[edit::Tok], at: usize) -> Result<String, String> {
    let open = at + 2;
    let close = edit::skip_group(toks, open) - 1;
    // Key columns: plain names only (expressions or existing HASH/ASC/DESC are left alone).
    let mut cols = Vec::new();
    let mut i = open + 1;
    while i < close {
        let j = edit::skip_name(toks, i);
        if j == i || (j < close && toks[j].upper != ",") {
            return Err("the key already has sharding or ordering options".into());
        }
        cols.push(text[toks[i].start..toks[j - 1].end].to_string());
        i = j + 1;
    }
    if cols.is_empty() {
        return Err("empty key".into());
    }
    let keyed: Vec<String> =
        cols.iter().enumerate().map(|(k, c)| format!("{c} {}", if k == 0 { "HASH" } else { "ASC" })).collect();
    Ok(format!("{}{}{}", &text[..toks[open].end], keyed.join(", "), &text[toks[close].start..]))
}

/// `id int [CONSTRAINT n] PRIMARY KEY` → `id int, [CONSTRAINT n] PRIMARY KEY (id HASH)` (the
/// explicit form exists only as a table constraint; the server names it the same way).
fn column_key(text: &str, toks: &[edit::Tok]) -> Result<String, String> {
    let k = toks
        .windows(3)
        .position(|w| w[0].upper == "PRIMARY" && w[1].upper == "KEY" && w[0].depth == 1 && w[2].upper != "(")
        .ok_or("no PRIMARY KEY to annotate")?;
    let start = (0..k)
        .rev()
        .find(|&i| (toks[i].upper == "," && toks[i].depth == 1) || (toks[i].upper == "(" && toks[i].depth == 0))
        .map(|i| i + 1)
        .ok_or("column not found")?;
    let column = &text[toks[start].start..toks[edit::skip_name(toks, start) - 1].end];
    let (from, name) = if k >= 2 && toks[k - 2].upper == "CONSTRAINT" {
        (k - 2, Some(&text[toks[k - 1].start..toks[k - 1].end]))
    } else {
        (k, None)
    };
    let open = toks.iter().position(|t| t.upper == "(" && t.depth == 0).ok_or("no column list")?;
    let close = edit::skip_group(toks, open) - 1;
    let removal = edit::remove(text, 0, toks[from].start, toks[k + 1].end);
    let element = match name {
        Some(n) => format!("CONSTRAINT {n} PRIMARY KEY ({column} HASH)"),
        None => format!("PRIMARY KEY ({column} HASH)"),
    };
    let before_close = text[..toks[close].start].trim_end();
    let indent = if before_close.contains('\n') { "\n    " } else { " " };
    Ok(format!(
        "{}{},{indent}{element}{}",
        &text[..removal.span.start],
        &text[removal.span.end..before_close.len()],
        &text[before_close.len()..]
    ))
}

pub fn shard_hints(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    if !matches!(stmt.detail, Detail::CreateTable(_)) {
        return Err("not a CREATE TABLE".into());
    }
    // Work on the text as it will be emitted (a folded primary key is an earlier edit).
    let text = crate::ir::text::statement_text(stmt, env.files);
    let toks = edit::tokens(&text);
    let table_level = toks
        .windows(3)
        .position(|w| w[0].upper == "PRIMARY" && w[1].upper == "KEY" && w[2].upper == "(" && w[0].depth == 1);
    let new_text = match table_level {
        Some(at) => table_key(&text, &toks, at)?,
        None => column_key(&text, &toks)?,
    };
    let base = stmt.span.start;
    let span_len = stmt.span.len();
    let s = &mut ir.stmts[id];
    s.edits = vec![Edit { span: Span::new(base, base + span_len), insert: new_text }];
    s.appended.clear();
    s.target_syntax = true;
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

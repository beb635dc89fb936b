//! `strip` (remove a clause) and `drop_command` (remove an ALTER TABLE subcommand), as edits
//! on the statement's own text.

use crate::ir::change::ObjectKind;
use crate::ir::{Detail, Edit, Fate, Ir, StmtId};
use crate::rules::edit::{self, Tok};
use crate::rules::nodes::NodeKind;
use crate::source::Span;

use super::{record_change, ActionEnv, Applied};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clause {
    /// `CREATE UNLOGGED TABLE` → `CREATE TABLE`.
    Unlogged,
    /// `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`.
    Concurrently,
    /// A column's `COLLATE name` (column node) or the collations of an index's keys.
    Collate,
    /// `WITH (…)` storage parameters of an index or a constraint.
    StorageParameters,
    /// `DEFERRABLE` / `INITIALLY DEFERRED|IMMEDIATE` of a constraint.
    Deferrable,
    /// A column's `COMPRESSION method`.
    Compression,
    /// `TABLESPACE name` / `USING INDEX TABLESPACE name`.
    Tablespace,
    /// A view's `WITH [CASCADED | LOCAL] CHECK OPTION`.
    CheckOption,
    /// `NULLS DISTINCT` spelled out on a unique constraint or index (PostgreSQL 15 syntax for the
    /// default); `NULLS NOT DISTINCT` is kept.
    NullsDistinct,
    /// `USING method` of a table or materialized view (PostgreSQL 12+ table access method).
    AccessMethod,
    /// One `SET name = value` / `SET name FROM CURRENT` / `RESET name` clause of a function.
    Setting,
}

const CLAUSES: &[(&str, Clause, &[NodeKind])] = &[
    ("unlogged", Clause::Unlogged, &[NodeKind::CreateTable]),
    ("concurrently", Clause::Concurrently, &[NodeKind::CreateIndex, NodeKind::Statement]),
    ("collate", Clause::Collate, &[NodeKind::Column, NodeKind::CreateIndex]),
    (
        "storage_parameters",
        Clause::StorageParameters,
        &[NodeKind::CreateIndex, NodeKind::Constraint, NodeKind::AddConstraint],
    ),
    ("deferrable", Clause::Deferrable, &[NodeKind::Constraint, NodeKind::AddConstraint]),
    ("compression", Clause::Compression, &[NodeKind::Column]),
    ("tablespace", Clause::Tablespace, &[NodeKind::CreateIndex, NodeKind::CreateTable, NodeKind::Constraint]),
    ("check_option", Clause::CheckOption, &[NodeKind::CreateView]),
    ("nulls_distinct", Clause::NullsDistinct, &[NodeKind::Statement]),
    ("access_method", Clause::AccessMethod, &[NodeKind::CreateTable, NodeKind::CreateView]),
    ("setting", Clause::Setting, &[NodeKind::Setting]),
];

impl Clause {
    pub fn parse(name: &str, node: NodeKind) -> Result<Clause, String> {
        let Some((_, c, nodes)) = CLAUSES.iter().find(|(n, _, _)| *n == name) else {
            let names: Vec<&str> = CLAUSES.iter().map(|(n, _, _)| *n).collect();
            return Err(format!("unknown clause `{name}`; clauses: {}", names.join(", ")));
        };
        if !nodes.contains(&node) {
            return Err(format!("clause `{name}` cannot be stripped from this node"));
        }
        Ok(*c)
    }
}

/// Token index range `[i, j)` → an edit removing it.
fn remove_toks(text: &str, base: usize, toks: &[Tok], i: usize, j: usize) -> Edit {
    edit::remove(text, base, toks[i].start, toks[j - 1].end)
}

/// Like [`remove_toks`], but when the tokens start their line, the line goes with them: the
/// whole line when nothing else is on it, else the line break before them (`)\nUSING heap;`
/// becomes `);`).
fn remove_line_or_toks(text: &str, base: usize, toks: &[Tok], i: usize, j: usize) -> Edit {
    let (start, end) = (toks[i].start, toks[j - 1].end);
    let Some(line_start) = text[..start].rfind('\n').map(|n| n + 1) else {
        return remove_toks(text, base, toks, i, j);
    };
    if !text[line_start..start].trim().is_empty() {
        return remove_toks(text, base, toks, i, j);
    }
    let span = match text[end..].find('\n').map(|n| end + n + 1) {
        Some(line_end) if text[end..line_end].trim().is_empty() => Span::new(line_start, line_end),
        _ => Span::new(line_start - 1, end),
    };
    Edit { span: Span::new(base + span.start, base + span.end), insert: String::new() }
}

/// Find keyword sequences (uppercase) in `toks[range]` at `depth`; return token ranges.
fn find_seq(toks: &[Tok], from: usize, to: usize, seq: &[&str], depth: Option<i32>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = from;
    while i + seq.len() <= to {
        if seq.iter().enumerate().all(|(k, w)| toks[i + k].upper == *w) && depth.is_none_or(|d| toks[i].depth == d) {
            out.push((i, i + seq.len()));
            i += seq.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Token indexes whose start lies in the statement-relative span.
fn within(toks: &[Tok], span: Span) -> (usize, usize) {
    let from = toks.iter().position(|t| t.start >= span.start).unwrap_or(toks.len());
    let to = toks.iter().position(|t| t.start >= span.end).unwrap_or(toks.len());
    (from, to.max(from))
}

pub fn strip(
    ir: &mut Ir,
    id: StmtId,
    item: usize,
    clause: Clause,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let base = stmt.span.start;
    let text = env.files[stmt.file].slice(stmt.span).to_string();
    // Most statements the rule sees have no such clause: skip tokenizing them.
    if clause == Clause::NullsDistinct && !text.to_ascii_uppercase().contains("DISTINCT") {
        return Ok(false);
    }
    let toks = edit::tokens(&text);
    if toks.is_empty() {
        return Err("the statement could not be tokenized".into());
    }
    let all = (0, toks.len());
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut change: Option<(ObjectKind, String, Option<String>)> = None;
    match clause {
        Clause::Unlogged => {
            // Only the keyword before TABLE (a table may be named "unlogged").
            let table_kw = toks.iter().position(|t| t.upper == "TABLE").unwrap_or(0);
            ranges = find_seq(&toks, 0, table_kw, &["UNLOGGED"], Some(0));
            if let Some(o) = &stmt.object {
                change = Some((ObjectKind::Table, o.name.clone(), None));
            }
        }
        Clause::Concurrently => ranges = find_seq(&toks, 0, all.1.min(6), &["CONCURRENTLY"], Some(0)),
        Clause::Collate | Clause::Compression => {
            let keyword = if clause == Clause::Collate { "COLLATE" } else { "COMPRESSION" };
            let (from, to, depth) = match &stmt.detail {
                Detail::CreateTable(t) => {
                    let col = t.columns.get(item).ok_or("no such column")?;
                    change = Some((ObjectKind::Column, col.name.clone(), Some(t.name.clone())));
                    let (f, to) = within(&toks, col.span);
                    // The first token is the column's name (a column may be named "collate"
                    // or "compression"): clauses come after it.
                    (f + 1, to, None)
                }
                Detail::CreateIndex(i) => {
                    change = Some((ObjectKind::Index, i.name.clone(), Some(i.table.clone())));
                    (all.0, all.1, Some(1))
                }
                _ => return Err("no column to strip from".into()),
            };
            for (i, _) in find_seq(&toks, from, to, &[keyword], depth) {
                ranges.push((i, edit::skip_name(&toks, i + 1)));
            }
        }
        Clause::StorageParameters => {
            let (from, to) = match (&stmt.detail, item) {
                (Detail::CreateTable(t), i) => within(&toks, t.constraints.get(i).ok_or("no such constraint")?.span),
                (Detail::AddConstraint { constraint, .. }, _) => {
                    within(&toks, Span::new(constraint.location, text.len()))
                }
                (Detail::CreateIndex(_), _) => all,
                _ => return Err("no storage parameters here".into()),
            };
            let depth = toks.get(from).map(|t| t.depth);
            for (i, _) in find_seq(&toks, from, to, &["WITH", "("], depth) {
                ranges.push((i, edit::skip_group(&toks, i + 1)));
            }
        }
        Clause::Deferrable => {
            let (from, to) = match (&stmt.detail, item) {
                (Detail::CreateTable(t), i) => {
                    let c = t.constraints.get(i).ok_or("no such constraint")?;
                    change = Some((ObjectKind::Constraint, c.name.clone(), Some(t.name.clone())));
                    within(&toks, c.span)
                }
                (Detail::AddConstraint { constraint, table, .. }, _) => {
                    change = Some((ObjectKind::Constraint, constraint.name.clone(), Some(table.name.clone())));
                    within(&toks, Span::new(constraint.location, text.len()))
                }
                _ => return Err("no constraint here".into()),
            };
            for seq in
                [&["NOT", "DEFERRABLE"][..], &["DEFERRABLE"], &["INITIALLY", "DEFERRED"], &["INITIALLY", "IMMEDIATE"]]
            {
                for r in find_seq(&toks, from, to, seq, None) {
                    if !ranges.iter().any(|x| x.0 <= r.0 && r.0 < x.1) {
                        ranges.push(r);
                    }
                }
            }
        }
        Clause::Tablespace => {
            for (i, _) in find_seq(&toks, 0, all.1, &["USING", "INDEX", "TABLESPACE"], None) {
                ranges.push((i, edit::skip_name(&toks, i + 3)));
            }
            for (i, _) in find_seq(&toks, 0, all.1, &["TABLESPACE"], Some(0)) {
                if !ranges.iter().any(|r| r.0 <= i && i < r.1) {
                    ranges.push((i, edit::skip_name(&toks, i + 1)));
                }
            }
        }
        Clause::CheckOption => {
            for seq in [
                &["WITH", "CASCADED", "CHECK", "OPTION"][..],
                &["WITH", "LOCAL", "CHECK", "OPTION"],
                &["WITH", "CHECK", "OPTION"],
            ] {
                ranges.extend(find_seq(&toks, 0, all.1, seq, Some(0)));
            }
            if let Some(o) = &stmt.object {
                change = Some((ObjectKind::View, o.name.clone(), None));
            }
        }
        Clause::NullsDistinct => {
            ranges = find_seq(&toks, 0, all.1, &["NULLS", "DISTINCT"], None)
                .into_iter()
                .filter(|&(i, _)| i == 0 || toks[i - 1].upper != "NOT")
                .collect();
            if ranges.is_empty() {
                return Ok(false);
            }
        }
        Clause::AccessMethod => {
            // `CREATE TABLE t (…) USING heap`, `CREATE MATERIALIZED VIEW v USING heap AS …`: at
            // depth 0, before a query's `AS` (a join's `USING (…)` comes after it).
            let end = toks.iter().position(|t| t.upper == "AS" && t.depth == 0).unwrap_or(all.1);
            for (i, _) in find_seq(&toks, 0, end, &["USING"], Some(0)) {
                if toks.get(i + 1).is_some_and(edit::is_name) {
                    ranges.push((i, edit::skip_name(&toks, i + 1)));
                }
            }
            // Heap is what the target's tables are anyway: nothing differs, no manifest change.
        }
        Clause::Setting => {
            let at = stmt.settings.get(item).ok_or("no such setting")?.span.start;
            let i = toks.iter().position(|t| t.start == at).ok_or("the SET clause was not found")?;
            ranges.push((i, setting_clause_end(&toks, i)));
        }
    }
    if ranges.is_empty() {
        return Err("the clause was not found in the statement text".into());
    }
    ranges.sort();
    ranges.dedup();
    let edits: Vec<Edit> = ranges
        .iter()
        .map(|&(i, j)| match clause {
            // Function options and table clauses are often one a line: take the line with them.
            Clause::Setting | Clause::AccessMethod => remove_line_or_toks(&text, base, &toks, i, j),
            _ => remove_toks(&text, base, &toks, i, j),
        })
        .collect();
    // An element of CREATE SCHEMA is emitted as part of it: the edits go there.
    if let Some(host) = ir.stmts[id].element_of {
        ir.stmts[id].add_code(a.code);
        let h = &mut ir.stmts[host];
        h.edits.extend(edits);
        h.add_code(a.code);
        if h.fate == Fate::Verbatim {
            h.fate = Fate::Rewritten;
        }
        if let Some((kind, name, table)) = change {
            record_change(ir, id, kind, &name, table.as_deref(), a);
        }
        return Ok(true);
    }
    let s = &mut ir.stmts[id];
    s.edits.extend(edits);
    s.add_code(a.code);
    if s.fate == Fate::Merged {
        // A folded constraint: its text lives in the CREATE TABLE now.
        super::inline::refresh_fold(ir, id, env);
    } else {
        s.fate = Fate::Rewritten;
    }
    if let Some((kind, name, table)) = change {
        record_change(ir, id, kind, &name, table.as_deref(), a);
    }
    Ok(true)
}

/// Index just past a function's `SET name {= | TO} value [, …]`, `SET name FROM CURRENT` or
/// `RESET name | ALL` clause starting at `i`.
fn setting_clause_end(toks: &[Tok], i: usize) -> usize {
    let value = |j: usize| -> usize {
        let j = if toks.get(j).is_some_and(|t| t.upper == "-" || t.upper == "+") { j + 1 } else { j };
        (j + 1).min(toks.len())
    };
    let mut j = i + 1;
    if toks[i].upper == "RESET" {
        return if toks.get(j).is_some_and(|t| t.upper == "ALL") { j + 1 } else { edit::skip_name(toks, j) };
    }
    j = edit::skip_name(toks, j);
    match toks.get(j).map(|t| t.upper.as_str()) {
        Some("FROM") => (j + 2).min(toks.len()),
        Some("=") | Some("TO") => {
            j = value(j + 1);
            while toks.get(j).is_some_and(|t| t.upper == ",") {
                j = value(j + 1);
            }
            j
        }
        _ => j,
    }
}

pub fn drop_command(ir: &mut Ir, id: StmtId, item: usize, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let n = stmt.commands.len();
    if n <= 1 {
        let s = &mut ir.stmts[id];
        s.fate = Fate::Dropped;
        s.add_code(a.code);
        return Ok(true);
    }
    let span = stmt.commands.get(item).ok_or("no such subcommand")?.span;
    if span.is_empty() {
        return Err("the subcommands could not be located in the text".into());
    }
    let text = env.files[stmt.file].slice(stmt.span);
    // Remove the command and the comma that joins it to its neighbour.
    let (start, end) = if item + 1 < n {
        let next = stmt.commands[item + 1].span.start;
        (span.start, next)
    } else {
        let prev_end = stmt.commands[item - 1].span.end;
        (prev_end, span.end)
    };
    let base = stmt.span.start;
    let already: usize = stmt.edits.iter().filter(|e| e.insert.is_empty()).count();
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base + start, base + end), insert: String::new() });
    s.add_code(a.code);
    // When every command is gone, so is the statement.
    if already + 1 >= n {
        s.fate = Fate::Dropped;
        s.edits.clear();
    } else {
        s.fate = Fate::Rewritten;
    }
    let _ = text;
    Ok(true)
}

//! `inline_constraint`: fold `ALTER TABLE … ADD CONSTRAINT` into the table's CREATE TABLE.

use crate::ir::{Detail, Edit, Fate, Fold, Ir, StmtId};
use crate::source::Span;

use super::ActionEnv;

pub fn inline_constraint(ir: &mut Ir, id: StmtId, code: &str, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::AddConstraint { table, single_command, constraint, .. } = &stmt.detail else {
        return Err("not an ADD CONSTRAINT".into());
    };
    if !single_command {
        return Err("the ALTER TABLE has other commands; it is kept as written".into());
    }
    let target = ir.definer_at(table, id).ok_or("the table is not created by a CREATE TABLE in the input")?;
    let target_stmt = &ir.stmts[target];
    if (target_stmt.file, target_stmt.span.start) > (stmt.file, stmt.span.start) {
        return Err("the table is created after the constraint".into());
    }
    if target_stmt.kind != "create_table" && target_stmt.kind != "create_table_partition" {
        return Err("the table is not created by a CREATE TABLE in the input".into());
    }
    // A table created inside CREATE SCHEMA: its text is the CREATE SCHEMA's, which takes the edit.
    let holder = target_stmt.element_of.unwrap_or(target);
    if target_stmt.fate == Fate::Dropped || ir.stmts[holder].fate == Fate::Dropped {
        return Err("the CREATE TABLE is not loaded".into());
    }
    let close = target_stmt.elements_close.ok_or("the CREATE TABLE has no column list to fold into")?;

    let src = &env.files[stmt.file];
    let text = src.slice(stmt.span);
    let def = text[constraint.location.min(text.len())..].trim_end().trim_end_matches(';').trim_end();
    // The CREATE TABLE may be in another input file than the ALTER TABLE.
    let table_text = &env.files[target_stmt.file].text[target_stmt.span.start..close];
    let body_start = table_text.find('(').map(|i| i + 1).unwrap_or(0);
    let body = &table_text[body_start..];
    let last = body.trim_end();
    let insert_at = target_stmt.span.start + body_start + last.len();
    let prefix = if last.trim().is_empty() {
        String::new()
    } else if let Some(nl) = last.rfind('\n') {
        // Indent like the last element line (pg_dump uses four spaces).
        let line = &last[nl + 1..];
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        format!(",\n{indent}")
    } else {
        ", ".to_string()
    };
    let insert = format!("{prefix}{def}");

    let phase = target_stmt.phase;
    ir.stmts[target].add_code(code);
    let t = &mut ir.stmts[holder];
    t.folds.push(Fold { edit: t.edits.len(), source: id, prefix });
    t.edits.push(Edit { span: Span::new(insert_at, insert_at), insert });
    t.fate = Fate::Rewritten;
    t.add_code(code);
    let s = &mut ir.stmts[id];
    s.fate = Fate::Merged;
    s.merged_into = Some(target);
    s.phase = phase;
    s.add_code(code);
    Ok(true)
}

/// After a rewrite of a folded constraint's own statement, write its current text into the
/// statement it was folded into.
pub fn refresh_fold(ir: &mut Ir, source: StmtId, env: &ActionEnv) {
    let Some(target) = ir.stmts[source].merged_into else { return };
    let holder = ir.stmts[target].element_of.unwrap_or(target);
    let m = &ir.stmts[source];
    let Detail::AddConstraint { constraint, .. } = &m.detail else { return };
    let edited = crate::ir::text::statement_text(m, env.files);
    // The constraint starts at the same offset unless an edit lies before it.
    let at = m.span.start + constraint.location;
    let shift: isize =
        m.edits.iter().filter(|e| e.span.end <= at).map(|e| e.insert.len() as isize - e.span.len() as isize).sum();
    let start = ((constraint.location as isize) + shift).max(0) as usize;
    let def = edited[start.min(edited.len())..].trim_end().trim_end_matches(';').trim_end().to_string();
    let codes = m.codes.clone();
    let t = &mut ir.stmts[holder];
    if let Some(f) = t.folds.iter().find(|f| f.source == source).cloned() {
        t.edits[f.edit].insert = format!("{}{def}", f.prefix);
        for c in codes {
            t.add_code(&c);
        }
    }
}

//! `set_value` (replace the value of a setting) and `ensure_extension` (create an extension
//! before the first statement that needs it).

use crate::ir::{Edit, Fate, Ir, ObjKey, ObjKind, Prerequisite, StmtId};
use crate::rules::edit::{self, quote_ident};
use crate::source::Span;

use super::{ActionEnv, Applied};

/// Replace the value of setting `item` of statement `id` with the string `value`
/// (`SET client_encoding = 'LATIN1'` → `SET client_encoding = 'UTF8'`).
pub fn set_value(
    ir: &mut Ir,
    id: StmtId,
    item: usize,
    value: &str,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let setting = stmt.settings.get(item).ok_or("no such setting")?;
    let (first, last) = setting.value_at.ok_or("the setting has no value to replace")?;
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    let start = toks.iter().find(|t| t.start == first).ok_or("the value was not found in the statement text")?;
    let end = toks.iter().find(|t| t.start == last).ok_or("the value was not found in the statement text")?;
    let literal = format!("'{}'", value.replace('\'', "''"));
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base + start.start, base + end.end), insert: literal });
    s.add_code(a.code);
    s.fate = Fate::Rewritten;
    Ok(true)
}

/// Require `CREATE EXTENSION IF NOT EXISTS extension [WITH SCHEMA schema]` before statement `id`
/// loads. Nothing when the input creates the extension itself. The finding is reported once, at
/// the first statement (in input order) that needs it; the extension is written once, before
/// the first statement in load order that needs it ([`Ir::place_prerequisites`]).
pub fn ensure_extension(
    ir: &mut Ir,
    id: StmtId,
    extension: &str,
    schema: Option<&str>,
    a: &Applied,
) -> Result<bool, String> {
    let key = ObjKey::new(ObjKind::Extension, "", extension);
    if ir.definer(&key).is_some() {
        return Ok(false);
    }
    let with = schema.map(|s| format!(" WITH SCHEMA {}", quote_ident(s))).unwrap_or_default();
    let p = Prerequisite {
        sql: format!(
            "-- pg2znb {}: the statements below need extension {extension} on the target\n\
             CREATE EXTENSION IF NOT EXISTS {}{with};",
            a.code,
            quote_ident(extension)
        ),
        defines: Some(key),
    };
    let first = !ir.prerequisites.contains(&p);
    let s = &mut ir.stmts[id];
    s.add_code(a.code);
    if !s.requires.contains(&p) {
        s.requires.push(p.clone());
    }
    ir.prerequisites.insert(p);
    Ok(first)
}

//! Application-level facts (`ir::dml`) for every parsed statement: function calls, system
//! columns, locks, transaction control, cursors and syntax the target may not have, also inside
//! routine bodies. Three steps:
//!
//! 1. [`facts_all`]: per statement, in parallel (a complete walk of the parse tree, then the
//!    routine body for `CREATE FUNCTION … LANGUAGE plpgsql|sql` and `DO`);
//! 2. [`sequence`]: per file, in order: the search_path each statement runs under, and DDL or
//!    TRUNCATE inside `BEGIN … COMMIT`;
//! 3. [`resolve`]: once all files are lowered: whether a call is the built-in function of its
//!    name (the input may define a function with the same name on the search_path).

mod extract;
mod ffi;
mod plpgsql;
mod standin;
mod tokens;
mod walk;

use std::collections::BTreeSet;

use pg_query::protobuf::node::Node as N;
use rayon::prelude::*;

use crate::ir::dml::{ContextView, DmlFacts, DmlItem, Fact};
use crate::ir::{Ir, ObjKind};
use crate::parse::Parsed;
use crate::scan::PieceKind;
use crate::source::{SourceFile, Span};

pub use extract::SYSTEM_COLUMNS;

/// The facts of one parsed statement (`text` is its source text), or `None` when it has none.
pub fn facts(node: &N, text: &str) -> Option<Box<DmlFacts>> {
    let mut items = Vec::new();
    let mut sets_search_path = None;
    let identity = |o: usize| o;
    let scope = extract::Scope { map: &identity, context: ContextView::default(), top_level: true, variables: &[] };
    extract::extract(node, text, &scope, &mut items, &mut sets_search_path);
    plpgsql::routine(node, text, &mut items);
    items.sort_by_key(|i| (i.span.start, i.span.end));
    let f = DmlFacts { items, search_path: Vec::new(), sets_search_path };
    (!f.is_empty()).then(|| Box::new(f))
}

/// [`facts`] of every statement (`parsed[i]` is the parse of `texts[i]`), in parallel.
pub fn facts_all(parsed: &[Parsed], texts: &[&str]) -> Vec<Option<Box<DmlFacts>>> {
    parsed
        .par_iter()
        .zip(texts.par_iter())
        .map(|(p, t)| match p {
            Parsed::Ok(node) => facts(node, t),
            Parsed::Err { .. } => None,
        })
        .collect()
}

/// Statement kinds that change the schema (DDL) for "DDL inside a transaction".
fn is_ddl(kind: &str) -> bool {
    kind.starts_with("create_")
        || kind.starts_with("alter_")
        || kind.starts_with("drop")
        || matches!(kind, "rename" | "comment" | "grant" | "revoke" | "grant_role" | "security_label")
}

/// Per file, in statement order from `first`: the search_path of each statement, and DDL or
/// TRUNCATE inside an explicit transaction block (`BEGIN` … `COMMIT`/`ROLLBACK`).
pub fn sequence(ir: &mut crate::ir::Ir, first: usize, src: &SourceFile) {
    let mut path: Vec<String> = vec!["public".into()];
    // In a transaction block: the first DDL statement and how many there are.
    let mut block: Option<(Option<usize>, usize)> = None;
    // Isolation levels the file sets: the session's default, and the open block's (`None` in
    // the block: the session's).
    let mut session_iso: Option<String> = None;
    let mut block_iso: Option<Option<String>> = None;
    fn close(ir: &mut Ir, block: &mut Option<(Option<usize>, usize)>, src: &SourceFile) {
        if let Some((Some(first), count)) = block.take() {
            // As SQL words (`create_table` → `CREATE TABLE`), for messages.
            let kind = ir.stmts[first].kind.replace('_', " ").to_uppercase();
            push(ir, first, src, "ddl_in_transaction", Some(kind), count);
        }
    }
    for id in first..ir.stmts.len() {
        // Elements of CREATE SCHEMA are part of it (its one statement counts).
        if ir.stmts[id].piece != PieceKind::Statement || ir.stmts[id].parse_error || ir.stmts[id].element_of.is_some() {
            continue;
        }
        let kind = ir.stmts[id].kind.clone();
        let control: Vec<(String, Option<String>)> = ir.stmts[id]
            .dml
            .iter()
            .flat_map(|d| d.items.iter())
            .filter(|i| i.context.routine.is_none())
            .filter_map(|i| match &i.fact {
                Fact::Transaction(t) => Some((t.kind.clone(), t.isolation.clone())),
                _ => None,
            })
            .collect();
        let isolation = match &block_iso {
            Some(b) => b.clone().or_else(|| session_iso.clone()),
            None => session_iso.clone(),
        };
        if let Some(d) = ir.stmts[id].dml.as_mut() {
            for item in d.items.iter_mut().filter(|i| i.context.routine.is_none()) {
                if let Fact::SelectLocking(l) = &mut item.fact {
                    l.isolation.clone_from(&isolation);
                }
            }
        }
        if kind == "truncate" && block.is_some() {
            push(ir, id, src, "truncate_in_transaction", None, 1);
        } else if is_ddl(&kind) {
            if let Some((first_ddl, count)) = block.as_mut() {
                first_ddl.get_or_insert(id);
                *count += 1;
            }
        }
        for (c, iso) in &control {
            match c.as_str() {
                "begin" => {
                    close(ir, &mut block, src);
                    block = Some((None, 0));
                    block_iso = Some(iso.clone());
                }
                "commit" | "rollback" | "prepare" => {
                    close(ir, &mut block, src);
                    block_iso = None;
                }
                "set_transaction" if iso.is_some() => {
                    if let Some(b) = block_iso.as_mut() {
                        b.clone_from(iso);
                    }
                }
                // ALTER DATABASE/ROLE … SET default_transaction_isolation is for later sessions.
                "set_session" | "set_default" if iso.is_some() && kind == "set" => {
                    session_iso.clone_from(iso);
                }
                _ => {}
            }
        }
        if let Some(d) = ir.stmts[id].dml.as_mut() {
            d.search_path = path.clone();
            if let Some(p) = &d.sets_search_path {
                path = p.clone();
            }
        }
    }
    close(ir, &mut block, src);
}

fn push(ir: &mut Ir, id: usize, src: &SourceFile, kind: &str, detail: Option<String>, count: usize) {
    let st = &mut ir.stmts[id];
    let text = src.slice(st.span);
    let end = tokens::word_end(text, 0);
    let mut fact = Fact::construct(kind, detail);
    if let Fact::Construct(c) = &mut fact {
        c.count = count;
    }
    let item = DmlItem { fact, span: Span::new(0, end), context: ContextView::default(), fix: None };
    st.dml.get_or_insert_with(Default::default).items.push(item);
}

/// Decide `builtin` for every call: a call is the built-in function of its name when qualified
/// with `pg_catalog`, or unqualified while no schema on its search_path has a function of that
/// name defined in the input (a user's `app.xpath` is not the XML function).
pub fn resolve(ir: &mut Ir) {
    let defined: BTreeSet<(String, String)> = ir
        .stmts
        .iter()
        .flat_map(|s| s.defines.iter())
        .filter(|k| k.kind == ObjKind::Function)
        .map(|k| (k.schema.clone(), k.name.clone()))
        .collect();
    for st in ir.stmts.iter_mut() {
        let Some(d) = st.dml.as_mut() else { continue };
        let path = d.search_path.clone();
        for item in d.items.iter_mut() {
            if let Fact::Call(c) = &mut item.fact {
                if c.syntax {
                    c.builtin = true;
                    continue;
                }
                c.builtin = match &c.schema {
                    Some(s) => s == "pg_catalog",
                    None => !path.iter().any(|p| defined.contains(&(p.clone(), c.name.clone()))),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! `partition_triggers`: a row trigger on a partitioned table becomes the same trigger on each
//! leaf partition (ZNbaseDB supports BEFORE ROW triggers on partitioned tables from 2.25).

use std::collections::BTreeMap;

use crate::ir::change::{ChangeKind, ManifestChange, ObjectKind};
use crate::ir::{Detail, Edit, Fate, Ir, ObjKey, ObjKind, StmtId};
use crate::rules::edit;

use super::generated::quote_ident;
use super::{ActionEnv, Applied};

/// Parent (`schema.name`) → its partitions, from `PARTITION OF` and `ATTACH PARTITION`.
fn partition_tree(ir: &Ir) -> BTreeMap<String, Vec<String>> {
    let mut tree: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in ir.stmts.iter().filter(|s| s.fate != Fate::Dropped) {
        match &s.detail {
            Detail::CreateTable(t) => {
                if let Some(p) = &t.partition_of {
                    tree.entry(p.clone()).or_default().push(format!("{}.{}", t.schema, t.name));
                }
            }
            _ if s.kind == "alter_table" => {
                if let Some(parent) = &s.object {
                    for c in s.commands.iter().filter(|c| c.kind == "attach_partition") {
                        if let Some(child) = &c.name {
                            tree.entry(parent.display()).or_default().push(child.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for v in tree.values_mut() {
        v.sort();
        v.dedup();
    }
    tree
}

/// Leaf partitions below `parent`, in name order.
fn leaves(tree: &BTreeMap<String, Vec<String>>, parent: &str, out: &mut Vec<String>, depth: usize) {
    for child in tree.get(parent).into_iter().flatten() {
        if depth < 32 && tree.contains_key(child) {
            leaves(tree, child, out, depth + 1);
        } else {
            out.push(child.clone());
        }
    }
}

fn qualified(name: &str) -> String {
    match name.split_once('.') {
        Some((s, n)) => format!("{}.{}", quote_ident(s), quote_ident(n)),
        None => quote_ident(name),
    }
}

pub fn partition_triggers(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::CreateTrigger(t) = &stmt.detail else { return Err("not a CREATE TRIGGER".into()) };
    let parent = format!("{}.{}", t.schema, t.table);
    let mut parts = Vec::new();
    leaves(&partition_tree(ir), &parent, &mut parts, 0);
    if parts.is_empty() {
        return Err("the input creates no partitions of the table".into());
    }
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    let on = toks.iter().position(|k| k.upper == "ON" && k.depth == 0).ok_or("ON <table> not found")?;
    let end = edit::skip_name(&toks, on + 1);
    if end == on + 1 {
        return Err("ON <table> not found".into());
    }
    let (rel_start, rel_end) = (toks[on + 1].start, toks[end - 1].end);
    let body = text.trim_end().trim_end_matches(';');
    let mut out = format!(
        "-- pg2znb {}: trigger {} on each partition of {parent} (row triggers on a partitioned table need 2.25)\n",
        a.code, t.name
    );
    let copies: Vec<String> =
        parts.iter().map(|p| format!("{}{}{};", &body[..rel_start], qualified(p), &body[rel_end..])).collect();
    out.push_str(&copies.join("\n\n"));
    let (name, schema, table) = (t.name.clone(), t.schema.clone(), t.table.clone());
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: crate::source::Span::new(base, base + text.len()), insert: out });
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    let keys: Vec<ObjKey> = parts
        .iter()
        .map(|p| {
            let (ps, pn) = p.split_once('.').unwrap_or(("public", p));
            ObjKey::on_table(ObjKind::Trigger, ps, pn, &name)
        })
        .collect();
    s.changes.push(ManifestChange {
        kind: ObjectKind::Trigger,
        schema: Some(schema),
        name,
        table: Some(table),
        change: ChangeKind::Dropped,
        codes: vec![a.code.to_string()],
        detail: format!("created on each of {} partitions instead", parts.len()),
    });
    for k in keys {
        ir.add_definition(id, k);
    }
    Ok(true)
}

//! The application node kinds (see `ir::dml`): one value per occurrence, each with its own
//! position, so a finding points at the offending token rather than at the whole statement.
//!
//! | node | fields |
//! |---|---|
//! | `call` | `call.{schema, name, qualified, builtin, args, syntax}` |
//! | `system_column` | `column.{name, qualifier}` |
//! | `lock` | `lock.{mode, mode_sql, nowait}` |
//! | `transaction` | `transaction.{kind, isolation, isolation_sql}` |
//! | `select_locking` | `locking.{strength, strength_sql, nowait, skip_locked}` |
//! | `cursor` | `cursor.{kind, scroll, direction, count, construct}` |
//! | `construct` | `construct.{kind, detail, count, jsonb, assignment}` |
//!
//! Every one also has `context.{routine, dynamic}`: the routine whose body holds the occurrence
//! (`null` at top level) and whether it is inside a literal `EXECUTE '…'` string.

use serde::Serialize;
use serde_json::{json, Value};

use super::nodes::{NodeKind, Part};
use crate::ir::dml::{
    CallView, ConstructView, ContextView, CursorView, Fact, LockView, LockingView, SubscriptBase, SystemColumnView,
    TransactionView,
};
use crate::ir::{ObjKey, Stmt, TableView};
use crate::source::Span;

/// Functions that return `jsonb`, for deciding that `f(…)['key']` subscripts jsonb.
const JSONB_FUNCTIONS: &[&str] = &[
    "jsonb_build_object",
    "jsonb_build_array",
    "jsonb_object",
    "to_jsonb",
    "jsonb_set",
    "jsonb_set_lax",
    "jsonb_insert",
    "jsonb_strip_nulls",
    "jsonb_agg",
    "jsonb_object_agg",
    "jsonb_extract_path",
    "jsonb_path_query",
    "jsonb_path_query_first",
    "jsonb_path_query_array",
    "jsonb_concat",
];

pub fn is_dml(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Call
            | NodeKind::SystemColumn
            | NodeKind::Lock
            | NodeKind::Transaction
            | NodeKind::SelectLocking
            | NodeKind::Cursor
            | NodeKind::Construct
    )
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("views serialize")
}

/// The node's own fields (without `statement`, `target` and `options`, which every node has).
pub fn skeleton(kind: NodeKind) -> Value {
    let context = to_value(&ContextView::default());
    match kind {
        NodeKind::Call => json!({ "call": to_value(&CallView::default()), "context": context }),
        NodeKind::SystemColumn => json!({ "column": to_value(&SystemColumnView::default()), "context": context }),
        NodeKind::Lock => json!({ "lock": to_value(&LockView::default()), "context": context }),
        NodeKind::Transaction => json!({ "transaction": to_value(&TransactionView::default()), "context": context }),
        NodeKind::SelectLocking => json!({ "locking": to_value(&LockingView::default()), "context": context }),
        NodeKind::Cursor => json!({ "cursor": to_value(&CursorView::default()), "context": context }),
        NodeKind::Construct => json!({ "construct": to_value(&ConstructView::default()), "context": context }),
        _ => json!({}),
    }
}

/// One value per occurrence of the node kind in `stmt`: `(index in stmt.dml.items, value)`.
pub(crate) fn parts<'a>(
    kind: NodeKind,
    stmt: &'a Stmt,
    tables: &super::nodes::Tables,
) -> Vec<(usize, super::nodes::Parts<'a>)> {
    let Some(d) = stmt.dml.as_deref() else { return Vec::new() };
    let mut out = Vec::new();
    for (i, item) in d.items.iter().enumerate() {
        let (name, part): (&'static str, Part<'a>) = match (kind, &item.fact) {
            (NodeKind::Call, Fact::Call(c)) => ("call", Part::Ref(c)),
            (NodeKind::SystemColumn, Fact::SystemColumn(c)) => ("column", Part::Ref(c)),
            (NodeKind::Lock, Fact::Lock(l)) => ("lock", Part::Ref(l)),
            (NodeKind::Transaction, Fact::Transaction(t)) => ("transaction", Part::Ref(t)),
            (NodeKind::SelectLocking, Fact::SelectLocking(l)) => ("locking", Part::Ref(l)),
            (NodeKind::Cursor, Fact::Cursor(c)) => ("cursor", Part::Ref(c)),
            (NodeKind::Construct, Fact::Construct(c)) if c.kind == "subscript" => {
                let mut c = c.clone();
                c.jsonb = is_jsonb(&c.base, &d.search_path, tables, stmt.id);
                ("construct", Part::Owned(Box::new(c)))
            }
            (NodeKind::Construct, Fact::Construct(c)) => ("construct", Part::Ref(c)),
            _ => continue,
        };
        out.push((i, smallvec::smallvec![(name, part), ("context", Part::Ref(&item.context))]));
    }
    out
}

/// The absolute span of occurrence `item` of `stmt`.
pub fn item_span(kind: NodeKind, stmt: &Stmt, item: usize) -> Option<Span> {
    if !is_dml(kind) {
        return None;
    }
    let span = stmt.dml.as_deref()?.items.get(item)?.span;
    let base = stmt.span.start;
    Some(Span::new(base + span.start, base + span.end.max(span.start)))
}

/// Whether the subscripted value is known to be jsonb.
fn is_jsonb(base: &SubscriptBase, path: &[String], tables: &super::nodes::Tables, at: crate::ir::StmtId) -> bool {
    match base {
        SubscriptBase::Unknown => false,
        SubscriptBase::JsonbCast => true,
        SubscriptBase::Function(f) => JSONB_FUNCTIONS.contains(&f.as_str()),
        SubscriptBase::Column { qualifier, name, relations } => {
            let table = |schema: &Option<String>, rel: &str| -> Option<&TableView> {
                match schema {
                    Some(s) => tables.live(&ObjKey::relation(s, rel), at),
                    None => path.iter().find_map(|p| tables.live(&ObjKey::relation(p, rel), at)),
                }
            };
            relations
                .iter()
                .filter(|(alias, _, _)| qualifier.as_ref().is_none_or(|q| q == alias))
                .filter_map(|(_, schema, rel)| table(schema, rel))
                .find_map(|t| t.columns.iter().find(|c| &c.name == name))
                .is_some_and(|c| c.base_type == "jsonb" && !c.array)
        }
    }
}

//! The node kinds a rule can match, their fields (for checking rule files) and their values
//! (for evaluating a rule against a statement).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::ir::{ConstraintView, Detail, IndexView, Ir, ObjKey, Stmt, TableView, TriggerView};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// `ALTER TABLE … ADD CONSTRAINT …`: `table`, `constraint`, `only`, `single_command`.
    AddConstraint,
    /// `CREATE TABLE`: `table`.
    CreateTable,
    /// `CREATE INDEX`: `index`, `table`.
    CreateIndex,
    /// `CREATE TRIGGER`: `trigger`, `table`.
    CreateTrigger,
    /// Any statement: `statement`.
    Statement,
}

pub const NODE_NAMES: &[(&str, NodeKind)] = &[
    ("alter_table.add_constraint", NodeKind::AddConstraint),
    ("create_table", NodeKind::CreateTable),
    ("create_index", NodeKind::CreateIndex),
    ("create_trigger", NodeKind::CreateTrigger),
    ("statement", NodeKind::Statement),
];

impl NodeKind {
    pub fn parse(name: &str) -> Option<NodeKind> {
        NODE_NAMES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// Every field of the node with an example value; paths in rules must exist here.
    pub fn skeleton(self) -> Value {
        let table = serde_json::to_value(TableView::default()).unwrap();
        let mut v = match self {
            NodeKind::AddConstraint => json!({
                "table": table,
                "constraint": serde_json::to_value(ConstraintView::default()).unwrap(),
                "only": false,
                "single_command": true,
            }),
            NodeKind::CreateTable => json!({ "table": table }),
            NodeKind::CreateIndex => json!({
                "index": serde_json::to_value(IndexView::default()).unwrap(),
                "table": table,
            }),
            NodeKind::CreateTrigger => json!({
                "trigger": serde_json::to_value(TriggerView::default()).unwrap(),
                "table": table,
            }),
            NodeKind::Statement => json!({}),
        };
        v["statement"] = json!({ "kind": "", "parse_error": false, "data": false });
        v["target"] = json!({ "version": "" });
        v
    }
}

/// Tables the input defines, by key: the facts rules see as `table`.
pub fn tables(ir: &Ir) -> BTreeMap<ObjKey, TableView> {
    let mut out = BTreeMap::new();
    for s in &ir.stmts {
        if let (Detail::CreateTable(t), Some(key)) = (&s.detail, &s.object) {
            out.entry(key.clone()).or_insert_with(|| t.clone());
        }
    }
    out
}

/// The node's value for `stmt`, when the statement is of that kind.
pub fn value(kind: NodeKind, stmt: &Stmt, tables: &BTreeMap<ObjKey, TableView>, target: &str) -> Option<Value> {
    let table_of = |schema: &str, name: &str| {
        tables.get(&ObjKey::relation(schema, name)).map(|t| serde_json::to_value(t).unwrap()).unwrap_or(Value::Null)
    };
    let mut v = match (kind, &stmt.detail) {
        (NodeKind::AddConstraint, Detail::AddConstraint { table, only, constraint, single_command, .. }) => json!({
            "table": table_of(&table.schema, &table.name),
            "constraint": serde_json::to_value(constraint).unwrap(),
            "only": only,
            "single_command": single_command,
        }),
        (NodeKind::CreateTable, Detail::CreateTable(t)) => json!({ "table": serde_json::to_value(t).unwrap() }),
        (NodeKind::CreateIndex, Detail::CreateIndex(i)) => json!({
            "index": serde_json::to_value(i).unwrap(),
            "table": table_of(&i.schema, &i.table),
        }),
        (NodeKind::CreateTrigger, Detail::CreateTrigger(t)) => json!({
            "trigger": serde_json::to_value(t).unwrap(),
            "table": table_of(&t.schema, &t.table),
        }),
        (NodeKind::Statement, _) => json!({}),
        _ => return None,
    };
    v["statement"] = json!({ "kind": stmt.kind, "parse_error": stmt.parse_error, "data": stmt.is_data });
    v["target"] = json!({ "version": target });
    Some(v)
}

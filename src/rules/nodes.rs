//! The node kinds a rule can match, their fields (for checking rule files) and their values
//! (for evaluating a rule against a statement). Some nodes are items inside a statement (a
//! column, a constraint, an ALTER TABLE subcommand): a statement then yields one value per item.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::ir::{
    ColumnView, CommandView, ConstraintView, Detail, FunctionView, IndexView, Ir, ObjKey, SequenceView, Stmt,
    TableView, TriggerView, ViewView,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// `ALTER TABLE … ADD CONSTRAINT …`: `table`, `constraint`, `only`, `single_command`.
    AddConstraint,
    /// One subcommand of `ALTER TABLE`: `table`, `command`, `only`, `single_command`.
    AlterCommand,
    /// `CREATE TABLE`: `table`.
    CreateTable,
    /// One column of a `CREATE TABLE`: `table`, `column`.
    Column,
    /// A constraint, inline in CREATE TABLE or added by ALTER TABLE: `table`, `constraint`.
    Constraint,
    /// `CREATE INDEX`: `index`, `table`.
    CreateIndex,
    /// `CREATE TRIGGER`: `trigger`, `table`.
    CreateTrigger,
    /// `CREATE FUNCTION` / `CREATE PROCEDURE`: `function`.
    CreateFunction,
    /// `CREATE VIEW` / `CREATE MATERIALIZED VIEW`: `view`.
    CreateView,
    /// `CREATE SEQUENCE`: `sequence`.
    CreateSequence,
    /// `CREATE EXTENSION`: `extension`.
    CreateExtension,
    /// Any statement: `statement`.
    Statement,
    // Application nodes (`rules::dml`): one value per occurrence, with its own position.
    /// A function call or call-like syntax: `call`, `context`.
    Call,
    /// A system column reference: `column`, `context`.
    SystemColumn,
    /// `LOCK TABLE`: `lock`, `context`.
    Lock,
    /// Transaction control and isolation: `transaction`, `context`.
    Transaction,
    /// `SELECT … FOR UPDATE/SHARE`: `locking`, `context`.
    SelectLocking,
    /// Scrollable cursors, backward FETCH/MOVE, WHERE CURRENT OF: `cursor`, `context`.
    Cursor,
    /// Other syntax (MERGE, subscripts, CTE materialization, LISTEN, …): `construct`, `context`.
    Construct,
}

pub const NODE_NAMES: &[(&str, NodeKind)] = &[
    ("alter_table.add_constraint", NodeKind::AddConstraint),
    ("alter_table.command", NodeKind::AlterCommand),
    ("create_table", NodeKind::CreateTable),
    ("column", NodeKind::Column),
    ("constraint", NodeKind::Constraint),
    ("create_index", NodeKind::CreateIndex),
    ("create_trigger", NodeKind::CreateTrigger),
    ("create_function", NodeKind::CreateFunction),
    ("create_view", NodeKind::CreateView),
    ("create_sequence", NodeKind::CreateSequence),
    ("create_extension", NodeKind::CreateExtension),
    ("statement", NodeKind::Statement),
    ("call", NodeKind::Call),
    ("system_column", NodeKind::SystemColumn),
    ("lock", NodeKind::Lock),
    ("transaction", NodeKind::Transaction),
    ("select_locking", NodeKind::SelectLocking),
    ("cursor", NodeKind::Cursor),
    ("construct", NodeKind::Construct),
];

/// What every node also has: the statement, the target and the command-line options.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Env {
    pub target: String,
    pub no_owner: bool,
    pub no_privileges: bool,
    pub shard_hints: bool,
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("views serialize")
}

/// The table as item nodes (column, constraint, subcommand, index, trigger) see it: without
/// its `columns` and `constraints` lists, which would make every item carry the whole table.
fn slim(t: &TableView) -> Value {
    let mut v = to_value(t);
    if let Value::Object(m) = &mut v {
        m.remove("columns");
        m.remove("constraints");
    }
    v
}

#[derive(Serialize, Default)]
struct ExtensionView {
    name: String,
}

#[derive(Serialize, Default)]
struct StatementView {
    kind: String,
    parse_error: bool,
    data: bool,
    /// Name of the main object, `schema.name`.
    object: Option<String>,
    /// Roles named by the statement (owners, grantees, policy roles).
    roles: Vec<String>,
    /// Top-level `name = value` options; read them with `get(statement.options, "name")`.
    options: BTreeMap<String, String>,
    /// Elements of `CREATE SCHEMA s CREATE TABLE …`.
    schema_elements: usize,
    /// Folded into another statement by an earlier rule (e.g. a primary key into its CREATE
    /// TABLE). Set when the rule is evaluated, since earlier rules decide it.
    merged: bool,
}

impl NodeKind {
    pub fn parse(name: &str) -> Option<NodeKind> {
        NODE_NAMES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// Every field of the node with an example value; paths in rules must exist here.
    pub fn skeleton(self) -> Value {
        let full = to_value(&TableView::default());
        let table = slim(&TableView::default());
        let mut v = match self {
            NodeKind::AddConstraint => json!({
                "table": table,
                "constraint": to_value(&ConstraintView::default()),
                "only": false,
                "single_command": true,
            }),
            NodeKind::AlterCommand => json!({
                "table": table,
                "command": to_value(&CommandView::default()),
                "only": false,
                "single_command": true,
            }),
            NodeKind::CreateTable => json!({ "table": full }),
            NodeKind::Column => json!({ "table": table, "column": to_value(&ColumnView::default()) }),
            NodeKind::Constraint => json!({ "table": table, "constraint": to_value(&ConstraintView::default()) }),
            NodeKind::CreateIndex => json!({ "index": to_value(&IndexView::default()), "table": table }),
            NodeKind::CreateTrigger => json!({ "trigger": to_value(&TriggerView::default()), "table": table }),
            NodeKind::CreateFunction => json!({ "function": to_value(&FunctionView::default()) }),
            NodeKind::CreateView => json!({ "view": to_value(&ViewView::default()) }),
            NodeKind::CreateSequence => json!({ "sequence": to_value(&SequenceView::default()) }),
            NodeKind::CreateExtension => json!({ "extension": to_value(&ExtensionView::default()) }),
            NodeKind::Statement => json!({}),
            k => super::dml::skeleton(k),
        };
        v["statement"] = to_value(&StatementView::default());
        v["target"] = json!({ "version": "" });
        v["options"] = json!({ "no_owner": false, "no_privileges": false, "shard_hints": false });
        v
    }
}

/// Tables the input defines, by key: the facts rules see as `table`.
pub fn tables(ir: &Ir) -> BTreeMap<ObjKey, TableView> {
    let mut out: BTreeMap<ObjKey, TableView> = BTreeMap::new();
    for s in &ir.stmts {
        if let (Detail::CreateTable(t), Some(key)) = (&s.detail, &s.object) {
            out.entry(key.clone()).or_insert_with(|| t.clone());
        }
    }
    // Facts that other statements add: keys folded later, partitions attached later.
    for s in &ir.stmts {
        if let Detail::AddConstraint { table, constraint, .. } = &s.detail {
            if constraint.kind == "primary_key" {
                if let Some(t) = out.get_mut(table) {
                    t.has_primary_key = true;
                    t.primary_key = constraint.columns.clone();
                }
            }
        }
        if s.kind == "alter_table" && s.commands.iter().any(|c| c.kind == "attach_partition") {
            let attached: Vec<ObjKey> = s.refs.iter().filter(|r| Some(*r) != s.object.as_ref()).cloned().collect();
            for r in attached {
                if let Some(t) = out.get_mut(&r) {
                    t.partition = true;
                }
            }
        }
    }
    out
}

/// Where item `item` of `stmt` is, when the node kind gives each item its own position
/// (application nodes); `None`: the statement's span.
pub fn item_span(kind: NodeKind, stmt: &Stmt, item: usize) -> Option<crate::source::Span> {
    super::dml::item_span(kind, stmt, item)
}

fn roles(stmt: &Stmt) -> Vec<String> {
    stmt.roles.clone()
}

/// The node's values for `stmt`: one per item (`(item index, value)`), none when the
/// statement is not of that kind.
pub fn values(kind: NodeKind, stmt: &Stmt, tables: &BTreeMap<ObjKey, TableView>, env: &Env) -> Vec<(usize, Value)> {
    let table_of = |key: &ObjKey| tables.get(key).map(slim).unwrap_or(Value::Null);
    let rel = |schema: &str, name: &str| ObjKey::relation(schema, name);
    let mut out: Vec<(usize, Value)> = match (kind, &stmt.detail) {
        (NodeKind::AddConstraint, Detail::AddConstraint { table, only, constraint, single_command }) => vec![(
            0,
            json!({
                "table": table_of(table),
                "constraint": to_value(&resolve(constraint, tables.get(table), tables)),
                "only": only,
                "single_command": single_command,
            }),
        )],
        (NodeKind::AlterCommand, _) if !stmt.commands.is_empty() => {
            let table = stmt
                .object
                .as_ref()
                .map(|o| table_of(&ObjKey::relation(&o.schema, o.table.as_ref().unwrap_or(&o.name))))
                .unwrap_or(Value::Null);
            let only = matches!(&stmt.detail, Detail::AddConstraint { only: true, .. }) || stmt_only(stmt);
            stmt.commands
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    (
                        i,
                        json!({
                            "table": table,
                            "command": to_value(c),
                            "only": only,
                            "single_command": stmt.commands.len() == 1,
                        }),
                    )
                })
                .collect()
        }
        // The table as the whole input describes it (keys added later by ALTER TABLE included).
        (NodeKind::CreateTable, Detail::CreateTable(t)) => {
            let known = stmt.object.as_ref().and_then(|k| tables.get(k)).unwrap_or(t);
            vec![(0, json!({ "table": to_value(known) }))]
        }
        (NodeKind::Column, Detail::CreateTable(t)) => {
            let table = slim(t);
            t.columns.iter().enumerate().map(|(i, c)| (i, json!({ "table": table, "column": to_value(c) }))).collect()
        }
        (NodeKind::Constraint, Detail::CreateTable(t)) => {
            let table = slim(t);
            t.constraints
                .iter()
                .enumerate()
                .map(|(i, c)| (i, json!({ "table": table, "constraint": to_value(c) })))
                .collect()
        }
        (NodeKind::Constraint, Detail::AddConstraint { table, constraint, .. }) => {
            vec![(0, json!({ "table": table_of(table), "constraint": to_value(constraint) }))]
        }
        (NodeKind::CreateIndex, Detail::CreateIndex(i)) => {
            let table = tables.get(&rel(&i.schema, &i.table));
            let mut view = i.clone();
            if let Some(t) = table {
                view.column_types = i
                    .columns
                    .iter()
                    .filter_map(|c| t.columns.iter().find(|tc| &tc.name == c))
                    .map(|tc| if tc.array { "array".to_string() } else { tc.base_type.clone() })
                    .collect();
            }
            vec![(0, json!({ "index": to_value(&view), "table": table.map(slim).unwrap_or(Value::Null) }))]
        }
        (NodeKind::CreateTrigger, Detail::CreateTrigger(t)) => {
            vec![(0, json!({ "trigger": to_value(t), "table": table_of(&rel(&t.schema, &t.table)) }))]
        }
        (NodeKind::CreateFunction, Detail::CreateFunction(f)) => vec![(0, json!({ "function": to_value(f) }))],
        (NodeKind::CreateView, Detail::CreateView(v)) => vec![(0, json!({ "view": to_value(v) }))],
        (NodeKind::CreateSequence, Detail::CreateSequence(s)) => vec![(0, json!({ "sequence": to_value(s) }))],
        (NodeKind::CreateExtension, Detail::CreateExtension { name }) => {
            vec![(0, json!({ "extension": to_value(&ExtensionView { name: name.clone() }) }))]
        }
        (NodeKind::Statement, _) => vec![(0, json!({}))],
        (k, _) if super::dml::is_dml(k) => super::dml::values(k, stmt, tables),
        _ => Vec::new(),
    };
    let statement = to_value(&StatementView {
        kind: stmt.kind.clone(),
        parse_error: stmt.parse_error,
        data: stmt.is_data,
        object: stmt.object.as_ref().map(|o| o.display()),
        roles: roles(stmt),
        options: stmt.options.clone(),
        schema_elements: stmt.schema_elements,
        merged: false,
    });
    for (_, v) in out.iter_mut() {
        v["statement"] = statement.clone();
        v["target"] = json!({ "version": env.target });
        v["options"] =
            json!({ "no_owner": env.no_owner, "no_privileges": env.no_privileges, "shard_hints": env.shard_hints });
    }
    out
}

/// Fill in what a constraint's facts need from other statements: its key columns' types and
/// whether a foreign key's referenced table is partitioned.
fn resolve(c: &ConstraintView, table: Option<&TableView>, tables: &BTreeMap<ObjKey, TableView>) -> ConstraintView {
    let mut c = c.clone();
    if let Some(t) = table {
        c.column_types = c
            .columns
            .iter()
            .filter_map(|n| t.columns.iter().find(|tc| &tc.name == n))
            .map(|tc| if tc.array { "array".to_string() } else { tc.base_type.clone() })
            .collect();
    }
    if let Some(r) = &c.references {
        let (schema, name) = r.split_once('.').unwrap_or(("public", r));
        c.references_partitioned = tables.get(&ObjKey::relation(schema, name)).is_some_and(|t| t.partitioned);
    }
    c
}

fn stmt_only(stmt: &Stmt) -> bool {
    stmt.only
}

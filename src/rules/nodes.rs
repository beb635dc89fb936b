//! The node kinds a rule can match, their fields (for checking rule files) and their values
//! (for evaluating a rule against a statement). Some nodes are items inside a statement (a
//! column, a constraint, an ALTER TABLE subcommand): a statement then yields one value per item.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use rayon::prelude::*;
use smallvec::{smallvec, SmallVec};

use super::expr::lookup;
use super::pick;

use crate::ir::{
    ColumnView, CommandView, ConstraintView, Detail, ExprType, FunctionView, IndexView, Ir, ObjKey, SequenceView,
    SettingView, Stmt, StmtId, TableView, TriggerView, TypeDef, TypeRef, ViewView,
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
    /// One run-time setting a statement sets or resets (SET, RESET, set_config, ALTER DATABASE
    /// | ROLE | FUNCTION … SET, CREATE FUNCTION … SET): `setting`.
    Setting,
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
    ("setting", NodeKind::Setting),
    ("call", NodeKind::Call),
    ("system_column", NodeKind::SystemColumn),
    ("lock", NodeKind::Lock),
    ("transaction", NodeKind::Transaction),
    ("select_locking", NodeKind::SelectLocking),
    ("cursor", NodeKind::Cursor),
    ("construct", NodeKind::Construct),
];

/// What every node also has: the statement, the target and the command-line options.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub target: String,
    /// The target's PostgreSQL base (`11.2`, `15`), from `rules/targets.yaml`.
    pub postgres: String,
    /// The settings that base knows (lowercase); `None` when no list ships for it.
    pub settings: Option<std::sync::Arc<std::collections::BTreeSet<String>>>,
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
    /// Top-level `name = value` options (CREATE DATABASE/TABLE/INDEX/…, ALTER DATABASE); `concurrently`
    /// for `DROP … CONCURRENTLY`. Read them with `get(statement.options, "name")`.
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
            NodeKind::Setting => json!({ "setting": to_value(&SettingView::default()) }),
            k => super::dml::skeleton(k),
        };
        v["statement"] = to_value(&StatementView::default());
        v["target"] = json!({ "version": "", "postgres": "" });
        v["options"] = json!({ "no_owner": false, "no_privileges": false, "shard_hints": false });
        v
    }
}

/// Tables the input defines: the facts rules see as `table`. A name means the definition live
/// at the statement that uses it (a table dropped and created again is two tables; a temporary
/// table is not the permanent one of the same name), so each CREATE TABLE has its own view,
/// completed by what later statements add while it is live (keys folded later, partitions
/// attached later).
#[derive(Default)]
pub struct Tables {
    views: Vec<TableView>,
    /// The view of each CREATE TABLE statement.
    by_stmt: BTreeMap<StmtId, usize>,
    /// Each key's definitions, in input order: (statement, view).
    defs: BTreeMap<ObjKey, Vec<(StmtId, usize)>>,
    /// Where each key is dropped (`DROP TABLE`), in input order.
    drops: BTreeMap<ObjKey, Vec<StmtId>>,
}

impl Tables {
    /// The definition of `key` live at statement `at`: the last one before it unless dropped
    /// since; else the first after it (a name used before its definition, as hand-written
    /// scripts do with foreign keys); else the last one.
    fn live_index(&self, key: &ObjKey, at: StmtId) -> Option<usize> {
        let defs = self.defs.get(key)?;
        let before = defs.partition_point(|&(id, _)| id <= at);
        if let Some(&(def, view)) = before.checked_sub(1).map(|i| &defs[i]) {
            let dropped = self.drops.get(key).is_some_and(|d| d.iter().any(|&x| x > def && x < at));
            if !dropped {
                return Some(view);
            }
        }
        defs.get(before).or(defs.last()).map(|&(_, view)| view)
    }

    /// The table `key` names at statement `at`.
    pub fn live(&self, key: &ObjKey, at: StmtId) -> Option<&TableView> {
        self.live_index(key, at).map(|i| &self.views[i])
    }

    /// The first definition of `key`, wherever it is used.
    pub fn get(&self, key: &ObjKey) -> Option<&TableView> {
        self.defs.get(key).and_then(|d| d.first()).map(|&(_, view)| &self.views[view])
    }

    /// The completed view of the table statement `id` creates.
    pub fn of_stmt(&self, id: StmtId) -> Option<&TableView> {
        self.by_stmt.get(&id).map(|&i| &self.views[i])
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }
}

/// Key of the table `display` (`schema.name`) names.
fn key_of_display(display: &str) -> ObjKey {
    let (schema, name) = display.split_once('.').unwrap_or(("public", display));
    ObjKey::relation(schema, name)
}

pub fn tables(ir: &Ir) -> Tables {
    let mut out = Tables::default();
    for s in &ir.stmts {
        if let (Detail::CreateTable(t), Some(key)) = (&s.detail, &s.object) {
            out.by_stmt.insert(s.id, out.views.len());
            // A duplicate definition (dropped before the rules) is not what the name means.
            if s.fate != crate::ir::Fate::Dropped {
                out.defs.entry(key.clone()).or_default().push((s.id, out.views.len()));
            }
            out.views.push((**t).clone());
        }
        // `ALTER TABLE t RENAME TO u` / `SET SCHEMA`: `u` names the table `t` named, from here on.
        if let Some((old, new)) = s.renamed_relation().filter(|_| s.fate != crate::ir::Fate::Dropped) {
            if let Some(view) = out.live_index(old, s.id) {
                out.defs.entry(new.clone()).or_default().push((s.id, view));
            }
        }
        if let Some(r) = s.redefine.as_deref() {
            for (key, _) in r.drops.iter().filter(|(k, _)| k.kind == crate::ir::ObjKind::Relation) {
                out.drops.entry(key.clone()).or_default().push(s.id);
            }
        }
    }
    if out.views.is_empty() {
        return out;
    }
    // Facts that other statements add: keys folded later, partitions attached later.
    let mut parents: Vec<(usize, usize)> = Vec::new();
    for s in &ir.stmts {
        if let Detail::AddConstraint { table, constraint, .. } = &s.detail {
            if constraint.kind == "primary_key" {
                if let Some(i) = out.live_index(table, s.id) {
                    out.views[i].has_primary_key = true;
                    out.views[i].primary_key = constraint.columns.clone();
                }
            }
        }
        // `ALTER TABLE parent ATTACH PARTITION child …`: the child is named in the subcommand.
        if s.kind == "alter_table" {
            if let Some(parent) = &s.object {
                let parent = out.live_index(&ObjKey::relation(&parent.schema, &parent.name), s.id);
                for c in s.commands.iter().filter(|c| c.kind == "attach_partition") {
                    let child = c.name.as_deref().and_then(|n| out.live_index(&key_of_display(n), s.id));
                    if let (Some(child), Some(parent)) = (child, parent) {
                        out.views[child].partition = true;
                        parents.push((child, parent));
                    }
                }
            }
        }
    }
    for t in &mut out.views {
        t.shard_key = t
            .primary_key
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} {}", if i == 0 { "HASH" } else { "ASC" }))
            .collect::<Vec<_>>()
            .join(", ");
    }
    // Keys that come from another table: a partitioned parent's, a LIKE source's.
    const LIKE_INDEXES: u32 = 1 << 6;
    for (&id, &i) in &out.by_stmt {
        let t = &out.views[i];
        if let Some(parent) = t.partition_of.as_ref().and_then(|p| out.live_index(&key_of_display(p), id)) {
            parents.push((i, parent));
        }
        for l in t.like_clauses.iter().filter(|l| l.options & LIKE_INDEXES != 0) {
            if let Some(source) = out.live_index(&l.source, id) {
                parents.push((i, source));
            }
        }
    }
    // Partitions of partitions: repeat until nothing changes (bounded by the number of links).
    for _ in 0..parents.len().min(8) {
        let mut changed = false;
        for &(child, parent) in &parents {
            let keyed = out.views[parent].has_primary_key || out.views[parent].inherited_primary_key;
            if keyed && !out.views[child].inherited_primary_key {
                out.views[child].inherited_primary_key = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// Where item `item` of `stmt` is, when the node kind gives each item its own position
/// (application nodes); `None`: the statement's span.
pub fn item_span(kind: NodeKind, stmt: &Stmt, item: usize) -> Option<crate::source::Span> {
    let absolute = |s: crate::source::Span| {
        (!s.is_empty()).then(|| crate::source::Span::new(stmt.span.start + s.start, stmt.span.start + s.end))
    };
    match (kind, &stmt.detail) {
        (NodeKind::Setting, _) => return absolute(stmt.settings.get(item)?.span),
        // A finding about a column or a table constraint points at it, not at the CREATE TABLE.
        (NodeKind::Column, Detail::CreateTable(t)) => return absolute(t.columns.get(item)?.span),
        (NodeKind::Constraint, Detail::CreateTable(t)) => return absolute(t.constraints.get(item)?.span),
        // A finding about an ALTER TABLE subcommand (a column it adds or changes) points at it.
        (NodeKind::AlterCommand, _) => return absolute(stmt.commands.get(item)?.span),
        _ => {}
    }
    super::dml::item_span(kind, stmt, item)
}

/// A setting as rules see it on the target: whether the target's base knows it.
fn setting_for(s: &SettingView, env: &Env) -> SettingView {
    let mut v = s.clone();
    v.custom = s.name.contains('.');
    v.known = v.custom || env.settings.as_ref().is_none_or(|known| known.contains(&s.name));
    v
}

fn roles(stmt: &Stmt) -> Vec<String> {
    stmt.roles.clone()
}

/// A rule node: its parts borrowed from the IR (or built for it), read field by field, so
/// evaluating a rule costs what its condition reads rather than a serialisation of every view.
pub struct Node<'a> {
    parts: Parts<'a>,
    stmt: &'a Stmt,
    /// `statement.data` as the input has it.
    data: bool,
    /// `statement.merged`: folded into another statement by an earlier rule.
    pub merged: bool,
    env: &'a Env,
}

/// A node's named parts (at most four): inline, as a node is built per candidate item and rule.
pub(crate) type Parts<'a> = SmallVec<[(&'static str, Part<'a>); 4]>;

/// Anything a path can be read from, field by field.
pub(crate) trait Pick {
    fn pick(&self, path: &[String]) -> Option<Value>;
}

impl<T: Serialize> Pick for T {
    fn pick(&self, path: &[String]) -> Option<Value> {
        get_in(self, path)
    }
}

pub(crate) enum Part<'a> {
    /// A table: `slim` hides `columns` and `constraints` (item nodes); `None` when the input does
    /// not define it (the path reads `null`).
    Table(Option<&'a TableView>, bool),
    Ref(&'a dyn Pick),
    Owned(Box<dyn Pick + 'a>),
    Bool(bool),
}

/// `path` inside `v`: only the first field is serialised.
fn get_in<T: Serialize + ?Sized>(v: &T, path: &[String]) -> Option<Value> {
    match path.split_first() {
        None => Some(to_value(&v)),
        Some((first, rest)) => get_json(pick::field(v, first)?, rest),
    }
}

fn get_json(v: Value, rest: &[String]) -> Option<Value> {
    if rest.is_empty() {
        Some(v)
    } else {
        lookup(&v, rest).cloned()
    }
}

impl Part<'_> {
    fn get(&self, path: &[String]) -> Option<Value> {
        match self {
            Part::Table(None, _) => path.is_empty().then_some(Value::Null),
            Part::Table(Some(t), slim) => match path.first() {
                None if *slim => Some(self::slim(t)),
                Some(f) if *slim && (f == "columns" || f == "constraints") => None,
                _ => get_in(*t, path),
            },
            Part::Ref(v) => v.pick(path),
            Part::Owned(v) => v.pick(path),
            Part::Bool(b) => path.is_empty().then_some(Value::Bool(*b)),
        }
    }
}

impl Node<'_> {
    fn statement(&self, path: &[String]) -> Option<Value> {
        let st = self.stmt;
        let Some((first, rest)) = path.split_first() else {
            return Some(to_value(&StatementView {
                kind: st.kind.clone(),
                parse_error: st.parse_error,
                data: self.data,
                object: st.object.as_ref().map(|o| o.display()),
                roles: roles(st),
                options: st.options.clone(),
                schema_elements: st.schema_elements,
                merged: self.merged,
            }));
        };
        let v = match first.as_str() {
            "kind" => Value::String(st.kind.clone()),
            "parse_error" => Value::Bool(st.parse_error),
            "data" => Value::Bool(self.data),
            "object" => st.object.as_ref().map_or(Value::Null, |o| Value::String(o.display())),
            "roles" => to_value(&st.roles),
            "options" => to_value(&st.options),
            "schema_elements" => Value::from(st.schema_elements),
            "merged" => Value::Bool(self.merged),
            _ => return None,
        };
        get_json(v, rest)
    }
}

impl super::expr::Ctx for Node<'_> {
    fn get(&self, path: &[String]) -> Option<Value> {
        let (first, rest) = path.split_first()?;
        match first.as_str() {
            "statement" => self.statement(rest),
            "target" => get_json(json!({ "version": self.env.target, "postgres": self.env.postgres }), rest),
            "options" => get_json(
                json!({
                    "no_owner": self.env.no_owner,
                    "no_privileges": self.env.no_privileges,
                    "shard_hints": self.env.shard_hints,
                }),
                rest,
            ),
            name => self.parts.iter().find(|(n, _)| *n == name).and_then(|(_, part)| part.get(rest)),
        }
    }
}

/// The nodes of kind `kind` in `stmt`: one per item (`(item index, node)`), none when the
/// statement is not of that kind. `data` is `statement.data` as the input has it.
pub fn nodes<'a>(kind: NodeKind, stmt: &'a Stmt, facts: &'a Facts, env: &'a Env, data: bool) -> Vec<(usize, Node<'a>)> {
    let tables = &facts.tables;
    let table_of = |key: &ObjKey| Part::Table(tables.live(key, stmt.id), true);
    let rel = |schema: &str, name: &str| ObjKey::relation(schema, name);
    let node = |parts: Parts<'a>| Node { parts, stmt, data, merged: false, env };
    match (kind, &stmt.detail) {
        (NodeKind::AddConstraint, Detail::AddConstraint { table, only, constraint, single_command }) => vec![(
            0,
            node(smallvec![
                ("table", table_of(table)),
                ("constraint", resolved_or(facts, stmt, constraint)),
                ("only", Part::Bool(*only)),
                ("single_command", Part::Bool(*single_command)),
            ]),
        )],
        (NodeKind::AlterCommand, _) if !stmt.commands.is_empty() => {
            let table = stmt
                .object
                .as_ref()
                .and_then(|o| tables.live(&rel(&o.schema, o.table.as_ref().unwrap_or(&o.name)), stmt.id));
            let only = matches!(&stmt.detail, Detail::AddConstraint { only: true, .. }) || stmt_only(stmt);
            stmt.commands
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    (
                        i,
                        node(smallvec![
                            ("table", Part::Table(table, true)),
                            ("command", Part::Ref(c)),
                            ("only", Part::Bool(only)),
                            ("single_command", Part::Bool(stmt.commands.len() == 1)),
                        ]),
                    )
                })
                .collect()
        }
        // The table as the whole input describes it (keys added later by ALTER TABLE included).
        (NodeKind::CreateTable, Detail::CreateTable(t)) => {
            let known = tables.of_stmt(stmt.id).unwrap_or(t);
            vec![(0, node(smallvec![("table", Part::Table(Some(known), false))]))]
        }
        (NodeKind::Column, Detail::CreateTable(t)) => t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (i, node(smallvec![("table", Part::Table(Some(t), true)), ("column", Part::Ref(c))])))
            .collect(),
        (NodeKind::Constraint, Detail::CreateTable(t)) => match facts.resolved.get(stmt.id) {
            Some(Resolved::Table(cs)) => cs.as_slice(),
            _ => t.constraints.as_slice(),
        }
        .iter()
        .enumerate()
        .map(|(i, c)| (i, node(smallvec![("table", Part::Table(Some(t), true)), ("constraint", Part::Ref(c))])))
        .collect(),
        (NodeKind::Constraint, Detail::AddConstraint { table, constraint, .. }) => {
            vec![(0, node(smallvec![("table", table_of(table)), ("constraint", resolved_or(facts, stmt, constraint))]))]
        }
        (NodeKind::CreateIndex, Detail::CreateIndex(i)) => {
            let table = tables.live(&rel(&i.schema, &i.table), stmt.id);
            vec![(0, node(smallvec![("index", resolved_or(facts, stmt, i)), ("table", Part::Table(table, true))]))]
        }
        (NodeKind::CreateTrigger, Detail::CreateTrigger(t)) => {
            vec![(0, node(smallvec![("trigger", Part::Ref(t)), ("table", table_of(&rel(&t.schema, &t.table)))]))]
        }
        (NodeKind::CreateFunction, Detail::CreateFunction(f)) => vec![(0, node(smallvec![("function", Part::Ref(f))]))],
        (NodeKind::CreateView, Detail::CreateView(v)) => vec![(0, node(smallvec![("view", Part::Ref(v))]))],
        (NodeKind::CreateSequence, Detail::CreateSequence(s)) => vec![(0, node(smallvec![("sequence", Part::Ref(s))]))],
        (NodeKind::CreateExtension, Detail::CreateExtension { name }) => {
            vec![(0, node(smallvec![("extension", Part::Owned(Box::new(ExtensionView { name: name.clone() })))]))]
        }
        (NodeKind::Statement, _) => vec![(0, node(Parts::new()))],
        (NodeKind::Setting, _) => stmt
            .settings
            .iter()
            .enumerate()
            .map(|(i, s)| (i, node(smallvec![("setting", Part::Owned(Box::new(setting_for(s, env))))])))
            .collect(),
        (k, _) if super::dml::is_dml(k) => {
            super::dml::parts(k, stmt, tables).into_iter().map(|(i, parts)| (i, node(parts))).collect()
        }
        _ => Vec::new(),
    }
}

/// What rules see beyond a statement's own views, built once per compile: the tables by key,
/// and the constraint and index views completed from other statements.
pub struct Facts {
    pub tables: Tables,
    resolved: Vec<Resolved>,
}

enum Resolved {
    None,
    /// A CREATE TABLE's constraints with their key columns' types.
    Table(Vec<ConstraintView>),
    Constraint(ConstraintView),
    Index(IndexView),
}

impl Facts {
    pub fn new(ir: &Ir) -> Facts {
        let tables = self::tables(ir);
        let types = self::types(ir);
        let functions = self::functions(ir);
        let resolved = ir
            .stmts
            .par_iter()
            .map(|s| match &s.detail {
                Detail::AddConstraint { table, constraint, .. } => {
                    Resolved::Constraint(resolve(constraint, tables.live(table, s.id), &tables, &types, s.id))
                }
                Detail::CreateTable(t) => {
                    Resolved::Table(t.constraints.iter().map(|c| resolve(c, Some(t), &tables, &types, s.id)).collect())
                }
                Detail::CreateIndex(i) => match tables.live(&ObjKey::relation(&i.schema, &i.table), s.id) {
                    Some(t) => Resolved::Index(index_types(i, Some(t), &types, &functions)),
                    None if !i.expression_types.is_empty() => Resolved::Index(index_types(i, None, &types, &functions)),
                    None => Resolved::None,
                },
                _ => Resolved::None,
            })
            .collect();
        Facts { tables, resolved }
    }
}

/// The completed view of `stmt` when [`Facts`] has one, else `own`.
fn resolved_or<'a, T: Serialize>(facts: &'a Facts, stmt: &Stmt, own: &'a T) -> Part<'a> {
    match facts.resolved.get(stmt.id) {
        Some(Resolved::Constraint(c)) => Part::Ref(c),
        Some(Resolved::Index(i)) => Part::Ref(i),
        _ => Part::Ref(own),
    }
}

/// Fill in what a constraint's facts need from other statements: its key columns' types and
/// whether a foreign key's referenced table is partitioned.
fn resolve(
    c: &ConstraintView,
    table: Option<&TableView>,
    tables: &Tables,
    types: &BTreeMap<ObjKey, TypeDef>,
    at: StmtId,
) -> ConstraintView {
    let mut c = c.clone();
    if let Some(t) = table {
        let mut out = Vec::new();
        for tc in c.columns.iter().filter_map(|n| t.columns.iter().find(|tc| &tc.name == n)) {
            let r = TypeRef { base_type: tc.base_type.clone(), array: tc.array, key: tc.type_key.clone() };
            key_types(&r, types, 0, &mut out);
        }
        c.column_types = out;
    }
    if let Some(r) = &c.references {
        let (schema, name) = r.split_once('.').unwrap_or(("public", r));
        c.references_partitioned = tables.live(&ObjKey::relation(schema, name), at).is_some_and(|t| t.partitioned);
    }
    c
}

/// The index with `column_types` filled in: its key columns' types from `table` and those of its
/// expression keys whose type is known, each resolved as a key column's is ([`key_types`]:
/// domains to their base, composites to their attributes, ranges the input defines).
fn index_types(
    i: &IndexView,
    table: Option<&TableView>,
    types: &BTreeMap<ObjKey, TypeDef>,
    functions: &Functions,
) -> IndexView {
    let mut view = i.clone();
    let column = |name: &str| {
        table.and_then(|t| t.columns.iter().find(|tc| tc.name == name)).map(|tc| TypeRef {
            base_type: tc.base_type.clone(),
            array: tc.array,
            key: tc.type_key.clone(),
        })
    };
    let mut out = Vec::new();
    for r in i.columns.iter().filter_map(|c| column(c)) {
        key_types(&r, types, 0, &mut out);
    }
    for e in &i.expression_types {
        let r = match e {
            ExprType::Type(r) => Some(r.clone()),
            ExprType::Column(c) => column(c),
            // `->` keeps json json and jsonb jsonb; on other types it is not this operator.
            ExprType::JsonPath(c) => column(c)
                .filter(|r| !r.array && matches!(r.base_type.as_str(), "json" | "jsonb"))
                .map(|r| TypeRef { key: None, ..r }),
            ExprType::Call { function, args } => functions.result(function, *args).cloned(),
        };
        if let Some(r) = r {
            key_types(&r, types, 0, &mut out);
        }
    }
    view.column_types = out;
    view
}

/// One definition of a function: its signature, how many arguments a call passes to it (fewest,
/// most: `None` for VARIADIC) and its declared result type.
type Overload = (String, usize, Option<usize>, Option<TypeRef>);

/// Functions the input defines, by key: every overload.
#[derive(Default)]
struct Functions(BTreeMap<ObjKey, Vec<Overload>>);

impl Functions {
    /// The result type of a call of `key` with `args` arguments: the one overload that takes as
    /// many (parameters with defaults may be left out, a VARIADIC one takes more; several
    /// definitions of one signature are one function); none when ambiguous.
    fn result(&self, key: &ObjKey, args: usize) -> Option<&TypeRef> {
        let mut fits =
            self.0.get(key)?.iter().filter(|(_, least, most, _)| *least <= args && most.is_none_or(|m| args <= m));
        let (signature, _, _, result) = fits.next()?;
        if fits.any(|(s, _, _, _)| s != signature) {
            return None;
        }
        result.as_ref()
    }
}

fn functions(ir: &Ir) -> Functions {
    let mut out = Functions::default();
    for s in &ir.stmts {
        if let (Detail::CreateFunction(f), Some(key)) = (&s.detail, &s.object) {
            let signature = s.redefine.as_deref().and_then(|r| r.signature.clone()).unwrap_or_default();
            let least = f.inputs.saturating_sub(f.defaults);
            let most = (!f.variadic).then_some(f.inputs);
            out.0.entry(key.clone()).or_default().push((signature, least, most, f.result.clone()));
        }
    }
    out
}

/// Types the input defines (domains, composite and range types), by key.
fn types(ir: &Ir) -> BTreeMap<ObjKey, TypeDef> {
    let mut out = BTreeMap::new();
    for s in &ir.stmts {
        if let (Detail::CreateType(t), Some(key)) = (&s.detail, &s.object) {
            out.entry(key.clone()).or_insert_with(|| (**t).clone());
        }
    }
    out
}

/// The types a key column's index sees, in `base_type` form: `array` for an array; a domain
/// resolved to its base type (`array` when that is one); a composite type as itself followed by
/// its attributes' types (an attribute of an unindexable type makes the key unindexable); a
/// range type the input defines as `range`.
fn key_types(r: &TypeRef, types: &BTreeMap<ObjKey, TypeDef>, depth: usize, out: &mut Vec<String>) {
    if r.array {
        out.push("array".to_string());
        return;
    }
    match r.key.as_ref().and_then(|k| types.get(k)).filter(|_| depth < 16) {
        Some(def) if def.kind == "domain" => match def.parts.first() {
            Some(base) => key_types(base, types, depth + 1, out),
            None => out.push(r.base_type.clone()),
        },
        Some(def) if def.kind == "range" => out.push("range".to_string()),
        Some(def) => {
            out.push(r.base_type.clone());
            for p in &def.parts {
                key_types(p, types, depth + 1, out);
            }
        }
        None => out.push(r.base_type.clone()),
    }
}

fn stmt_only(stmt: &Stmt) -> bool {
    stmt.only
}

#[cfg(test)]
mod tests {
    use crate::compile::compile;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    /// A name resolves per definition, not per spelling: a plain table is not the foreign table
    /// another file defines under the same name.
    #[test]
    fn each_create_table_is_judged_by_its_own_definition() {
        let a = SourceFile::new(
            "a.sql",
            "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw;\n\
             CREATE FOREIGN TABLE public.locations (id int) SERVER remote;\n",
        );
        let b = SourceFile::new("b.sql", "CREATE TABLE public.locations (id int PRIMARY KEY, name text);\n");
        let c = compile(vec![a, b], &RulePack::builtin().unwrap(), &Default::default());
        let found: Vec<usize> =
            c.diagnostics.iter().filter(|d| d.code == "ZN218").map(|d| d.location.unwrap().file).collect();
        assert_eq!(found, [0], "{:#?}", c.diagnostics);
    }

    /// A temporary table is not the permanent table of the same name, nor is a table created
    /// again after a DROP the one dropped.
    #[test]
    fn temporary_and_recreated_tables_are_their_own_definitions() {
        let sql = "CREATE TABLE public.p (id int);\n\
                   CREATE TABLE public.pktable (a int) INHERITS (public.p);\n\
                   CREATE TEMP TABLE pktable (id int, b int);\n\
                   INSERT INTO pktable VALUES (1, 2);\n\
                   DROP TABLE pktable;\n\
                   CREATE TABLE public.q (id int);\n\
                   DROP TABLE public.q;\n\
                   CREATE TABLE public.q (id int) INHERITS (public.p);\n";
        let c = compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default());
        let lines: Vec<usize> = c
            .diagnostics
            .iter()
            .filter(|d| d.code == "ZN202")
            .map(|d| c.files[0].line_col(d.location.unwrap().span.start).0)
            .collect();
        assert_eq!(lines, [2, 8], "{:#?}", c.diagnostics);
        let pre = &c.scripts.pre_data;
        // Rows for the temporary table load in its session (pre-data), not in data.sql's.
        assert!(pre.contains("CREATE TEMP TABLE pktable (id int, b int);\nINSERT INTO pktable"), "{pre}");
        c.check_invariants().unwrap();
    }

    /// A name written with its schema is that schema's table even while a temporary table of
    /// the same name lives; a renamed (or moved) table keeps its facts under its new name.
    #[test]
    fn qualified_names_skip_temporary_tables_and_renamed_tables_keep_their_facts() {
        let sql = "CREATE TABLE public.pktable (a int);\n\
                   CREATE TEMP TABLE pktable (id int);\n\
                   ALTER TABLE public.pktable ADD PRIMARY KEY (a);\n\
                   CREATE TABLE public.r (a int);\n\
                   ALTER TABLE public.r RENAME TO r2;\n\
                   ALTER TABLE public.r2 SET SCHEMA app;\n\
                   ALTER TABLE app.r2 ADD PRIMARY KEY (a);\n\
                   CREATE TABLE public.bare (a int);\n";
        let c = compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default());
        let keyless: Vec<usize> = c
            .diagnostics
            .iter()
            .filter(|d| d.code == "ZN706")
            .map(|d| c.files[0].line_col(d.location.unwrap().span.start).0)
            .collect();
        // public.pktable and r (as app.r2) have their keys; public.bare has none (the rule leaves
        // temporary tables alone).
        assert_eq!(keyless, [8], "{:#?}", c.diagnostics);
        c.check_invariants().unwrap();
    }
}

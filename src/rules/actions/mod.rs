//! The closed vocabulary of rewrites rules can ask for. Each action checks it can apply and
//! returns why not otherwise; rules never print SQL themselves.

mod dml;
mod generated;
mod inline;
mod like;
mod partitions;
mod schema;
mod setting;
mod shard;
mod sql_body;
mod strip;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::change::{ChangeKind, ManifestChange, ObjectKind};
use crate::ir::{Fate, Ir, ObjKey, ObjKind, Phase, StmtId};
use crate::source::SourceFile;

use super::nodes::NodeKind;
pub use schema::cut_moved_elements;
pub use strip::Clause;

/// What `--defer` can move to post-data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeferCategory {
    Fks,
    Checks,
    Uniques,
    Triggers,
    Indexes,
}

impl DeferCategory {
    pub const ALL: [DeferCategory; 5] = [
        DeferCategory::Fks,
        DeferCategory::Checks,
        DeferCategory::Uniques,
        DeferCategory::Triggers,
        DeferCategory::Indexes,
    ];
    pub const DEFAULT: [DeferCategory; 4] =
        [DeferCategory::Fks, DeferCategory::Checks, DeferCategory::Uniques, DeferCategory::Triggers];

    pub fn parse(s: &str) -> Option<DeferCategory> {
        Some(match s {
            "fks" => DeferCategory::Fks,
            "checks" => DeferCategory::Checks,
            "uniques" => DeferCategory::Uniques,
            "triggers" => DeferCategory::Triggers,
            "indexes" => DeferCategory::Indexes,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DeferCategory::Fks => "fks",
            DeferCategory::Checks => "checks",
            DeferCategory::Uniques => "uniques",
            DeferCategory::Triggers => "triggers",
            DeferCategory::Indexes => "indexes",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Fold an `ALTER TABLE … ADD CONSTRAINT` into its table's CREATE TABLE.
    InlineConstraint,
    /// Move the statement to post-data when the defer policy includes the category.
    Defer(DeferCategory),
    /// Take the statement out of the loadable scripts into `unsupported.sql`, with the finding.
    Drop,
    /// Leave the statement out entirely (it has no effect worth keeping on the target).
    Omit,
    /// Remove one ALTER TABLE subcommand (the whole statement when it is the only one).
    DropCommand,
    /// Remove a clause from the statement or the matched item.
    Strip(Clause),
    /// A stored generated column becomes a plain column and a trigger that computes it.
    GeneratedToTrigger,
    /// A row trigger on a partitioned table becomes one trigger per leaf partition.
    PartitionTriggers,
    /// A SQL-standard function body becomes a dollar-quoted string body.
    SqlBodyToString,
    /// `CREATE SCHEMA s CREATE TABLE …` becomes one statement per element.
    SplitSchemaElements,
    /// `CREATE TABLE t (LIKE s INCLUDING …)` becomes explicit columns, keys and indexes.
    ExpandLike,
    /// Write the primary key with explicit HASH/ASC sharding (ZNbaseDB-only syntax).
    ShardHints,
    /// `j['a']` becomes `(j -> 'a')` (application SQL).
    SubscriptToArrow,
    /// A simple MERGE becomes INSERT … ON CONFLICT (application SQL).
    MergeToUpsert,
    /// The setting's value becomes this string (`SET client_encoding = 'UTF8'`).
    SetValue(String),
    /// `CREATE EXTENSION IF NOT EXISTS name [WITH SCHEMA schema]` is written once, before the
    /// first statement in load order that needs it, unless the input creates the extension; with
    /// `unless_function`, inside a `DO` block that runs it only when the server lacks that function.
    EnsureExtension { extension: String, schema: Option<String>, unless_function: Option<String> },
}

impl Action {
    /// The action writes syntax only ZNbaseDB accepts: PostgreSQL's parser cannot check it.
    pub fn produces_target_syntax(&self) -> bool {
        matches!(self, Action::ShardHints)
    }
}

/// Actions, their parameters, and the nodes they apply to (empty: any).
const ACTIONS: &[(&str, &[&str], &[NodeKind])] = &[
    ("inline_constraint", &[], &[NodeKind::AddConstraint]),
    ("defer", &["category"], &[]),
    ("drop", &[], &[]),
    ("omit", &[], &[]),
    ("drop_command", &[], &[NodeKind::AlterCommand]),
    ("strip", &["clause"], &[]),
    ("generated_to_trigger", &[], &[NodeKind::Column]),
    ("partition_triggers", &[], &[NodeKind::CreateTrigger]),
    ("sql_body_to_string", &[], &[NodeKind::CreateFunction]),
    ("split_schema_elements", &[], &[NodeKind::Statement]),
    ("expand_like", &[], &[NodeKind::CreateTable]),
    ("shard_hints", &[], &[NodeKind::CreateTable]),
    ("subscript_to_arrow", &[], &[NodeKind::Construct]),
    ("merge_to_upsert", &[], &[NodeKind::Construct]),
    ("set_value", &["value"], &[NodeKind::Setting]),
    ("ensure_extension", &["extension", "schema", "unless_function"], &[]),
];

impl Action {
    /// Build an action from a rule file's `rewrite:` block; the error names what is wrong.
    pub fn from_spec(name: &str, params: &BTreeMap<String, String>, node: NodeKind) -> Result<Action, String> {
        let Some((_, allowed, nodes)) = ACTIONS.iter().find(|(n, _, _)| *n == name) else {
            let names: Vec<&str> = ACTIONS.iter().map(|(n, _, _)| *n).collect();
            return Err(format!("unknown action `{name}`; actions: {}", names.join(", ")));
        };
        if let Some(k) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("action `{name}` has no parameter `{k}`"));
        }
        if !nodes.is_empty() && !nodes.contains(&node) {
            return Err(format!("`{name}` does not apply to this node"));
        }
        Ok(match name {
            "inline_constraint" => Action::InlineConstraint,
            "defer" => {
                let c = params.get("category").ok_or("`defer` needs `with: {category: …}`")?;
                Action::Defer(DeferCategory::parse(c).ok_or_else(|| {
                    format!("unknown defer category `{c}`; categories: fks, checks, uniques, triggers, indexes")
                })?)
            }
            "drop" => Action::Drop,
            "omit" => Action::Omit,
            "drop_command" => Action::DropCommand,
            "generated_to_trigger" => Action::GeneratedToTrigger,
            "partition_triggers" => Action::PartitionTriggers,
            "sql_body_to_string" => Action::SqlBodyToString,
            "split_schema_elements" => Action::SplitSchemaElements,
            "expand_like" => Action::ExpandLike,
            "shard_hints" => Action::ShardHints,
            "subscript_to_arrow" => Action::SubscriptToArrow,
            "merge_to_upsert" => Action::MergeToUpsert,
            "set_value" => Action::SetValue(params.get("value").ok_or("`set_value` needs `with: {value: …}`")?.clone()),
            "ensure_extension" => Action::EnsureExtension {
                extension: params.get("extension").ok_or("`ensure_extension` needs `with: {extension: …}`")?.clone(),
                schema: params.get("schema").cloned(),
                unless_function: params.get("unless_function").cloned(),
            },
            _ => {
                let c = params.get("clause").ok_or("`strip` needs `with: {clause: …}`")?;
                Action::Strip(Clause::parse(c, node)?)
            }
        })
    }
}

pub struct ActionEnv<'a> {
    pub files: &'a [SourceFile],
    pub defer: &'a BTreeSet<DeferCategory>,
    /// Each relation's last rename, move or drop, or rename of one of its columns: a statement
    /// naming it before that stays before it (deferred, its text would name what is gone).
    pub renamed_at: BTreeMap<ObjKey, StmtId>,
}

impl<'a> ActionEnv<'a> {
    pub fn new(files: &'a [SourceFile], defer: &'a BTreeSet<DeferCategory>, ir: &Ir) -> ActionEnv<'a> {
        let mut renamed_at = BTreeMap::new();
        for s in &ir.stmts {
            if let Some(r) = s.redefine.as_deref() {
                for (k, _) in r.drops.iter().filter(|(k, _)| k.kind == ObjKind::Relation) {
                    renamed_at.insert(k.clone(), s.id);
                }
            }
            if s.commands.iter().any(|c| c.kind == "rename_column") {
                if let Some(o) = &s.object {
                    renamed_at.insert(ObjKey::relation(&o.schema, &o.name), s.id);
                }
            }
        }
        ActionEnv { files, defer, renamed_at }
    }
}

/// What a rule application knows about itself, for actions that record it.
pub struct Applied<'a> {
    pub code: &'a str,
    /// The rendered finding, for `unsupported.sql` comments and manifest details.
    pub message: &'a str,
    pub help: Option<&'a str>,
}

/// Apply `action` to item `item` of statement `id`. `Ok(false)` means the policy says not to
/// (nothing changed); `Err` says why the action cannot apply to this statement.
pub fn apply(
    action: &Action,
    ir: &mut Ir,
    id: StmtId,
    item: usize,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    match action {
        Action::Defer(category) => {
            if !env.defer.contains(category) {
                return Ok(false);
            }
            let s = &ir.stmts[id];
            let later = s
                .refs
                .iter()
                .chain(&s.object)
                .filter(|r| r.kind == ObjKind::Relation)
                .find(|r| env.renamed_at.get(*r).is_some_and(|&at| at > id));
            if let Some(r) = later {
                return Err(format!(
                    "a later statement renames, moves or drops {} (or renames a column of it), so this statement stays \
                     before it, where its names still mean what they say",
                    r.display()
                ));
            }
            let s = &mut ir.stmts[id];
            s.phase = Phase::PostData;
            s.add_code(a.code);
            Ok(true)
        }
        Action::InlineConstraint => inline::inline_constraint(ir, id, a.code, env),
        Action::Drop | Action::Omit => {
            let s = &mut ir.stmts[id];
            s.fate = Fate::Dropped;
            s.edits.clear();
            s.add_code(a.code);
            let data = s.copy_data;
            if *action == Action::Drop {
                let mut note = format!("{}: {}", a.code, a.message);
                if let Some(h) = a.help {
                    note.push_str(&format!("\nhelp: {h}"));
                }
                s.unsupported = Some(note);
            }
            // A COPY's data block goes where its COPY goes.
            if let Some(d) = data {
                let unsupported =
                    ir.stmts[id].unsupported.as_ref().map(|_| format!("{}: data of the COPY above", a.code));
                ir.stmts[d].fate = Fate::Dropped;
                ir.stmts[d].unsupported = unsupported;
            }
            Ok(true)
        }
        Action::DropCommand => strip::drop_command(ir, id, item, a, env),
        Action::Strip(clause) => strip::strip(ir, id, item, *clause, a, env),
        Action::GeneratedToTrigger => generated::generated_to_trigger(ir, id, item, a, env),
        Action::PartitionTriggers => partitions::partition_triggers(ir, id, a, env),
        Action::SqlBodyToString => sql_body::sql_body_to_string(ir, id, a, env),
        Action::SplitSchemaElements => schema::split_schema_elements(ir, id, a, env),
        Action::ExpandLike => like::expand_like(ir, id, a, env),
        Action::ShardHints => shard::shard_hints(ir, id, a, env),
        Action::SubscriptToArrow => dml::subscript_to_arrow(ir, id, item, a),
        Action::MergeToUpsert => dml::merge_to_upsert(ir, id, item, a, env),
        Action::SetValue(value) => setting::set_value(ir, id, item, value, a, env),
        Action::EnsureExtension { extension, schema, unless_function } => {
            setting::ensure_extension(ir, id, extension, schema.as_deref(), unless_function.as_deref(), a, env)
        }
    }
}

/// Record a difference the target will have on purpose (for `verify --manifest`).
pub(crate) fn record_change(ir: &mut Ir, id: StmtId, kind: ObjectKind, name: &str, table: Option<&str>, a: &Applied) {
    let s = &mut ir.stmts[id];
    let schema = s.object.as_ref().map(|o| o.schema.clone()).filter(|x| !x.is_empty());
    s.changes.push(ManifestChange {
        kind,
        schema,
        name: name.to_string(),
        table: table.map(String::from),
        change: ChangeKind::Rewritten,
        codes: vec![a.code.to_string()],
        detail: a.message.to_string(),
    });
}

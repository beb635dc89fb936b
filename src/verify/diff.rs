//! Compare two catalog snapshots; mark the differences a compile manifest declares as expected.
//!
//! Every object becomes an entry keyed by (kind, schema, table, name) with an ordered list of
//! compared properties. An object only on the source is `missing`, only on the target `extra`,
//! on both with a differing property `changed`. Children of a missing (or extra) schema, table or
//! view are not listed again: the parent's difference covers them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::catalog::{display_ident, Catalog, QualName, TypeDef};
use crate::manifest::{ChangeKind, Manifest, ManifestChange, ManifestObject, ObjectKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// On the source, not on the target.
    Missing,
    /// On the target, not on the source.
    Extra,
    /// On both, with different properties.
    Changed,
    /// Different number of rows.
    RowCount,
    /// The same number of rows, different content (`--rows checksum`).
    RowContent,
    /// The target's sequence would hand out a value its column already holds.
    SequenceBehind,
}

/// One difference between source and target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub kind: ObjectKind,
    /// Human name: `public.orders`, `public.orders.note` (column), `orders_pkey on public.orders`,
    /// `public.f(integer)`.
    pub object: String,
    /// Schema of the object (of its table for columns, constraints, indexes, triggers, rules,
    /// policies); `None` for extensions.
    pub schema: Option<String>,
    pub table: Option<String>,
    /// Bare name (no arguments for functions).
    pub name: String,
    /// Identity arguments of a function, procedure or aggregate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
    pub problem: Problem,
    pub detail: String,
    /// Why this difference is expected (from the manifest); `None` when it is not.
    pub expected: Option<String>,
}

impl Difference {
    pub fn new(
        kind: ObjectKind,
        schema: Option<&str>,
        table: Option<&str>,
        name: &str,
        object: String,
        problem: Problem,
        detail: String,
    ) -> Self {
        Difference {
            kind,
            object,
            schema: schema.map(str::to_string),
            table: table.map(str::to_string),
            name: name.to_string(),
            arguments: None,
            problem,
            detail,
            expected: None,
        }
    }
}

/// Snake-case label of a kind, as used for the `matched` counts (`materialized_view`).
pub fn kind_key(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Database => "database",
        ObjectKind::Schema => "schema",
        ObjectKind::Extension => "extension",
        ObjectKind::Type => "type",
        ObjectKind::Domain => "domain",
        ObjectKind::Sequence => "sequence",
        ObjectKind::Table => "table",
        ObjectKind::Column => "column",
        ObjectKind::Constraint => "constraint",
        ObjectKind::Index => "index",
        ObjectKind::View => "view",
        ObjectKind::MaterializedView => "materialized_view",
        ObjectKind::Function => "function",
        ObjectKind::Procedure => "procedure",
        ObjectKind::Aggregate => "aggregate",
        ObjectKind::Trigger => "trigger",
        ObjectKind::Rule => "rule",
        ObjectKind::Policy => "policy",
        ObjectKind::Other => "other",
    }
}

/// Result of comparing catalogs: matches per kind (see [`kind_key`]) and the differences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub matched: BTreeMap<String, usize>,
    pub differences: Vec<Difference>,
}

type Key = (ObjectKind, String, String, String);

struct Entry {
    kind: ObjectKind,
    schema: Option<String>,
    table: Option<String>,
    name: String,
    arguments: Option<String>,
    object: String,
    /// Shown with a missing or extra object (e.g. an index's definition).
    summary: Option<String>,
    props: Vec<(&'static str, String)>,
}

impl Entry {
    fn key(&self) -> Key {
        let name = match &self.arguments {
            Some(a) => format!("{}({a})", self.name),
            None => self.name.clone(),
        };
        (self.kind, self.schema.clone().unwrap_or_default(), self.table.clone().unwrap_or_default(), name)
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn or_none(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// `name on schema.table`.
fn on_table(name: &str, table: &QualName) -> String {
    format!("{} on {table}", display_ident(name))
}

fn entries(cat: &Catalog) -> BTreeMap<Key, Entry> {
    let mut out = Vec::new();
    // One entry whatever the database is called: source and target names usually differ.
    if let Some(d) = &cat.database {
        out.push(Entry {
            kind: ObjectKind::Database,
            schema: None,
            table: None,
            name: String::new(),
            arguments: None,
            object: "(current database)".to_string(),
            summary: None,
            props: vec![
                ("encoding", d.encoding.clone()),
                ("LC_COLLATE", d.collate.clone()),
                ("LC_CTYPE", d.ctype.clone()),
            ],
        });
    }
    for s in &cat.schemas {
        out.push(Entry {
            kind: ObjectKind::Schema,
            schema: Some(s.clone()),
            table: None,
            name: s.clone(),
            arguments: None,
            object: display_ident(s),
            summary: None,
            props: vec![],
        });
    }
    for (name, e) in &cat.extensions {
        out.push(Entry {
            kind: ObjectKind::Extension,
            schema: None,
            table: None,
            name: name.clone(),
            arguments: None,
            object: display_ident(name),
            summary: Some(format!("version {}", e.version)),
            props: vec![("schema", e.schema.clone())],
        });
    }
    for (q, t) in &cat.types {
        let (kind, props) = match t {
            TypeDef::Enum { labels } => (ObjectKind::Type, vec![("enum labels", labels.clone())]),
            TypeDef::Domain { base, not_null, default, constraints } => (
                ObjectKind::Domain,
                vec![
                    ("base type", base.clone()),
                    ("not null", yes_no(*not_null)),
                    ("default", or_none(default)),
                    ("constraints", constraints.clone()),
                ],
            ),
            TypeDef::Composite { attributes } => (ObjectKind::Type, vec![("attributes", attributes.clone())]),
            TypeDef::Range { subtype } => (ObjectKind::Type, vec![("range of", subtype.clone())]),
        };
        out.push(Entry {
            kind,
            schema: Some(q.schema.clone()),
            table: None,
            name: q.name.clone(),
            arguments: None,
            object: q.to_string(),
            summary: None,
            props,
        });
    }
    for (q, t) in &cat.tables {
        out.push(Entry {
            kind: ObjectKind::Table,
            schema: Some(q.schema.clone()),
            table: None,
            name: q.name.clone(),
            arguments: None,
            object: q.to_string(),
            summary: Some(format!(
                "{}, {} column{}",
                t.kind,
                t.columns.len(),
                if t.columns.len() == 1 { "" } else { "s" }
            )),
            props: vec![
                ("kind", t.kind.clone()),
                ("persistence", t.persistence.clone()),
                ("partition key", or_none(&t.partition_key)),
                ("parents", or_none(&t.parents)),
                ("partition bound", or_none(&t.partition_bound)),
                ("row security", yes_no(t.row_security)),
                ("force row security", yes_no(t.force_row_security)),
            ],
        });
        for c in &t.columns {
            out.push(Entry {
                kind: ObjectKind::Column,
                schema: Some(q.schema.clone()),
                table: Some(q.name.clone()),
                name: c.name.clone(),
                arguments: None,
                object: format!("{q}.{}", display_ident(&c.name)),
                summary: Some(c.data_type.clone()),
                props: vec![
                    ("position", c.position.to_string()),
                    ("type", c.data_type.clone()),
                    ("not null", yes_no(c.not_null)),
                    ("default", or_none(&c.default)),
                    ("identity", c.identity.clone()),
                    ("generated", c.generated.clone()),
                    ("collation", or_none(&c.collation)),
                ],
            });
        }
    }
    for ((t, name), c) in &cat.constraints {
        out.push(Entry {
            kind: ObjectKind::Constraint,
            schema: Some(t.schema.clone()),
            table: Some(t.name.clone()),
            name: name.clone(),
            arguments: None,
            object: on_table(name, t),
            summary: Some(c.definition.clone()),
            props: vec![
                ("kind", c.kind.clone()),
                ("columns", or_none(&c.columns)),
                ("references", or_none(&c.references)),
                ("definition", c.definition.clone()),
            ],
        });
    }
    for (q, i) in &cat.indexes {
        out.push(Entry {
            kind: ObjectKind::Index,
            schema: Some(q.schema.clone()),
            table: Some(i.table.clone()),
            name: q.name.clone(),
            arguments: None,
            object: q.to_string(),
            summary: Some(i.raw_definition.clone()),
            props: vec![("definition", i.definition.clone()), ("valid", yes_no(i.valid))],
        });
    }
    for ((t, name), tr) in &cat.triggers {
        out.push(Entry {
            kind: ObjectKind::Trigger,
            schema: Some(t.schema.clone()),
            table: Some(t.name.clone()),
            name: name.clone(),
            arguments: None,
            object: on_table(name, t),
            summary: Some(tr.definition.clone()),
            props: vec![("definition", tr.definition.clone()), ("enabled", tr.enabled.clone())],
        });
    }
    for ((t, name), r) in &cat.rules {
        out.push(Entry {
            kind: ObjectKind::Rule,
            schema: Some(t.schema.clone()),
            table: Some(t.name.clone()),
            name: name.clone(),
            arguments: None,
            object: on_table(name, t),
            summary: None,
            props: vec![("definition", r.definition.clone())],
        });
    }
    for ((t, name), p) in &cat.policies {
        out.push(Entry {
            kind: ObjectKind::Policy,
            schema: Some(t.schema.clone()),
            table: Some(t.name.clone()),
            name: name.clone(),
            arguments: None,
            object: on_table(name, t),
            summary: None,
            props: vec![
                ("command", p.command.clone()),
                ("permissive", yes_no(p.permissive)),
                ("roles", p.roles.clone()),
                ("using", or_none(&p.using)),
                ("with check", or_none(&p.with_check)),
            ],
        });
    }
    for (q, s) in &cat.sequences {
        out.push(Entry {
            kind: ObjectKind::Sequence,
            schema: Some(q.schema.clone()),
            table: None,
            name: q.name.clone(),
            arguments: None,
            object: q.to_string(),
            summary: None,
            props: vec![
                ("type", s.data_type.clone()),
                ("start", s.start.clone()),
                ("increment", s.increment.clone()),
                ("min", s.min.clone()),
                ("max", s.max.clone()),
                ("cycle", yes_no(s.cycle)),
                ("owned by", or_none(&s.owned_by)),
            ],
        });
    }
    for (q, v) in &cat.views {
        let mut props = vec![("definition", v.definition.clone()), ("options", or_none(&v.options))];
        if v.materialized {
            props.push(("populated", yes_no(v.populated)));
        }
        out.push(Entry {
            kind: if v.materialized { ObjectKind::MaterializedView } else { ObjectKind::View },
            schema: Some(q.schema.clone()),
            table: None,
            name: q.name.clone(),
            arguments: None,
            object: q.to_string(),
            summary: None,
            props,
        });
    }
    for ((q, args), r) in &cat.routines {
        let kind = match r.kind.as_str() {
            "procedure" => ObjectKind::Procedure,
            "aggregate" => ObjectKind::Aggregate,
            _ => ObjectKind::Function,
        };
        out.push(Entry {
            kind,
            schema: Some(q.schema.clone()),
            table: None,
            name: q.name.clone(),
            arguments: Some(args.clone()),
            object: format!("{q}({args})"),
            summary: None,
            props: vec![
                ("kind", r.kind.clone()),
                ("result", or_none(&r.result)),
                ("language", r.language.clone()),
                ("volatility", r.volatility.clone()),
                ("strict", yes_no(r.strict)),
                ("security definer", yes_no(r.security_definer)),
                ("parallel", r.parallel.clone()),
                ("config", or_none(&r.config)),
                ("body md5", r.body_md5.clone()),
            ],
        });
    }
    out.into_iter().map(|e| (e.key(), e)).collect()
}

/// The catalog's objects in [`crate::fingerprint`]'s canonical form, from the same entries the
/// comparison reads (foreign tables aside: a compile lists those as other objects).
pub fn fingerprint_lines(cat: &Catalog) -> BTreeSet<String> {
    let all = entries(cat);
    let foreign = |e: &Entry| e.props.iter().any(|(k, v)| *k == "kind" && v == "foreign table");
    crate::fingerprint::canonical(all.values().filter(|e| !foreign(e)).map(|e| crate::fingerprint::Object {
        kind: e.kind,
        schema: e.schema.as_deref(),
        name: &e.name,
    }))
}

/// Quote a value for a detail line; long values are cut around `at` (a char index).
fn shown(v: &str, at: usize) -> String {
    if v.is_empty() {
        return "(none)".to_string();
    }
    let chars: Vec<char> = v.chars().collect();
    if chars.len() <= 100 {
        return format!("\"{v}\"");
    }
    let start = at.saturating_sub(30);
    let end = (at + 50).min(chars.len());
    let mut s = String::from("\"");
    if start > 0 {
        s.push('…');
    }
    s.extend(&chars[start..end]);
    if end < chars.len() {
        s.push('…');
    }
    s.push('"');
    s
}

fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn changed_detail(changes: &[(&str, &str, &str)]) -> String {
    let parts: Vec<String> = changes
        .iter()
        .map(|(prop, a, b)| {
            let at = first_difference(a, b);
            let long = a.chars().count() > 100 || b.chars().count() > 100;
            let pos = if long { format!(" (from character {})", at + 1) } else { String::new() };
            format!("{prop}{pos}: source {}, target {}", shown(a, at), shown(b, at))
        })
        .collect();
    parts.join("; ")
}

fn difference(e: &Entry, problem: Problem, detail: String) -> Difference {
    Difference {
        kind: e.kind,
        object: e.object.clone(),
        schema: e.schema.clone(),
        table: e.table.clone(),
        name: e.name.clone(),
        arguments: e.arguments.clone(),
        problem,
        detail,
        expected: None,
    }
}

/// Relations (tables, views) of a catalog, for suppressing children of a missing one.
fn relations(cat: &Catalog) -> BTreeSet<(String, String)> {
    cat.tables.keys().chain(cat.views.keys()).map(|q| (q.schema.clone(), q.name.clone())).collect()
}

/// True when `e` sits in a schema or relation that `present` lacks (so its parent is reported).
fn covered_by_parent(e: &Entry, schemas: &BTreeSet<String>, rels: &BTreeSet<(String, String)>) -> bool {
    let Some(schema) = &e.schema else {
        return false;
    };
    if e.kind != ObjectKind::Schema && !schemas.contains(schema) {
        return true;
    }
    match &e.table {
        Some(t) => !rels.contains(&(schema.clone(), t.clone())),
        None => false,
    }
}

/// Compare two catalogs. With a manifest, differences it declares are marked expected.
pub fn compare(source: &Catalog, target: &Catalog, manifest: Option<&Manifest>) -> Comparison {
    let src = entries(source);
    let tgt = entries(target);
    let (src_rels, tgt_rels) = (relations(source), relations(target));
    let mut cmp = Comparison::default();
    for (key, s) in &src {
        match tgt.get(key) {
            None => {
                if covered_by_parent(s, &target.schemas, &tgt_rels) {
                    continue;
                }
                let detail = match &s.summary {
                    Some(sum) => format!("missing on the target (source: {sum})"),
                    None => "missing on the target".to_string(),
                };
                cmp.differences.push(difference(s, Problem::Missing, detail));
            }
            Some(t) => {
                let changes: Vec<(&str, &str, &str)> = s
                    .props
                    .iter()
                    .zip(&t.props)
                    .filter(|((_, a), (_, b))| a != b)
                    .map(|((p, a), (_, b))| (*p, a.as_str(), b.as_str()))
                    .collect();
                if changes.is_empty() {
                    *cmp.matched.entry(kind_key(s.kind).to_string()).or_default() += 1;
                } else {
                    cmp.differences.push(difference(s, Problem::Changed, changed_detail(&changes)));
                }
            }
        }
    }
    for (key, t) in &tgt {
        if src.contains_key(key) || covered_by_parent(t, &source.schemas, &src_rels) {
            continue;
        }
        let detail = match &t.summary {
            Some(sum) => format!("only on the target ({sum})"),
            None => "only on the target".to_string(),
        };
        cmp.differences.push(difference(t, Problem::Extra, detail));
    }
    if let Some(m) = manifest {
        apply_manifest(&mut cmp.differences, m);
    }
    cmp
}

fn is_routine(k: ObjectKind) -> bool {
    matches!(k, ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate)
}

/// Manifest kinds match catalog kinds exactly, except: function/procedure/aggregate match each
/// other, `type` matches a domain, and a dropped constraint also covers its backing index.
fn kind_matches(manifest: ObjectKind, change: Option<ChangeKind>, found: ObjectKind) -> bool {
    manifest == found
        || (is_routine(manifest) && is_routine(found))
        || (manifest == ObjectKind::Type && found == ObjectKind::Domain)
        || (manifest == ObjectKind::Constraint && found == ObjectKind::Index && change == Some(ChangeKind::Dropped))
}

/// Schema and table must be equal when the manifest gives them; the name is the bare name or,
/// for routines, `name(arguments)`.
fn names_match(schema: &Option<String>, name: &str, table: &Option<String>, d: &Difference) -> bool {
    let schema_ok = schema.is_none() || d.schema.is_none() || schema == &d.schema;
    let table_ok = table.is_none() || table == &d.table;
    let name_ok = name == d.name || d.arguments.as_ref().is_some_and(|a| name == format!("{}({a})", d.name));
    schema_ok && table_ok && name_ok
}

fn change_matches(c: &ManifestChange, d: &Difference) -> bool {
    let problem_ok = match c.change {
        ChangeKind::Dropped => d.problem == Problem::Missing,
        ChangeKind::Rewritten => d.problem == Problem::Changed,
    };
    problem_ok && kind_matches(c.kind, Some(c.change), d.kind) && names_match(&c.schema, &c.name, &c.table, d)
}

fn object_matches(o: &ManifestObject, d: &Difference) -> bool {
    d.problem == Problem::Extra && kind_matches(o.kind, None, d.kind) && names_match(&o.schema, &o.name, &o.table, d)
}

/// Mark differences the manifest declares: a missing object with a `dropped` change, a changed
/// object with a `rewritten` change, an extra object listed among the manifest's objects.
pub fn apply_manifest(diffs: &mut [Difference], manifest: &Manifest) {
    for d in diffs.iter_mut() {
        if let Some(c) = manifest.changes.iter().find(|c| change_matches(c, d)) {
            let what = match c.change {
                ChangeKind::Dropped => "dropped",
                ChangeKind::Rewritten => "rewritten",
            };
            let codes = if c.codes.is_empty() { String::new() } else { format!(" ({})", c.codes.join(", ")) };
            let detail = if c.detail.is_empty() { String::new() } else { format!(": {}", c.detail) };
            d.expected = Some(format!("{what} on purpose by pg2znb{codes}{detail}"));
        } else if manifest.objects.iter().any(|o| object_matches(o, d)) {
            d.expected = Some("created by pg2znb (listed in the manifest)".to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::catalog::{Column, Index, Table};

    fn cat() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert("public".into());
        let t = QualName::new("public", "t");
        c.tables.insert(
            t.clone(),
            Table {
                kind: "table".into(),
                persistence: "permanent".into(),
                partition_key: None,
                parents: None,
                partition_bound: None,
                row_security: false,
                force_row_security: false,
                columns: vec![Column {
                    name: "id".into(),
                    position: 1,
                    data_type: "integer".into(),
                    not_null: true,
                    default: None,
                    identity: String::new(),
                    generated: String::new(),
                    collation: None,
                }],
            },
        );
        c.indexes.insert(
            QualName::new("public", "t_gist"),
            Index {
                table: "t".into(),
                raw_definition: "CREATE INDEX t_gist ON public.t USING gist (id)".into(),
                definition: "CREATE INDEX t_gist ON public.t USING gist (id)".into(),
                valid: true,
            },
        );
        c
    }

    fn manifest(changes: Vec<ManifestChange>, objects: Vec<ManifestObject>) -> Manifest {
        Manifest { format: 1, target: "2.6".into(), source: None, objects, changes }
    }

    #[test]
    fn database_encoding_and_locale_are_compared_whatever_the_names() {
        use crate::verify::catalog::Database;
        let db = |encoding: &str, collate: &str| Database {
            encoding: encoding.into(),
            collate: collate.into(),
            ctype: "C".into(),
        };
        let (mut a, mut b) = (cat(), cat());
        a.database = Some(db("UTF8", "C"));
        b.database = Some(db("UTF8", "C"));
        let r = compare(&a, &b, None);
        assert!(r.differences.is_empty());
        assert_eq!(r.matched["database"], 1);
        b.database = Some(db("LATIN1", "POSIX"));
        let r = compare(&a, &b, None);
        assert_eq!(r.differences.len(), 1);
        let d = &r.differences[0];
        assert_eq!(
            (d.kind, d.problem, d.object.as_str()),
            (ObjectKind::Database, Problem::Changed, "(current database)")
        );
        assert_eq!(
            d.detail,
            "encoding: source \"UTF8\", target \"LATIN1\"; LC_COLLATE: source \"C\", target \"POSIX\""
        );
    }

    #[test]
    fn identical_catalogs_match() {
        let c = cat();
        let r = compare(&c, &c, None);
        assert!(r.differences.is_empty());
        assert_eq!(r.matched["table"], 1);
        assert_eq!(r.matched["column"], 1);
        assert_eq!(r.matched["index"], 1);
    }

    #[test]
    fn missing_index_expected_only_with_dropped_change() {
        let src = cat();
        let mut tgt = cat();
        tgt.indexes.clear();
        let r = compare(&src, &tgt, None);
        assert_eq!(r.differences.len(), 1);
        assert_eq!(r.differences[0].object, "public.t_gist");
        assert_eq!(r.differences[0].problem, Problem::Missing);
        assert!(r.differences[0].expected.is_none());

        let change = ManifestChange {
            kind: ObjectKind::Index,
            schema: Some("public".into()),
            name: "t_gist".into(),
            table: Some("t".into()),
            change: ChangeKind::Dropped,
            codes: vec!["ZN201".into()],
            detail: "GiST index moved to unsupported.sql".into(),
        };
        let r = compare(&src, &tgt, Some(&manifest(vec![change.clone()], vec![])));
        let why = r.differences[0].expected.as_deref().unwrap();
        assert!(why.contains("ZN201") && why.contains("GiST"), "{why}");

        // A `rewritten` change does not excuse a missing object; another table does not match.
        let mut rewritten = change.clone();
        rewritten.change = ChangeKind::Rewritten;
        let mut other_table = change;
        other_table.table = Some("u".into());
        let r = compare(&src, &tgt, Some(&manifest(vec![rewritten, other_table], vec![])));
        assert!(r.differences[0].expected.is_none());
    }

    #[test]
    fn changed_column_detail_and_rewritten_change() {
        let src = cat();
        let mut tgt = cat();
        let t = QualName::new("public", "t");
        tgt.tables.get_mut(&t).unwrap().columns[0].data_type = "bigint".into();
        let r = compare(&src, &tgt, None);
        assert_eq!(r.differences.len(), 1);
        let d = &r.differences[0];
        assert_eq!(d.object, "public.t.id");
        assert_eq!(d.detail, "type: source \"integer\", target \"bigint\"");
        let change = ManifestChange {
            kind: ObjectKind::Column,
            schema: Some("public".into()),
            name: "id".into(),
            table: Some("t".into()),
            change: ChangeKind::Rewritten,
            codes: vec![],
            detail: String::new(),
        };
        let r = compare(&src, &tgt, Some(&manifest(vec![change], vec![])));
        assert!(r.differences[0].expected.is_some());
    }

    #[test]
    fn missing_table_reported_once_extra_listed_in_manifest_expected() {
        let src = cat();
        let mut tgt = Catalog::default();
        tgt.schemas.insert("public".into());
        tgt.sequences.insert(
            QualName::new("public", "s"),
            crate::verify::catalog::Sequence {
                data_type: "bigint".into(),
                start: "1".into(),
                increment: "1".into(),
                min: "1".into(),
                max: "9".into(),
                cycle: false,
                cache: "1".into(),
                owned_by: None,
            },
        );
        let obj = ManifestObject {
            kind: ObjectKind::Sequence,
            schema: Some("public".into()),
            name: "s".into(),
            table: None,
            summary: None,
        };
        let r = compare(&src, &tgt, Some(&manifest(vec![], vec![obj])));
        let objects: Vec<_> =
            r.differences.iter().map(|d| (d.object.as_str(), d.problem, d.expected.is_some())).collect();
        assert_eq!(objects, vec![("public.t", Problem::Missing, false), ("public.s", Problem::Extra, true)]);
    }

    #[test]
    fn long_values_are_cut_around_the_difference() {
        let a = format!("{}X{}", "a".repeat(200), "b".repeat(200));
        let b = format!("{}Y{}", "a".repeat(200), "b".repeat(200));
        let d = changed_detail(&[("definition", &a, &b)]);
        assert!(d.starts_with("definition (from character 201): source \"…"), "{d}");
        assert!(d.contains("aX") && d.contains("aY"), "{d}");
        assert!(d.len() < 300, "{d}");
    }
}

//! `manifest.json`: what the target holds after all scripts load. The contract `verify` checks.

use serde::{Deserialize, Serialize};

// The kinds of object and of change belong to the IR (rules record changes on statements); the
// manifest lists them.
pub use crate::ir::change::{ChangeKind, ManifestChange, ObjectKind};

pub const MANIFEST_FORMAT: u32 = 1;

/// One object the target will hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestObject {
    pub kind: ObjectKind,
    /// Schema of the object (for columns, constraints, indexes and triggers: of their table).
    pub schema: Option<String>,
    pub name: String,
    /// The table a column, constraint, index, trigger, rule or policy belongs to.
    pub table: Option<String>,
    /// Short human summary, e.g. `bigint not null`, `primary key (id)`, `btree (email)`.
    pub summary: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Target version the scripts were compiled for, e.g. `2.6`.
    pub target: String,
    /// The database the input was dumped from, as far as known; `None` in manifests written
    /// before pg2znb recorded it (they still load: fields are only ever added).
    #[serde(default)]
    pub source: Option<ManifestSource>,
    pub objects: Vec<ManifestObject>,
    pub changes: Vec<ManifestChange>,
}

/// Where the manifest's schema came from, for `verify` to warn when it connects to another
/// database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// The database's name: from pg_dump's `-- Name: shop; Type: DATABASE` header (`--create`
    /// dumps) or a `CREATE DATABASE`; migrate sets the source's. `null` when the input does not say.
    pub database: Option<String>,
    /// [`crate::fingerprint`] of [`Manifest::source_objects`].
    pub fingerprint: String,
}

impl Manifest {
    /// What the source held, as far as the manifest knows: the objects the target will hold
    /// (except what pg2znb creates itself) and the ones the compile left out on purpose.
    pub fn source_objects(&self) -> impl Iterator<Item = crate::fingerprint::Object<'_>> {
        let held = self
            .objects
            .iter()
            .filter(|o| o.summary.as_deref() != Some(CREATED_BY_PG2ZNB))
            .map(|o| crate::fingerprint::Object { kind: o.kind, schema: o.schema.as_deref(), name: &o.name });
        let dropped = self
            .changes
            .iter()
            .filter(|c| c.change == ChangeKind::Dropped)
            .map(|c| crate::fingerprint::Object { kind: c.kind, schema: c.schema.as_deref(), name: &c.name });
        held.chain(dropped)
    }

    /// The fingerprint of [`Manifest::source_objects`], over `schemas` only when not empty.
    pub fn fingerprint(&self, schemas: &[String]) -> String {
        crate::fingerprint::fingerprint(
            self.source_objects()
                .filter(|o| schemas.is_empty() || o.schema.is_some_and(|s| schemas.iter().any(|x| x == s))),
        )
    }
}

/// The summary of an object pg2znb adds (an extension the target's base needs).
const CREATED_BY_PG2ZNB: &str = "created by pg2znb";

/// The database the input was dumped from: pg_dump names it in the comment above `CREATE
/// DATABASE` (`-- Name: shop; Type: DATABASE; …`, with `--create`); a hand-written `CREATE
/// DATABASE shop` names it too. `None` when the input has none, or several.
pub fn dumped_database(ir: &Ir, files: &[SourceFile]) -> Option<String> {
    let mut names = ir.stmts.iter().filter(|s| s.kind == "create_database").filter_map(|s| {
        let f = &files[s.file];
        let header = f.slice(s.trivia).lines().find_map(|l| {
            let rest = l.strip_prefix("-- Name: ")?;
            rest.find("; Type: DATABASE;").map(|at| rest[..at].to_string())
        });
        header.or_else(|| created_database(f.slice(s.span)))
    });
    let first = names.next()?;
    names.all(|n| n == first).then_some(first)
}

/// The name in `CREATE DATABASE name …`: folded to lower case unless quoted.
fn created_database(sql: &str) -> Option<String> {
    let words: Vec<&str> = sql.split_whitespace().take(2).collect();
    if !(words.len() == 2 && words[0].eq_ignore_ascii_case("create") && words[1].eq_ignore_ascii_case("database")) {
        return None;
    }
    let rest = sql.trim_start()[6..].trim_start()[8..].trim_start();
    if let Some(q) = rest.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = q.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    name.push('"');
                }
                '"' => return Some(name),
                c => name.push(c),
            }
        }
        return None;
    }
    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect();
    (!name.is_empty()).then(|| name.to_lowercase())
}

use crate::ir::{Detail, Fate, Ir, ObjKey, ObjKind as K, Stmt};
use crate::source::SourceFile;

fn object_kind(stmt: &Stmt, key_kind: K) -> ObjectKind {
    match stmt.kind.as_str() {
        "create_table" | "create_table_partition" | "create_table_as" => ObjectKind::Table,
        "create_sequence" => ObjectKind::Sequence,
        "create_view" => ObjectKind::View,
        "create_materialized_view" => ObjectKind::MaterializedView,
        "create_function" => ObjectKind::Function,
        "create_procedure" => ObjectKind::Procedure,
        "create_aggregate" => ObjectKind::Aggregate,
        "create_domain" => ObjectKind::Domain,
        "create_index" => ObjectKind::Index,
        "create_trigger" | "create_constraint_trigger" => ObjectKind::Trigger,
        k if k.starts_with("create_type") => ObjectKind::Type,
        _ => match key_kind {
            K::Schema => ObjectKind::Schema,
            K::Extension => ObjectKind::Extension,
            K::Type => ObjectKind::Type,
            K::Function => ObjectKind::Function,
            K::Constraint => ObjectKind::Constraint,
            K::Trigger => ObjectKind::Trigger,
            K::Policy => ObjectKind::Policy,
            K::Rule => ObjectKind::Rule,
            K::Relation if stmt.kind == "alter_table" => ObjectKind::Sequence, // identity sequences
            _ => ObjectKind::Other,
        },
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// What a `rename` or `alter_set_schema` statement renames: a relation (`ALTER TABLE|VIEW|INDEX|
/// SEQUENCE … RENAME TO`, `… SET SCHEMA`), or a column, constraint or trigger of a table.
struct Renames<'a> {
    /// The relation's old and new key, and the indexes on it (a table's indexes move with it).
    relation: Option<(&'a ObjKey, &'a ObjKey, Vec<&'a str>)>,
    /// (kind, schema, table, old name, new name).
    members: Vec<(ObjectKind, &'a str, &'a str, &'a str, &'a str)>,
}

impl<'a> Renames<'a> {
    fn of(s: &'a Stmt, indexes: &'a [(String, String, String)]) -> Renames<'a> {
        let relation = s.renamed_relation().map(|(old, new)| {
            let on = indexes.iter().filter(|(schema, _, table)| *schema == old.schema && *table == old.name);
            (old, new, on.map(|(_, name, _)| name.as_str()).collect())
        });
        let members = s
            .commands
            .iter()
            .filter_map(|c| {
                let kind = match c.kind.as_str() {
                    "rename_column" => ObjectKind::Column,
                    "rename_constraint" => ObjectKind::Constraint,
                    "rename_trigger" => ObjectKind::Trigger,
                    _ => return None,
                };
                let table = s.object.as_ref()?;
                Some((kind, table.schema.as_str(), table.name.as_str(), c.name.as_deref()?, c.to.as_deref()?))
            })
            .collect();
        Renames { relation, members }
    }

    fn apply(&self, kind: ObjectKind, schema: &mut Option<String>, name: &mut String, table: &mut Option<String>) {
        if let Some((old, new, indexes)) = &self.relation {
            if schema.as_deref().unwrap_or("") == old.schema {
                let relation = matches!(
                    kind,
                    ObjectKind::Table
                        | ObjectKind::View
                        | ObjectKind::MaterializedView
                        | ObjectKind::Sequence
                        | ObjectKind::Index
                );
                if table.is_none() && relation && *name == old.name {
                    (*schema, *name) = (opt(&new.schema), new.name.clone());
                    return;
                }
                // Columns, constraints and triggers name their table; indexes are moved by name.
                if table.as_deref() == Some(old.name.as_str()) {
                    (*schema, *table) = (opt(&new.schema), Some(new.name.clone()));
                } else if kind == ObjectKind::Index && table.is_none() && indexes.contains(&name.as_str()) {
                    *schema = opt(&new.schema);
                }
            }
        }
        for &(k, s, t, from, to) in &self.members {
            if k == kind && schema.as_deref().unwrap_or("") == s && table.as_deref() == Some(t) && name == from {
                *name = to.to_string();
            }
        }
    }
}

/// What the target holds after the scripts load, from the IR after rules ran.
pub fn build(ir: &Ir, target: &str) -> Manifest {
    let mut objects = Vec::new();
    let mut changes = Vec::new();
    // (schema, index, table) of every index the input creates, for the indexes a table's move
    // takes along.
    let mut indexes: Vec<(String, String, String)> = ir
        .stmts
        .iter()
        .filter_map(|s| match &s.detail {
            Detail::CreateIndex(i) => Some((i.schema.clone(), i.name.clone(), i.table.clone())),
            _ => None,
        })
        .collect();
    for s in &ir.stmts {
        changes.extend(s.changes.iter().cloned());
        // What pg2znb adds before the statement (e.g. an extension the base needs).
        for d in s.prelude.iter().filter_map(|p| p.defines.as_ref()) {
            objects.push(ManifestObject {
                kind: if d.kind == K::Extension { ObjectKind::Extension } else { ObjectKind::Other },
                schema: opt(&d.schema),
                name: d.name.clone(),
                table: d.table.clone(),
                summary: Some(CREATED_BY_PG2ZNB.into()),
            });
        }
        if s.fate == Fate::Dropped {
            // A duplicate definition: the object is there, from its first definition.
            if s.codes.iter().any(|c| c == crate::sanity::DUPLICATE) {
                continue;
            }
            if let Some(o) = &s.object {
                // A dropped ALTER TABLE changes its table (a column when its one command names
                // one): the table itself is still there.
                let (kind, name, table, detail) = match (s.kind.as_str(), s.commands.as_slice()) {
                    ("alter_table", [c]) => {
                        let detail = format!("ALTER TABLE … {} not applied", c.kind.replace('_', " "));
                        match &c.name {
                            Some(col) if c.kind.starts_with("set_") || c.kind.starts_with("alter_column") => {
                                (ObjectKind::Column, col.clone(), Some(o.name.clone()), detail)
                            }
                            _ => (ObjectKind::Table, o.name.clone(), None, detail),
                        }
                    }
                    ("alter_table", _) => (ObjectKind::Table, o.name.clone(), None, "ALTER TABLE not applied".into()),
                    _ => (object_kind(s, o.kind), o.name.clone(), o.table.clone(), format!("{} not loaded", s.kind)),
                };
                let change = if s.kind == "alter_table" { ChangeKind::Rewritten } else { ChangeKind::Dropped };
                changes.push(ManifestChange {
                    kind,
                    schema: opt(&o.schema),
                    name,
                    table,
                    change,
                    codes: s.codes.clone(),
                    detail,
                });
            }
            // A serial column's sequence comes and goes with its table (`t_c_seq`, as PostgreSQL
            // names it when the name fits).
            if let Detail::CreateTable(t) = &s.detail {
                for c in t.columns.iter().filter(|c| c.type_name.to_ascii_lowercase().ends_with("serial")) {
                    changes.push(ManifestChange {
                        kind: ObjectKind::Sequence,
                        schema: opt(&t.schema),
                        name: format!("{}_{}_seq", t.name, c.name),
                        table: None,
                        change: ChangeKind::Dropped,
                        codes: s.codes.clone(),
                        detail: format!("sequence of serial column {}.{}, whose table is not loaded", t.name, c.name),
                    });
                }
            }
            continue;
        }
        // A rename or a move: what is listed so far under the old name lives on under the new one.
        if matches!(s.kind.as_str(), "rename" | "alter_set_schema") {
            let renames = Renames::of(s, &indexes);
            for o in &mut objects {
                renames.apply(o.kind, &mut o.schema, &mut o.name, &mut o.table);
            }
            for c in &mut changes {
                renames.apply(c.kind, &mut c.schema, &mut c.name, &mut c.table);
            }
            // Later moves find the indexes under their table's and their own current names.
            if let Some((old, new, _)) = renames.relation {
                let (old, new) = (old.clone(), new.clone());
                for (schema, name, table) in &mut indexes {
                    if *schema == old.schema && (*table == old.name || *name == old.name) {
                        if *table == old.name {
                            *table = new.name.clone();
                        } else {
                            *name = new.name.clone();
                        }
                        *schema = new.schema.clone();
                    }
                }
            }
            continue;
        }
        // CREATE SCHEMA's elements list what they define themselves, with their kinds.
        let elements = ir.stmts.get(s.id + 1).is_some_and(|e| e.element_of == Some(s.id));
        for d in &s.defines {
            if elements && s.object.as_ref() != Some(d) {
                continue;
            }
            // Index names of key constraints are the constraint's; the constraint is listed.
            if d.kind == K::Relation && s.kind == "alter_table" && !matches!(s.detail, Detail::None) {
                continue;
            }
            if d.kind == K::Relation && s.kind == "create_table" && s.object.as_ref() != Some(d) {
                continue;
            }
            // The statement's own object takes its kind from the statement (a CREATE VIEW defines a
            // relation that is a view); other names it defines (a trigger and function a rewrite
            // added, constraints) from their namespace.
            let kind = match d.kind {
                K::Constraint => ObjectKind::Constraint,
                _ if s.object.as_ref() == Some(d) => object_kind(s, d.kind),
                K::Function => ObjectKind::Function,
                K::Trigger => ObjectKind::Trigger,
                _ => object_kind(s, d.kind),
            };
            let summary = match (&s.detail, kind) {
                (Detail::AddConstraint { constraint, .. }, ObjectKind::Constraint) => {
                    Some(format!("{} ({})", constraint.kind.replace('_', " "), constraint.columns.join(", ")))
                }
                (Detail::CreateIndex(i), ObjectKind::Index) => Some(format!(
                    "{}{} ({})",
                    if i.unique { "unique " } else { "" },
                    i.method,
                    if i.has_expressions && i.columns.is_empty() { "expressions".into() } else { i.columns.join(", ") }
                )),
                (Detail::CreateTrigger(t), ObjectKind::Trigger) => {
                    Some(format!("{} {} for each {} execute {}", t.timing, t.events.join(" or "), t.level, t.function))
                }
                (Detail::CreateTable(t), ObjectKind::Table) if t.partitioned => Some("partitioned".into()),
                (Detail::CreateTable(t), ObjectKind::Table) if t.partition => Some("partition".into()),
                _ => None,
            };
            objects.push(ManifestObject {
                kind,
                schema: opt(&d.schema),
                name: d.name.clone(),
                table: d.table.clone(),
                summary,
            });
        }
        if let Detail::CreateTable(t) = &s.detail {
            for c in &t.columns {
                let mut summary = c.type_name.clone();
                if c.not_null {
                    summary.push_str(" not null");
                }
                objects.push(ManifestObject {
                    kind: ObjectKind::Column,
                    schema: opt(&t.schema),
                    name: c.name.clone(),
                    table: Some(t.name.clone()),
                    summary: Some(summary),
                });
            }
        }
    }
    // Temporary tables and their indexes end with the script's session: the target never holds
    // them (and verify's catalogs skip pg_temp).
    let temporary = |schema: &Option<String>| schema.as_deref() == Some(crate::ir::TEMP_SCHEMA);
    objects.retain(|o| !temporary(&o.schema));
    changes.retain(|c| !temporary(&c.schema));
    // Borrowed keys: cloning four strings per comparison was most of building the manifest.
    fn key(o: &ManifestObject) -> (ObjectKind, Option<&str>, Option<&str>, &str) {
        (o.kind, o.schema.as_deref(), o.table.as_deref(), o.name.as_str())
    }
    fn change_key(c: &ManifestChange) -> (ObjectKind, Option<&str>, Option<&str>, &str) {
        (c.kind, c.schema.as_deref(), c.table.as_deref(), c.name.as_str())
    }
    objects.sort_by(|a, b| key(a).cmp(&key(b)));
    objects.dedup_by(|a, b| key(a) == key(b));
    changes.sort_by(|a, b| change_key(a).cmp(&change_key(b)));
    let mut m = Manifest { format: MANIFEST_FORMAT, target: target.to_string(), source: None, objects, changes };
    m.source = Some(ManifestSource { database: None, fingerprint: m.fingerprint(&[]) });
    m
}

#[cfg(test)]
mod source_tests {
    use crate::compile::compile;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    fn manifest(sql: &str) -> super::Manifest {
        compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default()).manifest
    }

    #[test]
    fn the_database_comes_from_pg_dumps_header_or_create_database() {
        let dump = "--\n-- Name: Shop Db; Type: DATABASE; Schema: -; Owner: postgres\n--\n\n\
                    CREATE DATABASE \"Shop Db\" WITH TEMPLATE = template0 ENCODING = 'UTF8';\n\
                    CREATE TABLE public.t (id int);\n";
        assert_eq!(manifest(dump).source.unwrap().database.as_deref(), Some("Shop Db"));
        let m = manifest("CREATE DATABASE Shop;\nCREATE TABLE public.t (id int);\n");
        assert_eq!(m.source.unwrap().database.as_deref(), Some("shop"));
        assert_eq!(manifest("CREATE TABLE public.t (id int);\n").source.unwrap().database, None);
    }

    /// What the compile moved to unsupported.sql was in the source: it counts.
    #[test]
    fn the_fingerprint_covers_what_the_source_had() {
        let a =
            manifest("CREATE TABLE public.t (id int PRIMARY KEY);\nCREATE VIEW public.v AS SELECT id FROM public.t;\n");
        let b = manifest(
            "CREATE TABLE public.t (d interval PRIMARY KEY);\nCREATE VIEW public.v AS SELECT d FROM public.t;\n",
        );
        assert!(b.changes.iter().any(|c| c.name == "t"), "{:?}", b.changes);
        assert_eq!(a.source.as_ref().unwrap().fingerprint, b.source.as_ref().unwrap().fingerprint);
        let c = manifest("CREATE TABLE public.other (id int);\n");
        assert_ne!(a.fingerprint(&[]), c.fingerprint(&[]));
    }

    /// Renames and moves: the manifest lists what the target holds, under its names at the end
    /// of the script (and nothing temporary), so its fingerprint is the loaded source's.
    #[test]
    fn renamed_and_moved_objects_are_listed_under_their_last_names() {
        let m = manifest(
            "CREATE SCHEMA s;\n\
             CREATE TABLE public.a (id int PRIMARY KEY, v text);\n\
             CREATE INDEX a_v ON public.a (v);\n\
             ALTER TABLE public.a ADD CONSTRAINT a_v_check CHECK (v <> '');\n\
             ALTER TABLE public.a RENAME TO b;\n\
             ALTER TABLE public.b RENAME COLUMN v TO w;\n\
             ALTER TABLE public.b RENAME CONSTRAINT a_v_check TO b_w_check;\n\
             ALTER INDEX public.a_v RENAME TO b_w;\n\
             CREATE TABLE public.m (id int PRIMARY KEY, n int);\n\
             CREATE INDEX m_n ON public.m (n);\n\
             ALTER TABLE public.m SET SCHEMA s;\n\
             CREATE VIEW public.v1 AS SELECT 1 AS one;\n\
             ALTER VIEW public.v1 RENAME TO v2;\n\
             CREATE TEMP TABLE scratch (x int);\n\
             CREATE INDEX scratch_x ON scratch (x);\n",
        );
        let listed: Vec<String> = m
            .objects
            .iter()
            .map(|o| {
                let on = o.table.as_deref().map(|t| format!(" on {t}")).unwrap_or_default();
                format!("{:?} {}.{}{on}", o.kind, o.schema.as_deref().unwrap_or(""), o.name)
            })
            .collect();
        for want in [
            "Table public.b",
            "Column public.id on b",
            "Column public.w on b",
            "Constraint public.b_w_check on b",
            "Index public.b_w",
            "Table s.m",
            "Column s.id on m",
            "Column s.n on m",
            "Index s.m_n",
            "View public.v2",
        ] {
            assert!(listed.iter().any(|l| l == want), "{want} not in {listed:#?}");
        }
        // The temporary table and its index end with the session.
        assert!(!listed.iter().any(|l| l.contains("scratch")), "{listed:#?}");
        for gone in ["Table public.a", "Column public.v on b", "Index public.a_v", "Table public.m", "View public.v1"] {
            assert!(!listed.iter().any(|l| l == gone), "{gone} still in {listed:#?}");
        }
        let loaded = manifest(
            "CREATE SCHEMA s;\nCREATE TABLE public.b (id int PRIMARY KEY, w text);\n\
             CREATE TABLE s.m (id int PRIMARY KEY, n int);\nCREATE VIEW public.v2 AS SELECT 1 AS one;\n",
        );
        assert_eq!(m.fingerprint(&[]), loaded.fingerprint(&[]));
    }

    #[test]
    fn manifests_without_source_still_load() {
        let m: super::Manifest =
            serde_json::from_str(r#"{"format": 1, "target": "2.6", "objects": [], "changes": []}"#).unwrap();
        assert_eq!(m.source, None);
    }
}

#[cfg(test)]
mod dropped_alter_tests {
    use crate::compile::compile;
    use crate::manifest::{ChangeKind, ObjectKind};
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    /// A dropped `ALTER TABLE … ALTER COLUMN … SET STATISTICS` is a change of that column, not a
    /// sequence named after the table.
    #[test]
    fn a_dropped_alter_table_names_its_column() {
        let sql = "CREATE TABLE public.t (c int);\nALTER TABLE ONLY public.t ALTER COLUMN c SET STATISTICS 500;\n";
        let c = compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default());
        let ch = c.manifest.changes.iter().find(|x| x.name == "c").expect("a change for column c");
        assert_eq!((ch.kind, ch.table.as_deref(), ch.change), (ObjectKind::Column, Some("t"), ChangeKind::Rewritten));
        assert!(!c.manifest.changes.iter().any(|x| x.kind == ObjectKind::Sequence), "{:?}", c.manifest.changes);
    }
}

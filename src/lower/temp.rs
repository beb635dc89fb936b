//! Temporary tables over a script's life: after `CREATE TEMP TABLE t`, an unqualified `t` means
//! the session's temporary table (`pg_temp` comes first in every search path for relations) until
//! it is dropped, renamed or the session ends, not the permanent table of the same name. A name
//! written with its schema (`public.t`) means that schema's table.

use std::collections::BTreeSet;

use pg_query::protobuf::node::Node as N;

use super::classify::{self, TEMP_SCHEMA};
use crate::ir::{Detail, ObjKey, ObjKind, Stmt};

/// A schema no input can name: classifying under it tells which names were written unqualified.
const UNQUALIFIED: &str = "\u{1}unqualified";

/// The temporary tables live in the current session.
#[derive(Default)]
pub struct Temps {
    names: BTreeSet<String>,
}

/// How a statement spells the relation names lowering qualified with the current schema.
struct Spelling {
    /// Names written without a schema somewhere in the statement.
    bare: BTreeSet<String>,
    /// Names written with the current schema (`public.t`) somewhere in the statement.
    qualified: BTreeSet<String>,
    /// The statement's own object is written without a schema.
    object_bare: bool,
    /// Each dropped name is written without a schema (in `Redefine::drops` order).
    drops_bare: Vec<bool>,
}

impl Spelling {
    /// Classify `node` again under [`UNQUALIFIED`]: what lands in it was written without a schema.
    fn of(node: &N, text: &str, schema: &str) -> Spelling {
        let f = classify::classify(node, UNQUALIFIED, text);
        let relations = || {
            let drops = f.redefine.iter().flat_map(|r| r.drops.iter().map(|(k, _)| k));
            f.refs.iter().chain(f.object.iter()).chain(drops).filter(|k| k.kind == ObjKind::Relation)
        };
        let names_in = |s: &str| relations().filter(|k| k.schema == s).map(|k| k.name.clone()).collect();
        Spelling {
            bare: names_in(UNQUALIFIED),
            qualified: names_in(schema),
            object_bare: f.object.as_ref().is_some_and(|o| o.schema == UNQUALIFIED),
            drops_bare: f.redefine.iter().flat_map(|r| r.drops.iter().map(|(k, _)| k.schema == UNQUALIFIED)).collect(),
        }
    }
}

impl Temps {
    /// Point `st`'s relation names that mean a live temporary table at it (lowering qualified
    /// them with the current schema, `schema`; only those written without a schema mean it),
    /// then note the temporary tables it creates, renames and drops.
    pub fn resolve(&mut self, st: &mut Stmt, node: &N, text: &str, schema: &str) {
        // The statement's own name (the walk saw it unqualified) is the temporary table too.
        let created: Vec<String> = st
            .defines
            .iter()
            .filter(|d| d.kind == ObjKind::Relation && d.schema == TEMP_SCHEMA)
            .map(|d| d.name.clone())
            .collect();
        let live = |n: &String| self.names.contains(n) || created.contains(n);
        let temp = |k: &ObjKey| k.kind == ObjKind::Relation && k.schema == schema && live(&k.name);
        let drops = st.redefine.as_deref().map(|r| r.drops.as_slice()).unwrap_or_default();
        let mentioned = st.refs.iter().chain(st.object.iter()).chain(drops.iter().map(|(k, _)| k)).any(temp);
        if !mentioned {
            self.names.extend(created);
            return;
        }
        let spelled = Spelling::of(node, text, schema);
        let mut both = Vec::new();
        for r in st.refs.iter_mut().filter(|r| temp(r) && spelled.bare.contains(&r.name)) {
            // `INSERT INTO t SELECT * FROM public.t` needs both tables.
            if spelled.qualified.contains(&r.name) {
                both.push(r.clone());
            }
            r.schema = TEMP_SCHEMA.to_string();
        }
        if !both.is_empty() {
            st.refs.extend(both);
            st.refs.sort();
            st.refs.dedup();
        }
        // An index on a temporary table is temporary too: it lives in pg_temp.
        if st.kind == "create_index" && st.refs.iter().any(|r| r.kind == ObjKind::Relation && r.schema == TEMP_SCHEMA) {
            for d in st.defines.iter_mut().filter(|d| d.kind == ObjKind::Relation && d.schema == schema) {
                d.schema = TEMP_SCHEMA.to_string();
            }
            if let Detail::CreateIndex(i) = &mut st.detail {
                i.schema = TEMP_SCHEMA.to_string();
            }
        }
        // A statement that creates the name makes a permanent object (creation never goes to
        // pg_temp unless asked).
        let creates = st.object.as_ref().is_some_and(|o| st.defines.contains(o));
        if let Some(o) = st.object.as_mut().filter(|o| !creates && temp(o) && spelled.object_bare) {
            o.schema = TEMP_SCHEMA.to_string();
        }
        let mut gone = false;
        if let Some(r) = st.redefine.as_deref_mut() {
            for (i, (k, _)) in r.drops.iter_mut().enumerate() {
                let bare = spelled.drops_bare.get(i).copied().unwrap_or(false);
                if bare && k.kind == ObjKind::Relation && k.schema == schema && self.names.remove(&k.name) {
                    k.schema = TEMP_SCHEMA.to_string();
                    gone = true;
                }
            }
        }
        // `ALTER TABLE t RENAME TO u` on the temporary table: `u` is temporary too.
        let mut renamed = Vec::new();
        if gone && st.kind == "rename" {
            for d in st.defines.iter_mut().filter(|d| d.kind == ObjKind::Relation && d.schema == schema) {
                d.schema = TEMP_SCHEMA.to_string();
                renamed.push(d.name.clone());
            }
        }
        self.names.extend(created);
        self.names.extend(renamed);
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::ObjKey;
    use crate::source::SourceFile;

    fn refs_of(sql: &str, kind: &str) -> Vec<ObjKey> {
        let pack = crate::rules::RulePack { targets: crate::rules::Targets::builtin(), rules: Vec::new() };
        let c = crate::compile::compile(vec![SourceFile::new("t.sql", sql)], &pack, &Default::default());
        c.ir.stmts.iter().rev().find(|s| s.kind == kind).map(|s| s.refs.clone()).unwrap_or_default()
    }

    /// The unqualified name is the temporary table, `public.t` the permanent one: a statement
    /// naming both needs both; a renamed temporary table is still temporary.
    #[test]
    fn only_unqualified_names_mean_the_temporary_table() {
        let sql = "CREATE TABLE public.t (a int);\n\
                   CREATE TEMP TABLE t (a int);\n\
                   INSERT INTO t SELECT a FROM public.t;\n";
        let refs = refs_of(sql, "insert");
        assert_eq!(refs, [ObjKey::relation("pg_temp", "t"), ObjKey::relation("public", "t")]);
        let sql = "CREATE TEMP TABLE t (a int);\nALTER TABLE t RENAME TO u;\nINSERT INTO u VALUES (1);\n";
        assert_eq!(refs_of(sql, "insert"), [ObjKey::relation("pg_temp", "u")]);
        let sql = "CREATE TEMP TABLE t AS SELECT 1 AS a;\nDELETE FROM t;\nDELETE FROM public.t;\n";
        assert_eq!(refs_of(sql, "delete"), [ObjKey::relation("public", "t")]);
    }

    /// An index on the temporary table is in pg_temp; one on `public.t` in public.
    #[test]
    fn an_index_on_a_temporary_table_is_temporary() {
        let pack = crate::rules::RulePack { targets: crate::rules::Targets::builtin(), rules: Vec::new() };
        let sql = "CREATE TABLE public.t (a int);\nCREATE TEMP TABLE t (a int);\n\
                   CREATE INDEX ti ON t (a);\nCREATE INDEX pti ON public.t (a);\n";
        let c = crate::compile::compile(vec![SourceFile::new("t.sql", sql)], &pack, &Default::default());
        let index = |name: &str| {
            let s = c.ir.stmts.iter().find(|s| s.defines.iter().any(|d| d.name == name)).unwrap();
            let crate::ir::Detail::CreateIndex(i) = &s.detail else { panic!("{name} is not an index") };
            (s.defines[0].schema.clone(), i.schema.clone())
        };
        assert_eq!(index("ti"), ("pg_temp".to_string(), "pg_temp".to_string()));
        assert_eq!(index("pti"), ("public".to_string(), "public".to_string()));
    }
}

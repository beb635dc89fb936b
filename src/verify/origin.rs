//! Whether the source `verify` reads is the database the manifest was compiled from: its name,
//! and the schema fingerprint ([`crate::fingerprint`]) recomputed from the source's catalog. A
//! mismatch is a warning (the comparison still runs), since every difference is then judged
//! against the wrong manifest.

use serde::Serialize;

use super::catalog::Catalog;
use crate::fingerprint;
use crate::manifest::Manifest;

/// Names shown per side when the fingerprints differ.
const SHOWN: usize = 5;

/// How the source differs from the one the manifest records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceMismatch {
    /// The database the manifest was compiled from, when it says.
    pub manifest_database: Option<String>,
    /// The database verify connected to.
    pub source_database: String,
    pub manifest_fingerprint: String,
    pub source_fingerprint: String,
    /// Relations only the manifest's source had (the first few), and how many in all.
    pub only_in_manifest: Vec<String>,
    pub only_in_manifest_count: usize,
    /// Relations only this source has (the first few), and how many in all.
    pub only_in_source: Vec<String>,
    pub only_in_source_count: usize,
}

impl SourceMismatch {
    pub fn database_differs(&self) -> bool {
        self.manifest_database.as_deref().is_some_and(|d| d != self.source_database)
    }

    pub fn fingerprint_differs(&self) -> bool {
        self.manifest_fingerprint != self.source_fingerprint
    }

    /// One line: which manifest, which source, what differs, what to do.
    pub fn message(&self, manifest: &str, source: &str) -> String {
        let mut what = Vec::new();
        if self.database_differs() {
            what.push(format!(
                "it was compiled from database `{}`, the source is `{}`",
                self.manifest_database.as_deref().unwrap_or_default(),
                self.source_database
            ));
        }
        if self.fingerprint_differs() {
            let list = |names: &[String], n: usize| {
                let more = if n > names.len() { format!(", … {} more", n - names.len()) } else { String::new() };
                format!("{n} ({}{more})", names.join(", "))
            };
            let mut parts = Vec::new();
            if self.only_in_manifest_count > 0 {
                parts.push(format!(
                    "only in the manifest: {}",
                    list(&self.only_in_manifest, self.only_in_manifest_count)
                ));
            }
            if self.only_in_source_count > 0 {
                parts.push(format!("only in the source: {}", list(&self.only_in_source, self.only_in_source_count)));
            }
            what.push(format!(
                "its schema fingerprint {} is not the source's {} ({})",
                self.manifest_fingerprint,
                self.source_fingerprint,
                parts.join("; ")
            ));
        }
        format!(
            "manifest {manifest} does not describe the source {source}: {}. Every difference below is judged against \
             it: compile the manifest from this database's dump (pg_dump -s, then pg2znb compile), or pass the \
             manifest compiled for this source",
            what.join("; ")
        )
    }
}

/// Compare what `manifest` records about its source with the source's `catalog` (read over
/// `schemas`, all when empty) and `database` name. `None` when they match, or when the manifest
/// records nothing (written before pg2znb recorded its source).
pub fn check(manifest: &Manifest, catalog: &Catalog, database: &str, schemas: &[String]) -> Option<SourceMismatch> {
    let recorded = manifest.source.as_ref()?;
    // Over the schemas compared: the recorded fingerprint covers every schema of the dump.
    let manifest_fingerprint =
        if schemas.is_empty() { recorded.fingerprint.clone() } else { manifest.fingerprint(schemas) };
    let live = super::diff::fingerprint_lines(catalog);
    let source_fingerprint = fingerprint::digest(&live);
    let m = SourceMismatch {
        manifest_database: recorded.database.clone(),
        source_database: database.to_string(),
        manifest_fingerprint,
        source_fingerprint,
        only_in_manifest: Vec::new(),
        only_in_manifest_count: 0,
        only_in_source: Vec::new(),
        only_in_source_count: 0,
    };
    if !m.database_differs() && !m.fingerprint_differs() {
        return None;
    }
    let mut m = m;
    if m.fingerprint_differs() {
        let ours = fingerprint::canonical(
            manifest
                .source_objects()
                .filter(|o| schemas.is_empty() || o.schema.is_some_and(|s| schemas.iter().any(|x| x == s))),
        );
        let only_ours: Vec<&String> = ours.difference(&live).collect();
        let only_live: Vec<&String> = live.difference(&ours).collect();
        m.only_in_manifest_count = only_ours.len();
        m.only_in_source_count = only_live.len();
        m.only_in_manifest = only_ours.iter().take(SHOWN).map(|l| fingerprint::describe(l)).collect();
        m.only_in_source = only_live.iter().take(SHOWN).map(|l| fingerprint::describe(l)).collect();
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::catalog::{QualName, Table};

    fn table(kind: &str) -> Table {
        Table {
            kind: kind.into(),
            persistence: "permanent".into(),
            partition_key: None,
            parents: None,
            partition_bound: None,
            row_security: false,
            force_row_security: false,
            columns: Vec::new(),
        }
    }

    fn catalog(tables: &[(&str, &str, &str)]) -> Catalog {
        let mut c = Catalog::default();
        for (schema, name, kind) in tables {
            c.schemas.insert(schema.to_string());
            c.tables.insert(QualName::new(*schema, *name), table(kind));
        }
        c
    }

    fn manifest(database: Option<&str>, tables: &[(&str, &str)]) -> Manifest {
        let objects: Vec<String> = tables
            .iter()
            .map(|(s, n)| {
                format!(r#"{{"kind": "table", "schema": "{s}", "name": "{n}", "table": null, "summary": null}}"#)
            })
            .collect();
        let json = format!(
            r#"{{"format": 1, "target": "2.6", "source": {{"database": {}, "fingerprint": "x"}}, "objects": [{}], "changes": []}}"#,
            database.map(|d| format!("\"{d}\"")).unwrap_or("null".into()),
            objects.join(",")
        );
        let mut m: Manifest = serde_json::from_str(&json).unwrap();
        m.source.as_mut().unwrap().fingerprint = m.fingerprint(&[]);
        m
    }

    #[test]
    fn the_same_source_matches_and_foreign_tables_do_not_count() {
        let m = manifest(Some("shop"), &[("public", "a"), ("app", "b")]);
        let c =
            catalog(&[("public", "a", "table"), ("app", "b", "partitioned table"), ("public", "f", "foreign table")]);
        assert_eq!(check(&m, &c, "shop", &[]), None);
        // A manifest without a recorded source is not checked.
        let mut old = m.clone();
        old.source = None;
        assert_eq!(check(&old, &catalog(&[]), "other", &[]), None);
    }

    #[test]
    fn a_different_name_or_schema_is_named() {
        let m = manifest(Some("shop"), &[("public", "a"), ("app", "b")]);
        let c = catalog(&[("public", "a", "table"), ("app", "c", "table")]);
        let x = check(&m, &c, "crm", &[]).unwrap();
        assert!(x.database_differs() && x.fingerprint_differs());
        let msg = x.message("out/manifest.json", "h:5432/crm");
        for part in [
            "manifest out/manifest.json does not describe the source h:5432/crm",
            "compiled from database `shop`, the source is `crm`",
            "only in the manifest: 1 (table app.b)",
            "only in the source: 1 (table app.c)",
            "pass the manifest compiled for this source",
        ] {
            assert!(msg.contains(part), "`{part}` in {msg}");
        }
        // Compared over --schema public only, the fingerprints agree; the name still differs.
        let c = catalog(&[("public", "a", "table")]);
        let x = check(&m, &c, "crm", &["public".into()]).unwrap();
        assert!(x.database_differs() && !x.fingerprint_differs(), "{x:?}");
        assert_eq!(check(&m, &c, "shop", &["public".into()]), None);
    }
}

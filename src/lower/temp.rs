//! Temporary tables over a script's life: after `CREATE TEMP TABLE t`, an unqualified `t` means
//! the session's temporary table (`pg_temp` comes first in every search path) until it is
//! dropped or the session ends, not the permanent table of the same name.

use std::collections::BTreeSet;

use super::classify::TEMP_SCHEMA;
use crate::ir::{ObjKey, ObjKind, Stmt};

/// The temporary tables live in the current session.
#[derive(Default)]
pub struct Temps {
    names: BTreeSet<String>,
}

impl Temps {
    /// Point `st`'s relation names that mean a live temporary table at it (lowering qualified
    /// them with the current schema, `schema`), then note the temporary tables it creates and
    /// drops.
    pub fn resolve(&mut self, st: &mut Stmt, schema: &str) {
        let temp = |k: &ObjKey| k.kind == ObjKind::Relation && k.schema == schema;
        // The statement's own name (the walk saw it unqualified) is the temporary table too.
        let created: Vec<String> = st
            .defines
            .iter()
            .filter(|d| d.kind == ObjKind::Relation && d.schema == TEMP_SCHEMA)
            .map(|d| d.name.clone())
            .collect();
        for name in &created {
            if let Some(r) = st.refs.iter_mut().find(|r| temp(r) && &r.name == name) {
                r.schema = TEMP_SCHEMA.to_string();
            }
        }
        if !self.names.is_empty() {
            let retarget = |k: &mut ObjKey, names: &BTreeSet<String>| {
                if temp(k) && names.contains(&k.name) {
                    k.schema = TEMP_SCHEMA.to_string();
                }
            };
            for r in &mut st.refs {
                retarget(r, &self.names);
            }
            // A statement that creates the name makes a permanent object (creation never goes to
            // pg_temp unless asked).
            let creates = st.object.as_ref().is_some_and(|o| st.defines.contains(o));
            if let Some(o) = st.object.as_mut().filter(|_| !creates) {
                retarget(o, &self.names);
            }
            if let Some(r) = st.redefine.as_deref_mut() {
                for (k, _) in &mut r.drops {
                    if temp(k) && self.names.remove(&k.name) {
                        k.schema = TEMP_SCHEMA.to_string();
                    }
                }
            }
        }
        self.names.extend(created);
    }
}

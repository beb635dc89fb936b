//! Tables renamed or moved (`ALTER TABLE t RENAME TO u`, `… SET SCHEMA s`) keep their
//! constraints and triggers: a later statement that names one on the table's new name
//! (`ALTER TABLE u RENAME CONSTRAINT c TO d`, `COMMENT ON CONSTRAINT c ON u`) needs the definition
//! made on the old one, so it also refers to it there (order then puts it after that definition,
//! in its phase, and moves it with it).

use std::collections::BTreeMap;

use crate::ir::{Ir, ObjKey};

pub fn follow_table_renames(ir: &mut Ir) {
    // A table's later name → the name its members were defined under.
    let mut first_name: BTreeMap<ObjKey, ObjKey> = BTreeMap::new();
    for s in &mut ir.stmts {
        if !first_name.is_empty() {
            let earlier: Vec<ObjKey> = s
                .refs
                .iter()
                .filter_map(|r| {
                    let table = r.table.as_deref()?;
                    let orig = first_name.get(&ObjKey::relation(&r.schema, table))?;
                    Some(ObjKey { schema: orig.schema.clone(), table: Some(orig.name.clone()), ..r.clone() })
                })
                .filter(|k| !s.refs.contains(k))
                .collect();
            s.refs.extend(earlier);
        }
        if let Some((old, new)) = s.renamed_relation() {
            let orig = first_name.get(old).cloned().unwrap_or_else(|| old.clone());
            first_name.insert(new.clone(), orig);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::compile;
    use crate::ir::{ObjKey, ObjKind};
    use crate::rules::{ApplyOptions, RulePack};
    use crate::source::SourceFile;

    /// A constraint named on its table's later names (renamed, then moved) is the one defined on
    /// the first name; statements naming the table under that name stay before the rename.
    #[test]
    fn members_named_on_a_renamed_table_mean_their_definition() {
        let sql = "CREATE SCHEMA archive;\n\
                   CREATE TABLE public.a (id int PRIMARY KEY, v text);\n\
                   ALTER TABLE public.a ADD CONSTRAINT v_len CHECK (length(v) < 9);\n\
                   ALTER TABLE public.a RENAME TO b;\n\
                   ALTER TABLE public.b SET SCHEMA archive;\n\
                   ALTER TABLE archive.b RENAME CONSTRAINT v_len TO v_short;\n\
                   COMMENT ON CONSTRAINT v_short ON archive.b IS 'short';\n";
        let c = compile(vec![SourceFile::new("r.sql", sql)], &RulePack::builtin().unwrap(), &ApplyOptions::default());
        let rename = c.ir.stmts.iter().find(|s| s.kind == "rename" && !s.commands.is_empty()).unwrap();
        assert!(
            rename.refs.contains(&ObjKey::on_table(ObjKind::Constraint, "public", "a", "v_len")),
            "{:?}",
            rename.refs
        );
        assert!(rename.defines.contains(&ObjKey::on_table(ObjKind::Constraint, "archive", "b", "v_short")));
        let pre = &c.scripts.pre_data;
        let at = |needle: &str| pre.find(needle).unwrap_or_else(|| panic!("{needle} not in pre-data:\n{pre}"));
        assert!(at("ADD CONSTRAINT v_len") < at("RENAME TO b"), "{pre}");
        assert!(at("RENAME CONSTRAINT v_len") < at("COMMENT ON CONSTRAINT v_short"), "{pre}");
        // The deferral that would have moved the constraint after the rename says why it did not.
        assert!(
            c.diagnostics.iter().any(|d| d.message.contains("not applied, a later statement renames, moves or drops")),
            "{:?}",
            c.diagnostics
        );
    }
}

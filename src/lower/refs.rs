//! Names a statement mentions, found by walking its parse tree.

use pg_query::protobuf::{self, node::Node as NodeEnum};
use pg_query::NodeRef;

use crate::ir::{ObjKey, ObjKind};

/// String values of a list of `String` nodes (qualified names come as such lists).
pub fn strings(nodes: &[protobuf::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// `(schema, name)` of a possibly qualified name list; unqualified names get `default_schema`.
pub fn qualify(parts: &[String], default_schema: &str) -> (String, String) {
    match parts {
        [] => (default_schema.to_string(), String::new()),
        [name] => (default_schema.to_string(), name.clone()),
        [.., schema, name] => (schema.clone(), name.clone()),
    }
}

pub fn range_var(rv: &protobuf::RangeVar, default_schema: &str) -> ObjKey {
    let schema = if rv.schemaname.is_empty() { default_schema } else { &rv.schemaname };
    ObjKey::relation(schema, &rv.relname)
}

/// Split a regclass literal such as `public.actor_actor_id_seq` or `"Odd"."Name"`.
pub fn regclass_literal(lit: &str, default_schema: &str) -> ObjKey {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = lit.chars().peekable();
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(finish(&mut cur, was_quoted));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    parts.push(finish(&mut cur, was_quoted));
    let (schema, name) = qualify(&parts, default_schema);
    ObjKey::relation(&schema, &name)
}

fn finish(cur: &mut String, quoted: bool) -> String {
    let s = std::mem::take(cur);
    if quoted {
        s
    } else {
        s.to_lowercase()
    }
}

/// Relations, functions and user types mentioned anywhere in the tree.
pub fn collect(node: &NodeEnum, default_schema: &str, out: &mut Vec<ObjKey>) {
    for (n, _, _, _) in node.nodes() {
        match n {
            NodeRef::RangeVar(rv) => out.push(range_var(rv, default_schema)),
            NodeRef::FuncCall(fc) => {
                let parts = strings(&fc.funcname);
                let (schema, name) = qualify(&parts, default_schema);
                if matches!(name.as_str(), "nextval" | "setval" | "currval") {
                    if let Some(lit) = fc.args.first().and_then(string_literal) {
                        out.push(regclass_literal(&lit, default_schema));
                    }
                }
                if schema != "pg_catalog" {
                    out.push(ObjKey::new(ObjKind::Function, &schema, &name));
                }
            }
            NodeRef::CollateClause(c) => out.extend(user_collation(&c.collname, default_schema)),
            NodeRef::TypeName(tn) => {
                if let Some(key) = user_type(tn, default_schema) {
                    // Every table is also a type (its row type: `RETURNS SETOF public.customer`).
                    out.push(ObjKey::relation(&key.schema, &key.name));
                    out.push(key);
                }
            }
            _ => {}
        }
    }
}

/// User types named in typed fields the tree walk does not enter (a column's type, a function's
/// parameter and result types), with the relation of the same name (a table's row type).
pub fn typed(node: &NodeEnum, default_schema: &str, out: &mut Vec<ObjKey>) {
    let columns = |elts: &[protobuf::Node]| -> Vec<Option<protobuf::TypeName>> {
        elts.iter()
            .filter_map(|e| match &e.node {
                Some(NodeEnum::ColumnDef(c)) => Some(c.type_name.clone()),
                _ => None,
            })
            .collect()
    };
    // Tables named in typed fields the walk does not enter.
    let table = match node {
        NodeEnum::CreatePolicyStmt(p) => p.table.as_ref(),
        NodeEnum::AlterPolicyStmt(p) => p.table.as_ref(),
        NodeEnum::CreateTrigStmt(t) => t.relation.as_ref(),
        NodeEnum::RuleStmt(r) => r.relation.as_ref(),
        _ => None,
    };
    if let Some(rv) = table {
        out.push(range_var(rv, default_schema));
    }
    // The table a foreign key references (`Constraint.pktable` is a typed field).
    let mut constraints: Vec<&protobuf::Constraint> = Vec::new();
    match node {
        NodeEnum::CreateStmt(c) => {
            for e in &c.table_elts {
                match &e.node {
                    Some(NodeEnum::Constraint(k)) => constraints.push(k.as_ref()),
                    Some(NodeEnum::ColumnDef(d)) => {
                        constraints.extend(d.constraints.iter().filter_map(|k| match &k.node {
                            Some(NodeEnum::Constraint(k)) => Some(k.as_ref()),
                            _ => None,
                        }))
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::AlterTableStmt(a) => {
            for c in &a.cmds {
                if let Some(NodeEnum::AlterTableCmd(c)) = &c.node {
                    if let Some(NodeEnum::Constraint(k)) = c.def.as_deref().and_then(|d| d.node.as_ref()) {
                        constraints.push(k.as_ref());
                    }
                }
            }
        }
        _ => {}
    }
    for k in constraints {
        if let Some(rv) = &k.pktable {
            out.push(range_var(rv, default_schema));
        }
    }
    if let NodeEnum::CreateStmt(c) = node {
        // The parent of `PARTITION OF p` / `INHERITS (p)`.
        for parent in &c.inh_relations {
            if let Some(NodeEnum::RangeVar(rv)) = &parent.node {
                out.push(range_var(rv, default_schema));
            }
        }
        for e in &c.table_elts {
            if let Some(NodeEnum::ColumnDef(d)) = &e.node {
                if let Some(cc) = &d.coll_clause {
                    out.extend(user_collation(&cc.collname, default_schema));
                }
            }
        }
    }
    let mut add = |tn: Option<&protobuf::TypeName>| {
        if let Some(key) = tn.and_then(|t| user_type(t, default_schema)) {
            out.push(ObjKey::relation(&key.schema, &key.name));
            out.push(key);
        }
    };
    match node {
        NodeEnum::CreateStmt(c) => columns(&c.table_elts).iter().for_each(|t| add(t.as_ref())),
        NodeEnum::CompositeTypeStmt(c) => columns(&c.coldeflist).iter().for_each(|t| add(t.as_ref())),
        NodeEnum::CreateFunctionStmt(f) => {
            add(f.return_type.as_ref());
            for p in &f.parameters {
                if let Some(NodeEnum::FunctionParameter(fp)) = &p.node {
                    add(fp.arg_type.as_ref());
                }
            }
        }
        NodeEnum::AlterTableStmt(a) => {
            for c in &a.cmds {
                if let Some(NodeEnum::AlterTableCmd(c)) = &c.node {
                    if let Some(NodeEnum::ColumnDef(d)) = c.def.as_deref().and_then(|d| d.node.as_ref()) {
                        add(d.type_name.as_ref());
                    }
                }
            }
        }
        _ => {}
    }
}

/// A collation named with a schema other than `pg_catalog` (`COLLATE public.german`): created
/// by the input, as lowering defines it (`ObjKind::Other`). Unqualified names are built in.
fn user_collation(names: &[protobuf::Node], default_schema: &str) -> Option<ObjKey> {
    let parts = strings(names);
    if parts.len() < 2 || parts[parts.len() - 2] == "pg_catalog" {
        return None;
    }
    let (schema, name) = qualify(&parts, default_schema);
    Some(ObjKey::new(ObjKind::Other, &schema, &name))
}

/// Role names the statement mentions (owners, grantees, policy roles), sorted, deduplicated.
/// `PUBLIC`, `CURRENT_USER` and friends are not roles to create.
pub fn roles(node: &NodeEnum, out: &mut Vec<String>) {
    for (n, _, _, _) in node.nodes() {
        if let NodeRef::RoleSpec(r) = n {
            if r.roletype == protobuf::RoleSpecType::RolespecCstring as i32 && !r.rolename.is_empty() {
                out.push(r.rolename.clone());
            }
        }
    }
    out.sort();
    out.dedup();
}

/// A type name that is not built in: qualified with a schema other than `pg_catalog`.
/// Unqualified names are assumed built in (pg_dump qualifies user types).
pub fn user_type(tn: &protobuf::TypeName, default_schema: &str) -> Option<ObjKey> {
    let parts = strings(&tn.names);
    if parts.len() < 2 || parts[parts.len() - 2] == "pg_catalog" {
        return None;
    }
    let (schema, name) = qualify(&parts, default_schema);
    Some(ObjKey::new(ObjKind::Type, &schema, &name))
}

/// The text of a string constant, also under a cast (`'x'::regclass`).
pub fn string_literal(node: &protobuf::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match &c.val {
            Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
            _ => None,
        },
        NodeEnum::TypeCast(tc) => tc.arg.as_deref().and_then(string_literal),
        _ => None,
    }
}

/// The type name as written, e.g. `public.mpaa_rating` or `integer[]`.
pub fn type_display(tn: &protobuf::TypeName) -> String {
    let parts = strings(&tn.names);
    let parts: Vec<&str> = parts.iter().map(|s| s.as_str()).filter(|s| *s != "pg_catalog").collect();
    let mut s = parts.join(".");
    let mods: Vec<String> = tn
        .typmods
        .iter()
        .filter_map(|m| match &m.node {
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(protobuf::a_const::Val::Ival(i)) => Some(i.ival.to_string()),
                Some(protobuf::a_const::Val::Sval(v)) => Some(v.sval.clone()),
                Some(protobuf::a_const::Val::Fval(v)) => Some(v.fval.clone()),
                _ => None,
            },
            // `geometry(MultiPolygon, 4326)`: a word modifier parses as a column reference.
            Some(NodeEnum::ColumnRef(c)) => Some(strings(&c.fields).join(".")),
            _ => None,
        })
        .collect();
    if !mods.is_empty() {
        s.push_str(&format!("({})", mods.join(",")));
    }
    for _ in &tn.array_bounds {
        s.push_str("[]");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regclass_literals_split_and_fold() {
        assert_eq!(regclass_literal("public.Actor_seq", "x"), ObjKey::relation("public", "actor_seq"));
        assert_eq!(regclass_literal("\"My\".\"Seq\"", "x"), ObjKey::relation("My", "Seq"));
        assert_eq!(regclass_literal("seq", "app"), ObjKey::relation("app", "seq"));
    }
}

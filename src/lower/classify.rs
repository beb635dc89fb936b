//! What one parsed statement defines, needs and is, for ordering, rules and the manifest.

use pg_query::protobuf::{self, node::Node as N, AlterTableType, ConstrType, ObjectType};

use super::refs::{self, qualify, range_var, strings};
use crate::ir::{ColumnView, ConstraintView, Detail, IndexView, ObjKey, ObjKind, Session, TableView, TriggerView};

/// Facts about one statement.
#[derive(Default)]
pub struct Facts {
    pub object: Option<ObjKey>,
    pub defines: Vec<ObjKey>,
    pub refs: Vec<ObjKey>,
    pub detail: Detail,
    pub session: Option<Session>,
    pub is_data: bool,
    pub copy_from_stdin: bool,
    /// New default schema after a `SET search_path`.
    pub search_path: Option<String>,
}

pub fn classify(node: &N, schema: &str) -> Facts {
    let mut f = Facts::default();
    match node {
        N::CreateStmt(c) => create_table(c, schema, &mut f),
        N::AlterTableStmt(a) => alter_table(a, schema, &mut f),
        N::IndexStmt(i) => create_index(i, schema, &mut f),
        N::CreateTrigStmt(t) => create_trigger(t, schema, &mut f),
        N::CreateSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                define(&mut f, range_var(rv, schema));
            }
        }
        N::AlterSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                f.object = Some(range_var(rv, schema));
            }
            // OWNED BY schema.table.column
            for opt in &s.options {
                if let Some(N::DefElem(d)) = &opt.node {
                    if d.defname == "owned_by" {
                        if let Some(N::List(l)) = d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                            let parts = strings(&l.items);
                            if parts.len() >= 2 {
                                let (s, t) = qualify(&parts[..parts.len() - 1], schema);
                                f.refs.push(ObjKey::relation(&s, &t));
                            }
                        }
                    }
                }
            }
        }
        N::ViewStmt(v) => {
            if let Some(rv) = &v.view {
                define(&mut f, range_var(rv, schema));
            }
        }
        N::CreateTableAsStmt(c) => {
            if let Some(rv) = c.into.as_ref().and_then(|i| i.rel.as_ref()) {
                define(&mut f, range_var(rv, schema));
            }
        }
        N::CreateFunctionStmt(fs) => {
            let (s, n) = qualify(&strings(&fs.funcname), schema);
            define(&mut f, ObjKey::new(ObjKind::Function, &s, &n));
        }
        N::DefineStmt(d) => {
            let (s, n) = qualify(&strings(&d.defnames), schema);
            let kind = match ObjectType::try_from(d.kind) {
                Ok(ObjectType::ObjectAggregate) => ObjKind::Function,
                Ok(ObjectType::ObjectType) => ObjKind::Type,
                _ => ObjKind::Other,
            };
            define(&mut f, ObjKey::new(kind, &s, &n));
        }
        N::CreateEnumStmt(e) => {
            let (s, n) = qualify(&strings(&e.type_name), schema);
            define(&mut f, ObjKey::new(ObjKind::Type, &s, &n));
        }
        N::CreateRangeStmt(r) => {
            let (s, n) = qualify(&strings(&r.type_name), schema);
            define(&mut f, ObjKey::new(ObjKind::Type, &s, &n));
        }
        N::CompositeTypeStmt(c) => {
            if let Some(rv) = &c.typevar {
                let k = range_var(rv, schema);
                define(&mut f, ObjKey::new(ObjKind::Type, &k.schema, &k.name));
            }
        }
        N::CreateDomainStmt(d) => {
            let (s, n) = qualify(&strings(&d.domainname), schema);
            define(&mut f, ObjKey::new(ObjKind::Type, &s, &n));
        }
        N::CreateSchemaStmt(s) => {
            define(&mut f, ObjKey::new(ObjKind::Schema, "", &s.schemaname));
            // `CREATE SCHEMA s CREATE TABLE t …`: the elements live in the new schema.
            for elt in &s.schema_elts {
                if let Some(node) = &elt.node {
                    let inner = classify(node, &s.schemaname);
                    f.defines.extend(inner.defines);
                    f.refs.extend(inner.refs);
                }
            }
        }
        N::CreateExtensionStmt(e) => define(&mut f, ObjKey::new(ObjKind::Extension, "", &e.extname)),
        N::CreatePolicyStmt(p) => {
            if let Some(rv) = &p.table {
                let t = range_var(rv, schema);
                define(&mut f, ObjKey::on_table(ObjKind::Policy, &t.schema, &t.name, &p.policy_name));
            }
        }
        N::RuleStmt(r) => {
            if let Some(rv) = &r.relation {
                let t = range_var(rv, schema);
                define(&mut f, ObjKey::on_table(ObjKind::Rule, &t.schema, &t.name, &r.rulename));
            }
        }
        N::CommentStmt(c) => {
            if let Some(target) = c.object.as_deref().and_then(|o| object_ref(c.objtype, o, schema)) {
                f.object = Some(target.clone());
                f.refs.push(target);
            }
        }
        N::AlterOwnerStmt(o) => {
            if let Some(target) = o.object.as_deref().and_then(|ob| object_ref(o.object_type, ob, schema)) {
                f.object = Some(target.clone());
                f.refs.push(target);
            }
        }
        N::CopyStmt(c) => {
            if let Some(rv) = &c.relation {
                f.object = Some(range_var(rv, schema));
            }
            if c.is_from {
                f.is_data = true;
                f.copy_from_stdin = c.filename.is_empty() && !c.is_program;
            }
        }
        N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_) => f.is_data = true,
        N::SelectStmt(s) => {
            let calls = top_level_calls(s);
            if !calls.is_empty() && calls.iter().all(|c| c == "set_config") {
                f.session = Some(Session::Setting);
                if let Some(p) = set_config_search_path(s) {
                    f.search_path = Some(p);
                }
            } else if !calls.is_empty() && calls.iter().all(|c| c == "setval") {
                f.is_data = true;
            }
        }
        N::VariableSetStmt(v) => {
            f.session = Some(Session::Setting);
            if v.name == "search_path" {
                f.search_path = Some(first_schema(&v.args));
            }
        }
        _ => {}
    }
    refs::collect(node, schema, &mut f.refs);
    let defined = f.defines.clone();
    f.refs.retain(|r| !defined.contains(r));
    f.refs.sort();
    f.refs.dedup();
    f
}

fn define(f: &mut Facts, key: ObjKey) {
    if f.object.is_none() {
        f.object = Some(key.clone());
    }
    f.defines.push(key);
}

fn create_table(c: &protobuf::CreateStmt, schema: &str, f: &mut Facts) {
    let Some(rv) = &c.relation else { return };
    let key = range_var(rv, schema);
    let mut t = TableView {
        schema: key.schema.clone(),
        name: key.name.clone(),
        exists: true,
        partitioned: c.partspec.is_some(),
        partition: c.partbound.is_some(),
        unlogged: rv.relpersistence == "u",
        temporary: rv.relpersistence == "t",
        ..Default::default()
    };
    for elt in &c.table_elts {
        match &elt.node {
            Some(N::ColumnDef(col)) => {
                let mut cv = ColumnView {
                    name: col.colname.clone(),
                    type_name: col.type_name.as_ref().map(refs::type_display).unwrap_or_default(),
                    not_null: col.is_not_null,
                    has_default: col.raw_default.is_some(),
                    collation: col.coll_clause.as_ref().map(|c| strings(&c.collname).join(".")),
                    ..Default::default()
                };
                for con in &col.constraints {
                    if let Some(N::Constraint(k)) = &con.node {
                        match ConstrType::try_from(k.contype) {
                            Ok(ConstrType::ConstrPrimary) => {
                                t.has_primary_key = true;
                                cv.not_null = true;
                            }
                            Ok(ConstrType::ConstrNotnull) => cv.not_null = true,
                            Ok(ConstrType::ConstrDefault) => cv.has_default = true,
                            Ok(ConstrType::ConstrIdentity) => {
                                cv.identity = Some(if k.generated_when == "a" { "always" } else { "by_default" }.into())
                            }
                            Ok(ConstrType::ConstrGenerated) => {
                                cv.generated = Some(if k.generated_kind == "v" { "virtual" } else { "stored" }.into())
                            }
                            _ => {}
                        }
                        inline_constraint(k, &key, f);
                    }
                }
                t.columns.push(cv);
            }
            Some(N::Constraint(k)) => {
                if k.contype == ConstrType::ConstrPrimary as i32 {
                    t.has_primary_key = true;
                }
                inline_constraint(k, &key, f);
            }
            _ => {}
        }
    }
    define(f, key.clone());
    f.detail = Detail::CreateTable(t);
}

/// Inline constraints define names too (COMMENT ON CONSTRAINT and FKs refer to them).
fn inline_constraint(k: &protobuf::Constraint, table: &ObjKey, f: &mut Facts) {
    if k.conname.is_empty() {
        return;
    }
    f.defines.push(ObjKey::on_table(ObjKind::Constraint, &table.schema, &table.name, &k.conname));
    if k.contype == ConstrType::ConstrPrimary as i32 || k.contype == ConstrType::ConstrUnique as i32 {
        f.defines.push(ObjKey::relation(&table.schema, &k.conname));
    }
}

pub fn constraint_view(k: &protobuf::Constraint, schema: &str) -> ConstraintView {
    let kind = match ConstrType::try_from(k.contype) {
        Ok(ConstrType::ConstrPrimary) => "primary_key",
        Ok(ConstrType::ConstrUnique) => "unique",
        Ok(ConstrType::ConstrCheck) => "check",
        Ok(ConstrType::ConstrForeign) => "foreign_key",
        Ok(ConstrType::ConstrExclusion) => "exclusion",
        Ok(ConstrType::ConstrNotnull) => "not_null",
        _ => "other",
    };
    let columns = if kind == "foreign_key" { strings(&k.fk_attrs) } else { strings(&k.keys) };
    ConstraintView {
        name: k.conname.clone(),
        kind: kind.to_string(),
        columns,
        deferrable: k.deferrable,
        initially_deferred: k.initdeferred,
        not_valid: k.skip_validation,
        references: k.pktable.as_ref().map(|rv| range_var(rv, schema).display()),
        using_index: (!k.indexname.is_empty()).then(|| k.indexname.clone()),
        has_storage_parameters: !k.options.is_empty(),
    }
}

fn alter_table(a: &protobuf::AlterTableStmt, schema: &str, f: &mut Facts) {
    let Some(rv) = &a.relation else { return };
    let table = range_var(rv, schema);
    f.object = Some(table.clone());
    let single = a.cmds.len() == 1;
    for cmd in &a.cmds {
        let Some(N::AlterTableCmd(cmd)) = &cmd.node else { continue };
        let subtype = AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined);
        match subtype {
            AlterTableType::AtAddConstraint => {
                let Some(N::Constraint(k)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else { continue };
                let view = constraint_view(k, schema);
                if !view.name.is_empty() {
                    let ck = ObjKey::on_table(ObjKind::Constraint, &table.schema, &table.name, &view.name);
                    if f.object.as_ref() == Some(&table) {
                        f.object = Some(ck.clone());
                    }
                    f.defines.push(ck);
                    if matches!(view.kind.as_str(), "primary_key" | "unique" | "exclusion") {
                        f.defines.push(ObjKey::relation(&table.schema, &view.name));
                    }
                }
                if let Some(idx) = &view.using_index {
                    f.refs.push(ObjKey::relation(&table.schema, idx));
                }
                if matches!(f.detail, Detail::None) {
                    f.detail = Detail::AddConstraint {
                        table: table.clone(),
                        only: !rv.inh,
                        constraint: view,
                        single_command: single,
                        location: k.location.max(0) as usize,
                    };
                }
            }
            AlterTableType::AtEnableTrig
            | AlterTableType::AtEnableAlwaysTrig
            | AlterTableType::AtEnableReplicaTrig
            | AlterTableType::AtDisableTrig => {
                f.refs.push(ObjKey::on_table(ObjKind::Trigger, &table.schema, &table.name, &cmd.name));
            }
            AlterTableType::AtClusterOn => f.refs.push(ObjKey::relation(&table.schema, &cmd.name)),
            AlterTableType::AtReplicaIdentity => {
                if let Some(N::ReplicaIdentityStmt(r)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                    if !r.name.is_empty() {
                        f.refs.push(ObjKey::relation(&table.schema, &r.name));
                    }
                }
            }
            AlterTableType::AtEnableRule | AlterTableType::AtDisableRule => {
                f.refs.push(ObjKey::on_table(ObjKind::Rule, &table.schema, &table.name, &cmd.name));
            }
            AlterTableType::AtAddIdentity => {
                // pg_dump: ADD GENERATED … AS IDENTITY (SEQUENCE NAME s …) creates the sequence.
                if let Some(N::Constraint(k)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                    for opt in &k.options {
                        if let Some(N::DefElem(d)) = &opt.node {
                            if d.defname == "sequence_name" {
                                if let Some(N::List(l)) = d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                                    let (s, n) = qualify(&strings(&l.items), &table.schema);
                                    f.defines.push(ObjKey::relation(&s, &n));
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn create_index(i: &protobuf::IndexStmt, schema: &str, f: &mut Facts) {
    let Some(rv) = &i.relation else { return };
    let table = range_var(rv, schema);
    let mut columns = Vec::new();
    let mut has_expressions = false;
    for p in &i.index_params {
        if let Some(N::IndexElem(e)) = &p.node {
            if e.name.is_empty() {
                has_expressions = true;
            } else {
                columns.push(e.name.clone());
            }
        }
    }
    let view = IndexView {
        schema: table.schema.clone(),
        name: i.idxname.clone(),
        table: table.name.clone(),
        method: if i.access_method.is_empty() { "btree".into() } else { i.access_method.clone() },
        unique: i.unique,
        partial: i.where_clause.is_some(),
        concurrent: i.concurrent,
        on_only: !rv.inh,
        columns,
        has_expressions,
        has_storage_parameters: !i.options.is_empty(),
    };
    if !i.idxname.is_empty() {
        define(f, ObjKey::relation(&table.schema, &i.idxname));
    } else {
        f.object = Some(table);
    }
    f.detail = Detail::CreateIndex(view);
}

fn create_trigger(t: &protobuf::CreateTrigStmt, schema: &str, f: &mut Facts) {
    let Some(rv) = &t.relation else { return };
    let table = range_var(rv, schema);
    // TRIGGER_TYPE_* bits from PostgreSQL's trigger.h.
    let timing = match t.timing {
        2 => "before",
        64 => "instead_of",
        _ => "after",
    };
    let mut events = Vec::new();
    for (bit, name) in [(4, "insert"), (8, "delete"), (16, "update"), (32, "truncate")] {
        if t.events & bit != 0 {
            events.push(name.to_string());
        }
    }
    let (fs, fname) = qualify(&strings(&t.funcname), schema);
    let view = TriggerView {
        name: t.trigname.clone(),
        schema: table.schema.clone(),
        table: table.name.clone(),
        timing: timing.into(),
        level: if t.row { "row" } else { "statement" }.into(),
        events,
        constraint: t.isconstraint,
        function: format!("{fs}.{fname}"),
        transition_tables: !t.transition_rels.is_empty(),
    };
    define(f, ObjKey::on_table(ObjKind::Trigger, &table.schema, &table.name, &t.trigname));
    f.refs.push(ObjKey::new(ObjKind::Function, &fs, &fname));
    f.detail = Detail::CreateTrigger(view);
}

/// The object a COMMENT ON / ALTER … OWNER TO names.
fn object_ref(objtype: i32, object: &protobuf::Node, schema: &str) -> Option<ObjKey> {
    let ot = ObjectType::try_from(objtype).ok()?;
    let list = || match &object.node {
        Some(N::List(l)) => strings(&l.items),
        Some(N::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    };
    let on_table = |kind| {
        let parts = list();
        let (name, rest) = parts.split_last()?;
        let (s, t) = qualify(rest, schema);
        Some(ObjKey::on_table(kind, &s, &t, name))
    };
    match ot {
        ObjectType::ObjectTable
        | ObjectType::ObjectView
        | ObjectType::ObjectMatview
        | ObjectType::ObjectSequence
        | ObjectType::ObjectIndex
        | ObjectType::ObjectForeignTable => {
            let (s, n) = qualify(&list(), schema);
            Some(ObjKey::relation(&s, &n))
        }
        ObjectType::ObjectColumn => {
            let parts = list();
            let (_, rest) = parts.split_last()?;
            let (s, t) = qualify(rest, schema);
            Some(ObjKey::relation(&s, &t))
        }
        ObjectType::ObjectTabconstraint => on_table(ObjKind::Constraint),
        ObjectType::ObjectTrigger => on_table(ObjKind::Trigger),
        ObjectType::ObjectPolicy => on_table(ObjKind::Policy),
        ObjectType::ObjectRule => on_table(ObjKind::Rule),
        ObjectType::ObjectSchema => Some(ObjKey::new(ObjKind::Schema, "", list().first()?)),
        ObjectType::ObjectExtension => Some(ObjKey::new(ObjKind::Extension, "", list().first()?)),
        ObjectType::ObjectFunction
        | ObjectType::ObjectProcedure
        | ObjectType::ObjectAggregate
        | ObjectType::ObjectRoutine => match &object.node {
            Some(N::ObjectWithArgs(o)) => {
                let (s, n) = qualify(&strings(&o.objname), schema);
                Some(ObjKey::new(ObjKind::Function, &s, &n))
            }
            _ => None,
        },
        ObjectType::ObjectType | ObjectType::ObjectDomain => match &object.node {
            Some(N::TypeName(t)) => {
                let (s, n) = qualify(&strings(&t.names), schema);
                Some(ObjKey::new(ObjKind::Type, &s, &n))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Names of the functions a `SELECT f(…), g(…)` without FROM calls at top level.
fn top_level_calls(s: &protobuf::SelectStmt) -> Vec<String> {
    if !s.from_clause.is_empty() {
        return Vec::new();
    }
    s.target_list
        .iter()
        .filter_map(|t| match &t.node {
            Some(N::ResTarget(r)) => match r.val.as_deref().and_then(|v| v.node.as_ref()) {
                Some(N::FuncCall(fc)) => strings(&fc.funcname).last().cloned(),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn set_config_search_path(s: &protobuf::SelectStmt) -> Option<String> {
    for t in &s.target_list {
        let Some(N::ResTarget(r)) = &t.node else { continue };
        let Some(N::FuncCall(fc)) = r.val.as_deref().and_then(|v| v.node.as_ref()) else { continue };
        let args: Vec<Option<String>> = fc.args.iter().map(refs::string_literal).collect();
        if args.first().cloned().flatten().as_deref() == Some("search_path") {
            let v = args.get(1).cloned().flatten().unwrap_or_default();
            return Some(first_of_list(&v));
        }
    }
    None
}

fn first_schema(args: &[protobuf::Node]) -> String {
    let first = args.first().and_then(refs::string_literal).or_else(|| {
        args.first().and_then(|a| match &a.node {
            Some(N::AConst(c)) => match &c.val {
                Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                _ => None,
            },
            _ => None,
        })
    });
    first_of_list(&first.unwrap_or_default())
}

/// First schema of a search_path value; `$user` and empty fall back to `public`.
fn first_of_list(v: &str) -> String {
    let first = v.split(',').next().unwrap_or("").trim().trim_matches('"');
    if first.is_empty() || first == "$user" || first == "pg_catalog" {
        "public".into()
    } else {
        first.to_string()
    }
}

//! What one parsed statement defines, needs and is, for ordering, rules and the manifest.

use pg_query::protobuf::{self, node::Node as N, AlterTableType, ConstrType, ObjectType};

use super::refs::{self, qualify, range_var, strings};
use crate::ir::{
    ColumnView, CommandView, ConstraintView, Detail, FunctionView, IndexView, LikeClause, ObjKey, ObjKind, Redefine,
    SequenceView, Session, SettingView, TableView, Transaction, TriggerView, TypeDef, TypeRef, ViewView,
};
use crate::source::Span;

pub use crate::ir::TEMP_SCHEMA;

/// Facts about one statement.
#[derive(Default)]
pub struct Facts {
    pub object: Option<ObjKey>,
    pub defines: Vec<ObjKey>,
    pub refs: Vec<ObjKey>,
    pub detail: Detail,
    pub commands: Vec<CommandView>,
    pub roles: Vec<String>,
    pub only: bool,
    pub options: std::collections::BTreeMap<String, String>,
    pub schema_elements: usize,
    pub session: Option<Session>,
    pub is_data: bool,
    pub copy_from_stdin: bool,
    pub settings: Vec<SettingView>,
    /// New default schema after a `SET search_path`.
    pub search_path: Option<String>,
    pub redefine: Option<Box<Redefine>>,
}

pub fn classify(node: &N, schema: &str, text: &str) -> Facts {
    let mut f = Facts::default();
    match node {
        N::CreateStmt(c) => create_table(c, schema, text, &mut f),
        N::CreateForeignTableStmt(c) => {
            f.refs.push(ObjKey::new(ObjKind::Other, "", &c.servername));
            if let Some(base) = &c.base_stmt {
                create_table(base, schema, text, &mut f);
                if let Detail::CreateTable(t) = &mut f.detail {
                    t.foreign = true;
                }
            }
        }
        N::AlterTableStmt(a) => alter_table(a, schema, text, &mut f),
        N::IndexStmt(i) => {
            create_index(i, schema, &mut f);
            // An access method the input may create (`CREATE ACCESS METHOD`).
            if !i.access_method.is_empty() {
                f.refs.push(ObjKey::new(ObjKind::Other, "", &i.access_method));
            }
        }
        N::CreateTrigStmt(t) => create_trigger(t, schema, &mut f),
        N::CreateSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                let k = range_var(rv, schema);
                let cache = def_elems(&s.options).find(|d| d.defname == "cache").and_then(def_int);
                f.detail =
                    Detail::CreateSequence(SequenceView { schema: k.schema.clone(), name: k.name.clone(), cache });
                define(&mut f, k);
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
                let k = range_var(rv, schema);
                let check_option = match v.with_check_option {
                    1 => None, // NO_CHECK_OPTION
                    2 => Some("local".to_string()),
                    3 => Some("cascaded".to_string()),
                    _ => None,
                };
                let opts: Vec<&protobuf::DefElem> = def_elems(&v.options).collect();
                let check_option =
                    check_option.or_else(|| opts.iter().find(|d| d.defname == "check_option").map(|d| def_string(d)));
                f.detail = Detail::CreateView(ViewView {
                    schema: k.schema.clone(),
                    name: k.name.clone(),
                    materialized: false,
                    check_option,
                    security_invoker: opts.iter().any(|d| d.defname == "security_invoker" && def_bool(d)),
                    recursive: false,
                    with_no_data: false,
                    access_method: None,
                });
                define(&mut f, k);
            }
        }
        N::CreateTableAsStmt(c) => {
            if let Some(into) = c.into.as_deref() {
                if let Some(rv) = &into.rel {
                    // `CREATE TEMP TABLE t AS …` unqualified: the session's own schema, as for
                    // CREATE TEMP TABLE.
                    let k = if rv.relpersistence == "t" && rv.schemaname.is_empty() {
                        ObjKey::relation(TEMP_SCHEMA, &rv.relname)
                    } else {
                        range_var(rv, schema)
                    };
                    if c.objtype == ObjectType::ObjectMatview as i32 {
                        f.detail = Detail::CreateView(ViewView {
                            schema: k.schema.clone(),
                            name: k.name.clone(),
                            materialized: true,
                            with_no_data: into.skip_data,
                            access_method: (!into.access_method.is_empty()).then(|| into.access_method.to_lowercase()),
                            ..Default::default()
                        });
                    }
                    define(&mut f, k);
                }
            }
        }
        N::CreateFunctionStmt(fs) => {
            let (s, n) = qualify(&strings(&fs.funcname), schema);
            let opts: Vec<&protobuf::DefElem> = def_elems(&fs.options).collect();
            let returns = fs.return_type.as_ref().map(refs::type_display);
            let mut percent_type = fs.return_type.as_ref().is_some_and(|t| t.pct_type);
            for p in &fs.parameters {
                if let Some(N::FunctionParameter(fp)) = &p.node {
                    percent_type |= fp.arg_type.as_ref().is_some_and(|t| t.pct_type);
                }
            }
            f.detail = Detail::CreateFunction(FunctionView {
                schema: s.clone(),
                name: n.clone(),
                procedure: fs.is_procedure,
                language: opts.iter().find(|d| d.defname == "language").map(|d| def_string(d)).unwrap_or_default(),
                sql_body: fs.sql_body.is_some(),
                returns_trigger: returns.as_deref() == Some("trigger"),
                returns,
                percent_type,
                inputs: inputs(fs.parameters.iter()),
                defaults: input_params(fs.parameters.iter()).filter(|fp| fp.defexpr.is_some()).count(),
                variadic: input_params(fs.parameters.iter()).any(|fp| {
                    protobuf::FunctionParameterMode::try_from(fp.mode)
                        .is_ok_and(|m| m == protobuf::FunctionParameterMode::FuncParamVariadic)
                }),
                result: fs.return_type.as_ref().filter(|t| !t.setof && !t.pct_type).map(|t| type_ref(t, schema)),
            });
            define(&mut f, ObjKey::new(ObjKind::Function, &s, &n));
            // A SQL function's string body names relations too: it needs them when it is created
            // (unless `check_function_bodies` is off) and when it runs.
            let language = opts.iter().find(|d| d.defname == "language").map(|d| def_string(d));
            if fs.sql_body.is_none() && language.as_deref().is_some_and(|l| l.eq_ignore_ascii_case("sql")) {
                if let Some(body) = opts.iter().find(|d| d.defname == "as").and_then(|d| sql_string_body(d)) {
                    if let Ok(parsed) = pg_query::parse(&body, 0) {
                        for raw in &parsed.protobuf.stmts {
                            if let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
                                refs::collect(node, schema, &mut f.refs);
                                refs::typed(node, schema, &mut f.refs);
                            }
                        }
                    }
                }
            }
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
            f.detail = Detail::CreateType(Box::new(TypeDef { kind: "range".into(), parts: Vec::new() }));
        }
        N::CompositeTypeStmt(c) => {
            if let Some(rv) = &c.typevar {
                let k = range_var(rv, schema);
                define(&mut f, ObjKey::new(ObjKind::Type, &k.schema, &k.name));
                let parts = c
                    .coldeflist
                    .iter()
                    .filter_map(|e| match &e.node {
                        Some(N::ColumnDef(col)) => col.type_name.as_ref().map(|t| type_ref(t, schema)),
                        _ => None,
                    })
                    .collect();
                f.detail = Detail::CreateType(Box::new(TypeDef { kind: "composite".into(), parts }));
            }
        }
        N::CreateDomainStmt(d) => {
            let (s, n) = qualify(&strings(&d.domainname), schema);
            define(&mut f, ObjKey::new(ObjKind::Type, &s, &n));
            let parts = d.type_name.as_ref().map(|t| type_ref(t, schema)).into_iter().collect();
            f.detail = Detail::CreateType(Box::new(TypeDef { kind: "domain".into(), parts }));
        }
        N::CreateSchemaStmt(s) => {
            define(&mut f, ObjKey::new(ObjKind::Schema, "", &s.schemaname));
            // `CREATE SCHEMA s CREATE TABLE t …`: the elements live in the new schema.
            for elt in &s.schema_elts {
                if let Some(node) = &elt.node {
                    let inner = classify(node, &s.schemaname, text);
                    f.defines.extend(inner.defines);
                    f.refs.extend(inner.refs);
                }
            }
        }
        N::CreateExtensionStmt(e) => {
            f.detail = Detail::CreateExtension { name: e.extname.clone() };
            define(&mut f, ObjKey::new(ObjKind::Extension, "", &e.extname));
        }
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
        N::CreateConversionStmt(c) => {
            let (s, n) = qualify(&strings(&c.conversion_name), schema);
            define(&mut f, ObjKey::new(ObjKind::Other, &s, &n));
        }
        N::CreateAmStmt(a) => define(&mut f, ObjKey::new(ObjKind::Other, "", &a.amname)),
        N::CreateForeignServerStmt(c) => {
            define(&mut f, ObjKey::new(ObjKind::Other, "", &c.servername));
            f.refs.push(ObjKey::new(ObjKind::Other, "", &c.fdwname));
        }
        N::CreateFdwStmt(c) => define(&mut f, ObjKey::new(ObjKind::Other, "", &c.fdwname)),
        // Statements that change or use a database-wide or schema object by name: they need its
        // definition, and follow it to unsupported.sql when it moves.
        N::GrantStmt(g) if g.targtype == protobuf::GrantTargetType::AclTargetObject as i32 => {
            for o in &g.objects {
                if let Some(target) = object_ref(g.objtype, o, schema) {
                    f.refs.push(target);
                }
            }
        }
        N::CreateUserMappingStmt(c) => f.refs.push(ObjKey::new(ObjKind::Other, "", &c.servername)),
        N::AlterUserMappingStmt(c) => f.refs.push(ObjKey::new(ObjKind::Other, "", &c.servername)),
        N::AlterForeignServerStmt(c) => named(&mut f, ObjKey::new(ObjKind::Other, "", &c.servername)),
        N::AlterFdwStmt(c) => named(&mut f, ObjKey::new(ObjKind::Other, "", &c.fdwname)),
        N::AlterTsconfigurationStmt(c) => {
            let (s, n) = qualify(&strings(&c.cfgname), schema);
            named(&mut f, ObjKey::new(ObjKind::Other, &s, &n));
            for d in &c.dicts {
                if let Some(N::List(l)) = &d.node {
                    let (s, n) = qualify(&strings(&l.items), schema);
                    f.refs.push(ObjKey::new(ObjKind::Other, &s, &n));
                }
            }
        }
        N::AlterTsdictionaryStmt(c) => {
            let (s, n) = qualify(&strings(&c.dictname), schema);
            named(&mut f, ObjKey::new(ObjKind::Other, &s, &n));
        }
        N::AlterCollationStmt(c) => {
            let (s, n) = qualify(&strings(&c.collname), schema);
            named(&mut f, ObjKey::new(ObjKind::Other, &s, &n));
        }
        N::AlterOperatorStmt(o) => {
            if let Some(op) = &o.opername {
                let (s, n) = qualify(&strings(&op.objname), schema);
                named(&mut f, ObjKey::new(ObjKind::Other, &s, &n));
            }
        }
        N::CreateOpClassStmt(c) => f.refs.push(ObjKey::new(ObjKind::Other, "", &c.amname)),
        N::CreateOpFamilyStmt(c) => f.refs.push(ObjKey::new(ObjKind::Other, "", &c.amname)),
        N::RenameStmt(r) if r.relation.is_none() => {
            if let Some(target) = r.object.as_deref().and_then(|o| object_ref(r.rename_type, o, schema)) {
                f.object = Some(target.clone());
                f.refs.push(target);
            }
        }
        // `ALTER TABLE t RENAME TO u`, `ALTER TABLE t SET SCHEMA s`: the table lives on under its
        // new name (which later statements mean); the old one is free (`redefinition`).
        // The walk does not enter their typed `relation`: they need the table they alter.
        N::RenameStmt(r) => {
            if let Some(rv) = &r.relation {
                let old = range_var(rv, schema);
                if relation_kind(r.rename_type) {
                    f.defines.push(ObjKey::relation(&old.schema, &r.newname));
                }
                // What lives on the table under a new name (the manifest follows it).
                let renamed = match ObjectType::try_from(r.rename_type) {
                    Ok(ObjectType::ObjectColumn) => Some("rename_column"),
                    Ok(ObjectType::ObjectTabconstraint) => Some("rename_constraint"),
                    Ok(ObjectType::ObjectTrigger) => Some("rename_trigger"),
                    _ => None,
                };
                // A constraint or trigger renamed: the statement needs it (it goes where the
                // definition goes: post-data, when deferred) and defines its new name.
                let member = match ObjectType::try_from(r.rename_type) {
                    Ok(ObjectType::ObjectTabconstraint) => Some(ObjKind::Constraint),
                    Ok(ObjectType::ObjectTrigger) => Some(ObjKind::Trigger),
                    _ => None,
                };
                if let Some(kind) = member.filter(|_| !r.subname.is_empty()) {
                    f.refs.push(ObjKey::on_table(kind, &old.schema, &old.name, &r.subname));
                    f.defines.push(ObjKey::on_table(kind, &old.schema, &old.name, &r.newname));
                }
                if let Some(kind) = renamed.filter(|_| !r.subname.is_empty()) {
                    f.commands.push(CommandView {
                        kind: kind.into(),
                        name: Some(r.subname.clone()),
                        to: Some(r.newname.clone()),
                        span: Span::default(),
                    });
                }
                // `ALTER TYPE t RENAME ATTRIBUTE a TO b` names its composite type as a relation.
                let is_type = r.relation_type == ObjectType::ObjectType as i32;
                named(&mut f, if is_type { ObjKey { kind: ObjKind::Type, ..old } } else { old });
            }
        }
        N::AlterObjectSchemaStmt(a) if a.relation.is_some() => {
            if let Some(rv) = &a.relation {
                let old = range_var(rv, schema);
                if relation_kind(a.object_type) {
                    f.defines.push(ObjKey::relation(&a.newschema, &old.name));
                }
                named(&mut f, old);
            }
        }
        N::AlterObjectSchemaStmt(a) if a.relation.is_none() => {
            if let Some(target) = a.object.as_deref().and_then(|o| object_ref(a.object_type, o, schema)) {
                f.object = Some(target.clone());
                f.refs.push(target);
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
    f.settings = settings(node, text);
    refs::collect(node, schema, &mut f.refs);
    refs::typed(node, schema, &mut f.refs);
    refs::roles(node, &mut f.roles);
    let option_list: &[protobuf::Node] = match node {
        N::DefineStmt(d) => &d.definition,
        N::CreatedbStmt(d) => &d.options,
        N::CreateExtensionStmt(e) => &e.options,
        N::CreateSeqStmt(s) => &s.options,
        N::AlterSeqStmt(s) => &s.options,
        N::ViewStmt(v) => &v.options,
        N::CreateStmt(c) => &c.options,
        N::IndexStmt(i) => &i.options,
        N::CreateTableSpaceStmt(t) => &t.options,
        N::AlterDatabaseStmt(d) => &d.options,
        _ => &[],
    };
    for d in def_elems(option_list) {
        f.options.insert(d.defname.to_lowercase(), def_string_any(d));
    }
    // `DROP INDEX CONCURRENTLY`: the keyword as an option, for the rule that strips it.
    if let N::DropStmt(d) = node {
        if d.concurrent {
            f.options.insert("concurrently".into(), "true".into());
        }
        // How many objects one DROP names, and of which kind (`index`, `matview`, `ts_config`…).
        f.options.insert("objects".into(), d.objects.len().to_string());
        if let Ok(t) = protobuf::ObjectType::try_from(d.remove_type) {
            let name = t.as_str_name().trim_start_matches("OBJECT_").to_lowercase();
            f.options.insert("object_type".into(), name);
        }
        // A DROP without IF EXISTS fails when the object is not there: it needs its definition
        // (and follows it to unsupported.sql).
        if !d.missing_ok {
            f.refs.extend(d.objects.iter().filter_map(|o| object_ref(d.remove_type, o, schema)));
        }
    }
    if let N::CreateSchemaStmt(s) = node {
        f.schema_elements = s.schema_elts.len();
    }
    // What a RENAME / SET SCHEMA / OWNER TO statement alters (`aggregate`, `collation`, …).
    let altered = match node {
        N::RenameStmt(r) => Some(r.rename_type),
        N::AlterObjectSchemaStmt(a) => Some(a.object_type),
        N::AlterOwnerStmt(o) => Some(o.object_type),
        _ => None,
    };
    if let Some(t) = altered.and_then(|t| protobuf::ObjectType::try_from(t).ok()) {
        f.options.insert("object_type".into(), t.as_str_name().trim_start_matches("OBJECT_").to_lowercase());
    }
    // Typed RoleSpec fields are not reached by the tree walk.
    let mut owner = |r: &Option<protobuf::RoleSpec>| {
        if let Some(r) = r {
            if r.roletype == protobuf::RoleSpecType::RolespecCstring as i32 && !r.rolename.is_empty() {
                f.roles.push(r.rolename.clone());
            }
        }
    };
    match node {
        N::AlterOwnerStmt(o) => owner(&o.newowner),
        N::AlterTableStmt(a) => {
            for c in &a.cmds {
                if let Some(N::AlterTableCmd(c)) = &c.node {
                    owner(&c.newowner);
                }
            }
        }
        N::CreateSchemaStmt(c) => owner(&c.authrole),
        N::GrantStmt(g) => owner(&g.grantor),
        _ => {}
    }
    let listed: Vec<&protobuf::Node> = match node {
        N::GrantStmt(g) => g.grantees.iter().collect(),
        N::CreatePolicyStmt(p) => p.roles.iter().collect(),
        N::AlterPolicyStmt(p) => p.roles.iter().collect(),
        N::GrantRoleStmt(g) => g.grantee_roles.iter().chain(g.granted_roles.iter()).collect(),
        N::AlterDefaultPrivilegesStmt(a) => {
            let mut v: Vec<&protobuf::Node> = a.action.iter().flat_map(|g| g.grantees.iter()).collect();
            for d in def_elems(&a.options) {
                if let Some(N::List(l)) = d.arg.as_deref().and_then(|x| x.node.as_ref()) {
                    v.extend(l.items.iter());
                }
            }
            v
        }
        _ => Vec::new(),
    };
    for n in listed {
        match &n.node {
            Some(N::RoleSpec(r)) if r.roletype == protobuf::RoleSpecType::RolespecCstring as i32 => {
                f.roles.push(r.rolename.clone())
            }
            _ => {}
        }
    }
    f.roles.sort();
    f.roles.dedup();
    if let N::AlterTableStmt(a) = node {
        f.only = a.relation.as_ref().is_some_and(|r| !r.inh);
    }
    f.redefine = redefinition(node, schema);
    let defined = f.defines.clone();
    f.refs.retain(|r| !defined.contains(r));
    f.refs.sort();
    f.refs.dedup();
    f
}

/// The object type names a relation (what `ALTER TABLE/VIEW/… RENAME TO` and `SET SCHEMA` move).
fn relation_kind(t: i32) -> bool {
    matches!(
        ObjectType::try_from(t),
        Ok(ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectIndex
            | ObjectType::ObjectSequence
            | ObjectType::ObjectForeignTable)
    )
}

/// How the statement meets earlier definitions (see [`Redefine`]); `None` for a plain one.
fn redefinition(node: &N, schema: &str) -> Option<Box<Redefine>> {
    let temporary = |rv: Option<&protobuf::RangeVar>| rv.is_some_and(|r| r.relpersistence == "t");
    let mut r = Redefine::default();
    match node {
        N::CreateStmt(c) => {
            r.tolerant = c.if_not_exists;
            r.unchecked = temporary(c.relation.as_ref());
        }
        N::CreateForeignTableStmt(c) => r.tolerant = c.base_stmt.as_ref().is_some_and(|b| b.if_not_exists),
        N::IndexStmt(i) => {
            r.tolerant = i.if_not_exists;
            r.unchecked = temporary(i.relation.as_ref());
        }
        N::CreateSeqStmt(c) => {
            r.tolerant = c.if_not_exists;
            r.unchecked = temporary(c.sequence.as_ref());
        }
        N::ViewStmt(v) => {
            r.tolerant = v.replace;
            r.unchecked = temporary(v.view.as_ref());
        }
        N::CreateTableAsStmt(c) => {
            r.tolerant = c.if_not_exists;
            r.unchecked = temporary(c.into.as_ref().and_then(|i| i.rel.as_ref()));
        }
        N::CreateSchemaStmt(c) => r.tolerant = c.if_not_exists,
        N::CreateExtensionStmt(c) => r.tolerant = c.if_not_exists,
        N::CreateTrigStmt(t) => r.tolerant = t.replace,
        N::RuleStmt(x) => r.tolerant = x.replace,
        N::CreateFunctionStmt(fs) => {
            r.tolerant = fs.replace;
            r.signature = Some(signature(fs.parameters.iter()));
        }
        N::DefineStmt(d) => {
            r.tolerant = d.replace || d.if_not_exists;
            match ObjectType::try_from(d.kind) {
                // `CREATE TYPE t;` is a placeholder the full definition completes.
                Ok(ObjectType::ObjectType) if d.definition.is_empty() => r.unchecked = true,
                // `CREATE AGGREGATE a(int4) (…)`: args = [list of parameters, number of direct ones].
                Ok(ObjectType::ObjectAggregate) => {
                    let params = match d.args.first().and_then(|a| a.node.as_ref()) {
                        Some(N::List(l)) => l.items.iter().collect(),
                        _ => Vec::new(),
                    };
                    r.signature = Some(signature(params.into_iter()));
                }
                _ => {}
            }
        }
        N::DropStmt(d) => {
            for o in &d.objects {
                if let Some(key) = object_ref(d.remove_type, o, schema) {
                    let sig = match &o.node {
                        Some(N::ObjectWithArgs(w)) if !w.args_unspecified => Some(type_list(&w.objargs)),
                        _ => None,
                    };
                    r.drops.push((key, sig));
                }
            }
        }
        N::AlterTableStmt(a) => {
            let Some(rv) = &a.relation else { return None };
            let table = range_var(rv, schema);
            for cmd in &a.cmds {
                if let Some(N::AlterTableCmd(c)) = &cmd.node {
                    if c.subtype == AlterTableType::AtDropConstraint as i32 {
                        r.drops
                            .push((ObjKey::on_table(ObjKind::Constraint, &table.schema, &table.name, &c.name), None));
                        r.drops.push((ObjKey::relation(&table.schema, &c.name), None));
                    }
                }
            }
        }
        N::AlterObjectSchemaStmt(a) if relation_kind(a.object_type) => {
            r.drops.extend(a.relation.as_ref().map(|rv| (range_var(rv, schema), None)));
        }
        // The old name is free again (the object keeps living under its new name).
        N::RenameStmt(rn) => {
            let on_table = rn.relation.as_ref().map(|rv| range_var(rv, schema));
            let key = match (ObjectType::try_from(rn.rename_type), &on_table) {
                (
                    Ok(
                        ObjectType::ObjectTable
                        | ObjectType::ObjectView
                        | ObjectType::ObjectMatview
                        | ObjectType::ObjectIndex
                        | ObjectType::ObjectSequence
                        | ObjectType::ObjectForeignTable,
                    ),
                    Some(t),
                ) => Some(t.clone()),
                (Ok(ObjectType::ObjectTabconstraint), Some(t)) => {
                    r.drops.push((ObjKey::relation(&t.schema, &rn.subname), None));
                    Some(ObjKey::on_table(ObjKind::Constraint, &t.schema, &t.name, &rn.subname))
                }
                (Ok(ObjectType::ObjectTrigger), Some(t)) => {
                    Some(ObjKey::on_table(ObjKind::Trigger, &t.schema, &t.name, &rn.subname))
                }
                (Ok(ObjectType::ObjectSchema), _) => Some(ObjKey::new(ObjKind::Schema, "", &rn.subname)),
                (Ok(ot), _) => rn.object.as_deref().and_then(|o| object_ref(ot as i32, o, schema)),
                _ => None,
            };
            r.drops.extend(key.map(|k| (k, None)));
        }
        N::TransactionStmt(t) => {
            use protobuf::TransactionStmtKind as K;
            r.transaction = match K::try_from(t.kind) {
                Ok(K::TransStmtBegin | K::TransStmtStart) => Some(Transaction::Begin),
                Ok(K::TransStmtCommit) if !t.chain => Some(Transaction::Commit),
                Ok(K::TransStmtRollback) if !t.chain => Some(Transaction::Rollback),
                _ => None,
            };
        }
        _ => return None,
    }
    (r != Redefine::default()).then(|| Box::new(r))
}

/// The input argument types of a function's parameters, as `int4,text[]` (type names without
/// their schema: `integer` and `pg_catalog.int4` are one type, and overloads rarely differ by
/// schema alone).
fn signature<'a>(params: impl Iterator<Item = &'a protobuf::Node>) -> String {
    use protobuf::FunctionParameterMode as M;
    let types: Vec<&protobuf::TypeName> = params
        .filter_map(|p| match &p.node {
            Some(N::FunctionParameter(fp))
                if !matches!(M::try_from(fp.mode), Ok(M::FuncParamOut | M::FuncParamTable)) =>
            {
                fp.arg_type.as_ref()
            }
            _ => None,
        })
        .collect();
    types.iter().map(|t| type_key(t)).collect::<Vec<_>>().join(",")
}

/// How many arguments a call passes to a function with these parameters (all but OUT and TABLE).
fn inputs<'a>(params: impl Iterator<Item = &'a protobuf::Node>) -> usize {
    input_params(params).count()
}

/// The parameters a call passes arguments to (all but OUT and TABLE).
fn input_params<'a>(
    params: impl Iterator<Item = &'a protobuf::Node>,
) -> impl Iterator<Item = &'a protobuf::FunctionParameter> {
    use protobuf::FunctionParameterMode as M;
    params.filter_map(|p| match &p.node {
        Some(N::FunctionParameter(fp)) if !matches!(M::try_from(fp.mode), Ok(M::FuncParamOut | M::FuncParamTable)) => {
            Some(&**fp)
        }
        _ => None,
    })
}

/// [`signature`] of the `TypeName`s of `DROP FUNCTION f(int, text)`.
fn type_list(args: &[protobuf::Node]) -> String {
    args.iter()
        .filter_map(|a| match &a.node {
            Some(N::TypeName(t)) => Some(type_key(t)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn type_key(t: &protobuf::TypeName) -> String {
    let mut k = strings(&t.names).pop().unwrap_or_default();
    if t.pct_type {
        k.push_str("%type");
    }
    for _ in &t.array_bounds {
        k.push_str("[]");
    }
    k
}

/// The statement changes `key`: its object, and a name it needs.
fn named(f: &mut Facts, key: ObjKey) {
    f.object = Some(key.clone());
    f.refs.push(key);
}

fn define(f: &mut Facts, key: ObjKey) {
    if f.object.is_none() {
        f.object = Some(key.clone());
    }
    f.defines.push(key);
}

fn create_table(c: &protobuf::CreateStmt, schema: &str, text: &str, f: &mut Facts) {
    let Some(rv) = &c.relation else { return };
    // An unqualified temporary table lives in the session's own schema, not in the schema of
    // the permanent table it may share a name with.
    let key = if rv.relpersistence == "t" && rv.schemaname.is_empty() {
        ObjKey::relation(TEMP_SCHEMA, &rv.relname)
    } else {
        range_var(rv, schema)
    };
    let mut t = TableView {
        schema: key.schema.clone(),
        name: key.name.clone(),
        exists: true,
        partitioned: c.partspec.is_some(),
        partition: c.partbound.is_some(),
        unlogged: rv.relpersistence == "u",
        temporary: rv.relpersistence == "t",
        partition_of: if c.partbound.is_some() {
            c.inh_relations.iter().find_map(|n| match &n.node {
                Some(N::RangeVar(p)) => Some(range_var(p, schema).display()),
                _ => None,
            })
        } else {
            None
        },
        inherits: if c.partbound.is_some() {
            Vec::new()
        } else {
            c.inh_relations
                .iter()
                .filter_map(|n| match &n.node {
                    Some(N::RangeVar(p)) => Some(range_var(p, schema).display()),
                    _ => None,
                })
                .collect()
        },
        storage_parameters: def_elems(&c.options).map(|d| d.defname.clone()).collect(),
        tablespace: (!c.tablespacename.is_empty()).then(|| c.tablespacename.clone()),
        access_method: (!c.access_method.is_empty()).then(|| c.access_method.to_lowercase()),
        of_type: c.of_typename.as_ref().map(refs::type_display),
        ..Default::default()
    };
    if let Some(ps) = &c.partspec {
        t.partition_strategy = Some(
            match ps.strategy {
                1 => "list",
                2 => "range",
                3 => "hash",
                _ => "unknown",
            }
            .to_string(),
        );
        for p in &ps.part_params {
            if let Some(N::PartitionElem(e)) = &p.node {
                if e.name.is_empty() {
                    t.partition_by_expression = true;
                } else {
                    t.partition_columns.push(e.name.clone());
                }
            }
        }
    }
    // Element spans: from each element's start to the next one's (trimmed), or the list's end.
    let starts: Vec<usize> = c.table_elts.iter().map(|e| element_location(e).unwrap_or(0)).collect();
    for (i, elt) in c.table_elts.iter().enumerate() {
        let start = starts[i];
        let end = starts.get(i + 1).copied().unwrap_or(text.len()).min(text.len()).max(start);
        let span = trim_element(text, start, end);
        match &elt.node {
            Some(N::ColumnDef(col)) => {
                let tn = col.type_name.as_ref();
                let names = tn.map(|t| strings(&t.names)).unwrap_or_default();
                let mut cv = ColumnView {
                    name: col.colname.clone(),
                    type_name: tn.map(refs::type_display).unwrap_or_default(),
                    base_type: names.last().cloned().unwrap_or_default().to_lowercase(),
                    array: tn.is_some_and(|t| !t.array_bounds.is_empty()),
                    user_type: names.len() >= 2 && names[names.len() - 2] != "pg_catalog",
                    not_null: col.is_not_null,
                    has_default: col.raw_default.is_some(),
                    collation: col.coll_clause.as_ref().map(|c| strings(&c.collname).join(".")),
                    compression: (!col.compression.is_empty()).then(|| col.compression.clone()),
                    storage: (!col.storage_name.is_empty()).then(|| col.storage_name.clone()),
                    type_key: tn.and_then(|t| type_ref(t, schema).key),
                    span,
                    ..Default::default()
                };
                for con in &col.constraints {
                    if let Some(N::Constraint(k)) = &con.node {
                        match ConstrType::try_from(k.contype) {
                            Ok(ConstrType::ConstrPrimary) => {
                                t.has_primary_key = true;
                                t.primary_key = vec![col.colname.clone()];
                                cv.not_null = true;
                            }
                            Ok(ConstrType::ConstrNotnull) => cv.not_null = true,
                            Ok(ConstrType::ConstrDefault) => {
                                cv.has_default = true;
                                // The expression runs from after DEFAULT to the next constraint.
                                let at = k.location.max(0) as usize;
                                let next = col
                                    .constraints
                                    .iter()
                                    .filter_map(|c| match &c.node {
                                        Some(N::Constraint(o)) if o.location as usize > at => Some(o.location as usize),
                                        _ => None,
                                    })
                                    .min()
                                    .unwrap_or(span.end)
                                    .min(span.end);
                                let seg = text.get(at..next).unwrap_or("");
                                let body = seg.trim_start();
                                let body = body.get(7..).unwrap_or(""); // "DEFAULT"
                                let lead = seg.len() - body.len();
                                let trimmed = body.trim();
                                let start = at + lead + (body.len() - body.trim_start().len());
                                cv.default_span = Some(Span::new(start, start + trimmed.len()));
                            }
                            Ok(ConstrType::ConstrIdentity) => {
                                cv.identity = Some(if k.generated_when == "a" { "always" } else { "by_default" }.into())
                            }
                            Ok(ConstrType::ConstrGenerated) => {
                                cv.generated = Some(if k.generated_kind == "v" { "virtual" } else { "stored" }.into())
                            }
                            _ => {}
                        }
                        // `UNIQUE DEFERRABLE INITIALLY DEFERRED` on a column: the attributes are
                        // separate nodes that apply to the constraint before them.
                        match ConstrType::try_from(k.contype) {
                            Ok(ConstrType::ConstrAttrDeferrable) => {
                                if let Some(last) = t.constraints.last_mut().filter(|c| c.inline) {
                                    last.deferrable = true;
                                }
                            }
                            Ok(ConstrType::ConstrAttrDeferred) => {
                                if let Some(last) = t.constraints.last_mut().filter(|c| c.inline) {
                                    last.deferrable = true;
                                    last.initially_deferred = true;
                                }
                            }
                            _ => {}
                        }
                        if matches!(
                            ConstrType::try_from(k.contype),
                            Ok(ConstrType::ConstrPrimary
                                | ConstrType::ConstrUnique
                                | ConstrType::ConstrCheck
                                | ConstrType::ConstrForeign
                                | ConstrType::ConstrExclusion)
                        ) {
                            let mut v = constraint_view(k, schema);
                            v.inline = true;
                            if v.columns.is_empty() && v.kind != "check" {
                                v.columns = vec![col.colname.clone()];
                            }
                            v.span = constraint_span(text, k.location.max(0) as usize, span);
                            t.constraints.push(v);
                        }
                        inline_constraint(k, &key, f);
                    }
                }
                t.columns.push(cv);
            }
            Some(N::Constraint(k)) => {
                if k.contype == ConstrType::ConstrPrimary as i32 {
                    t.has_primary_key = true;
                    t.primary_key = strings(&k.keys);
                }
                let mut v = constraint_view(k, schema);
                v.inline = true;
                v.span = span;
                t.constraints.push(v);
                inline_constraint(k, &key, f);
            }
            Some(N::TableLikeClause(l)) => {
                if let Some(rel) = &l.relation {
                    let src = range_var(rel, schema);
                    f.refs.push(src.clone());
                    t.like.push(src.display());
                    t.like_clauses.push(LikeClause { source: src, options: l.options, span });
                }
            }
            _ => {}
        }
    }
    define(f, key.clone());
    f.detail = Detail::CreateTable(Box::new(t));
}

fn element_location(e: &protobuf::Node) -> Option<usize> {
    let loc = match e.node.as_ref()? {
        N::ColumnDef(c) => c.location,
        N::Constraint(c) => c.location,
        N::TableLikeClause(l) => l.relation.as_ref().map(|r| r.location).unwrap_or(-1),
        _ => -1,
    };
    (loc >= 0).then_some(loc as usize)
}

/// `[start, end)` without the trailing comma, closing parenthesis and whitespace that belong to
/// the list rather than the element.
fn trim_element(text: &str, start: usize, end: usize) -> Span {
    let Some(seg) = text.get(start..end) else { return Span::new(start, start) };
    let mut e = seg.len();
    let bytes = seg.as_bytes();
    // The last element runs to the statement's end: cut at its list's closing parenthesis.
    let mut depth = 0i32;
    let mut in_quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (in_quote, b) {
            (Some(q), c) if c == q => in_quote = None,
            (Some(_), _) => {}
            (None, b'\'') | (None, b'"') => in_quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') if depth == 0 => {
                e = i;
                break;
            }
            (None, b')') => depth -= 1,
            (None, b',') if depth == 0 => {
                e = i;
                break;
            }
            _ => {}
        }
    }
    let trimmed = seg[..e].trim_end();
    Span::new(start, start + trimmed.len())
}

/// A column constraint runs from its location to the next constraint keyword or the column's end.
fn constraint_span(_text: &str, location: usize, column: Span) -> Span {
    Span::new(location.clamp(column.start, column.end), column.end)
}

fn def_elems(nodes: &[protobuf::Node]) -> impl Iterator<Item = &protobuf::DefElem> {
    nodes.iter().filter_map(|n| match &n.node {
        Some(N::DefElem(d)) => Some(d.as_ref()),
        _ => None,
    })
}

/// The body of `AS 'body'` (the first string of the list; C functions have two).
fn sql_string_body(d: &protobuf::DefElem) -> Option<String> {
    match d.arg.as_deref()?.node.as_ref()? {
        N::List(l) => match l.items.first()?.node.as_ref()? {
            N::String(s) => Some(s.sval.clone()),
            _ => None,
        },
        N::String(s) => Some(s.sval.clone()),
        _ => None,
    }
}

fn def_string(d: &protobuf::DefElem) -> String {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::String(s)) => s.sval.clone(),
        Some(N::TypeName(t)) => strings(&t.names).join("."),
        Some(N::List(l)) => strings(&l.items).join("."),
        _ => d.arg.as_deref().and_then(refs::string_literal).unwrap_or_default(),
    }
}

/// An option's value as text, whatever its node type (`true` for a bare flag).
fn def_string_any(d: &protobuf::DefElem) -> String {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        None => "true".into(),
        Some(N::Integer(i)) => i.ival.to_string(),
        Some(N::Float(f)) => f.fval.clone(),
        Some(N::Boolean(b)) => b.boolval.to_string(),
        _ => def_string(d),
    }
}

fn def_bool(d: &protobuf::DefElem) -> bool {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        None => true,
        Some(N::Boolean(b)) => b.boolval,
        Some(N::String(s)) => matches!(s.sval.to_lowercase().as_str(), "true" | "on" | "yes" | "1"),
        Some(N::Integer(i)) => i.ival != 0,
        _ => false,
    }
}

fn def_int(d: &protobuf::DefElem) -> Option<i64> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::Integer(i)) => Some(i.ival as i64),
        Some(N::Float(f)) => f.fval.parse().ok(),
        _ => None,
    }
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

/// A type as written, with its key when it is not a `pg_catalog` type (unqualified names take
/// the statement's default schema, so built-in types never match a defined type by accident
/// unless the input defines one of that name there).
fn type_ref(tn: &protobuf::TypeName, schema: &str) -> TypeRef {
    let names = strings(&tn.names);
    let key = (names.first().map(String::as_str) != Some("pg_catalog") && !names.is_empty()).then(|| {
        let (s, n) = qualify(&names, schema);
        ObjKey::new(ObjKind::Type, &s, &n)
    });
    TypeRef {
        base_type: names.last().cloned().unwrap_or_default().to_lowercase(),
        array: !tn.array_bounds.is_empty(),
        key,
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
        nulls_not_distinct: k.nulls_not_distinct,
        method: (kind == "exclusion").then(|| {
            if k.access_method.is_empty() {
                "btree".into()
            } else {
                k.access_method.clone()
            }
        }),
        inline: false,
        column_types: Vec::new(),
        references_partitioned: false,
        location: k.location.max(0) as usize,
        span: Span::default(),
    }
}

fn alter_table(a: &protobuf::AlterTableStmt, schema: &str, text: &str, f: &mut Facts) {
    let Some(rv) = &a.relation else { return };
    let table = range_var(rv, schema);
    f.object = Some(table.clone());
    let single = a.cmds.len() == 1;
    let spans = command_spans(text, rv.location.max(0) as usize, a.cmds.len());
    for (i, cmd) in a.cmds.iter().enumerate() {
        let Some(N::AlterTableCmd(cmd)) = &cmd.node else { continue };
        let subtype = AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined);
        // ATTACH PARTITION names its partition in a PartitionCmd, not in `name`; REPLICA
        // IDENTITY USING INDEX its index in a ReplicaIdentityStmt.
        let attached = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
            Some(N::PartitionCmd(p)) => p.name.as_ref().map(|rv| range_var(rv, &table.schema).display()),
            Some(N::ReplicaIdentityStmt(r)) if r.identity_type == "i" && !r.name.is_empty() => Some(r.name.clone()),
            _ => None,
        };
        f.commands.push(CommandView {
            kind: command_kind(subtype),
            name: attached.or_else(|| (!cmd.name.is_empty()).then(|| cmd.name.clone())),
            span: spans.as_ref().map(|s| s[i]).unwrap_or_default(),
            to: None,
        });
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

/// `AT_ClusterOn` → `cluster_on`.
fn command_kind(t: AlterTableType) -> String {
    let name = t.as_str_name().trim_start_matches("AT_");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Spans of the comma-separated subcommands after the relation name, when the token stream
/// splits into exactly `n` of them.
fn command_spans(text: &str, relation_at: usize, n: usize) -> Option<Vec<Span>> {
    let tokens = pg_query::scan_tokens(text).ok()?;
    let tok = |t: &protobuf::ScanToken| text.get(t.start as usize..t.end as usize).unwrap_or("");
    let mut it = tokens.iter().filter(|t| t.start as usize >= relation_at).peekable();
    // Skip the qualified name.
    let mut expect_ident = true;
    let mut first = None;
    while let Some(t) = it.peek() {
        let s = tok(t);
        let ident = s.starts_with('"') || s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        match (expect_ident, ident, s == ".") {
            (true, true, _) => expect_ident = false,
            (false, _, true) => expect_ident = true,
            _ => {
                first = Some(t.start as usize);
                break;
            }
        }
        it.next();
    }
    let mut spans = Vec::new();
    let mut start = first?;
    let mut last_end = start;
    let mut depth = 0i32;
    for t in it {
        match tok(t) {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => {
                spans.push(Span::new(start, last_end));
                start = t.end as usize; // the next command starts after the comma (whitespace trimmed below)
                last_end = start;
                continue;
            }
            ";" if depth == 0 => break,
            _ => {}
        }
        if t.token != 0 {
            last_end = t.end as usize;
        }
    }
    spans.push(Span::new(start, last_end));
    // Trim leading whitespace of each command.
    let spans: Vec<Span> = spans
        .into_iter()
        .map(|sp| {
            let seg = &text[sp.start..sp.end];
            let skip = seg.len() - seg.trim_start().len();
            Span::new(sp.start + skip, sp.end)
        })
        .collect();
    (spans.len() == n).then_some(spans)
}

fn create_index(i: &protobuf::IndexStmt, schema: &str, f: &mut Facts) {
    let Some(rv) = &i.relation else { return };
    let table = range_var(rv, schema);
    let mut columns = Vec::new();
    let mut expression_types = Vec::new();
    let (mut expressions, mut ordered, mut collated) = (0, false, false);
    for p in &i.index_params {
        if let Some(N::IndexElem(e)) = &p.node {
            if e.name.is_empty() {
                expressions += 1;
                if let Some(t) = e.expr.as_ref().and_then(|x| x.node.as_ref()).and_then(|x| expr_type(x, schema)) {
                    expression_types.push(t);
                }
            } else {
                columns.push(e.name.clone());
            }
            // SORTBY_DEFAULT = 1, SORTBY_NULLS_DEFAULT = 1
            ordered |= e.ordering > 1 || e.nulls_ordering > 1;
            collated |= !e.collation.is_empty();
        }
    }
    let has_expressions = expressions > 0;
    let view = IndexView {
        schema: table.schema.clone(),
        name: i.idxname.clone(),
        table: table.name.clone(),
        method: if i.access_method.is_empty() { "btree".into() } else { i.access_method.clone() },
        unique: i.unique,
        partial: i.where_clause.is_some(),
        concurrent: i.concurrent,
        on_only: !rv.inh,
        key_count: columns.len() + expressions,
        columns,
        expressions,
        has_expressions,
        ordered,
        collated,
        has_storage_parameters: !i.options.is_empty(),
        nulls_not_distinct: i.nulls_not_distinct,
        tablespace: (!i.table_space.is_empty()).then(|| i.table_space.clone()),
        column_types: Vec::new(),
        expression_types,
    };
    if !i.idxname.is_empty() {
        define(f, ObjKey::relation(&table.schema, &i.idxname));
    } else {
        f.object = Some(table);
    }
    f.detail = Detail::CreateIndex(Box::new(view));
}

/// Built-in functions whose result type an index key cares about (the types ZNbaseDB cannot
/// index), by name.
const RESULT_TYPES: &[(&str, &str)] = &[
    ("to_json", "json"),
    ("row_to_json", "json"),
    ("array_to_json", "json"),
    ("json_build_object", "json"),
    ("json_build_array", "json"),
    ("json_object", "json"),
    ("to_jsonb", "jsonb"),
    ("jsonb_build_object", "jsonb"),
    ("jsonb_build_array", "jsonb"),
    ("jsonb_object", "jsonb"),
    ("jsonb_set", "jsonb"),
    ("jsonb_strip_nulls", "jsonb"),
    ("jsonb_extract_path", "jsonb"),
    ("json_extract_path", "json"),
    ("to_tsvector", "tsvector"),
    ("setweight", "tsvector"),
    ("strip", "tsvector"),
    ("array_to_tsvector", "tsvector"),
    ("to_tsquery", "tsquery"),
    ("plainto_tsquery", "tsquery"),
    ("phraseto_tsquery", "tsquery"),
    ("websearch_to_tsquery", "tsquery"),
    ("int4range", "int4range"),
    ("int8range", "int8range"),
    ("numrange", "numrange"),
    ("tsrange", "tsrange"),
    ("tstzrange", "tstzrange"),
    ("daterange", "daterange"),
    ("point", "point"),
    ("box", "box"),
    ("circle", "circle"),
    ("lseg", "lseg"),
    ("line", "line"),
    ("path", "path"),
    ("polygon", "polygon"),
    ("network", "cidr"),
    ("set_masklen", "inet"),
    ("macaddr8_set7bit", "macaddr8"),
    ("make_interval", "interval"),
    ("justify_interval", "interval"),
    ("justify_days", "interval"),
    ("justify_hours", "interval"),
    ("age", "interval"),
    ("string_to_array", "array"),
    ("regexp_split_to_array", "array"),
    ("array_append", "array"),
    ("array_prepend", "array"),
    ("array_cat", "array"),
    ("array_remove", "array"),
    ("array_replace", "array"),
];

/// What decides the type of index expression `x`, when its form tells: a cast, a built-in
/// function of known result type (unqualified or in pg_catalog), a call of another function (the
/// input may define it), `ARRAY[…]`, a column, `->`/`#>` on a cast or a column, `->>`/`#>>`.
fn expr_type(x: &N, schema: &str) -> Option<crate::ir::ExprType> {
    use crate::ir::ExprType;
    let named = |t: &str| TypeRef { base_type: t.to_string(), array: false, key: None };
    match x {
        N::TypeCast(c) => c.type_name.as_ref().map(|t| ExprType::Type(type_ref(t, schema))),
        N::FuncCall(fc) => {
            let names = strings(&fc.funcname);
            let builtin = names.len() == 1 || names.first().is_some_and(|s| s == "pg_catalog");
            let name = names.last()?.to_lowercase();
            // pg_catalog comes first in every search path: an unqualified built-in name is the
            // built-in. Any other call may be a function the input defines.
            match RESULT_TYPES.iter().find(|(n, _)| *n == name).filter(|_| builtin) {
                Some((_, t)) => Some(ExprType::Type(named(t))),
                None if names.first().is_some_and(|s| s == "pg_catalog") => None,
                None => {
                    let (s, n) = qualify(&names, schema);
                    Some(ExprType::Call { function: ObjKey::new(ObjKind::Function, &s, &n), args: fc.args.len() })
                }
            }
        }
        N::AArrayExpr(_) => Some(ExprType::Type(TypeRef { base_type: String::new(), array: true, key: None })),
        N::ColumnRef(c) => match strings(&c.fields).as_slice() {
            [col] => Some(ExprType::Column(col.clone())),
            _ => None,
        },
        N::AExpr(a) => {
            let op = strings(&a.name);
            // `->>` / `#>>` give text, whatever json they read.
            if matches!(op.as_slice(), [o] if o == "->>" || o == "#>>") {
                return Some(ExprType::Type(named("text")));
            }
            if !matches!(op.as_slice(), [o] if o == "->" || o == "#>") {
                return None;
            }
            match expr_type(a.lexpr.as_ref()?.node.as_ref()?, schema)? {
                ExprType::Column(c) => Some(ExprType::JsonPath(c)),
                ExprType::Type(t) if matches!(t.base_type.as_str(), "json" | "jsonb") && !t.array => {
                    Some(ExprType::Type(named(&t.base_type)))
                }
                _ => None,
            }
        }
        _ => None,
    }
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
        // Schema-qualified objects without a kind of their own in the IR (`CREATE COLLATION`,
        // `CREATE CONVERSION`, text search objects: `ObjKind::Other`, as lowering defines them).
        ObjectType::ObjectCollation
        | ObjectType::ObjectConversion
        | ObjectType::ObjectTsconfiguration
        | ObjectType::ObjectTsdictionary
        | ObjectType::ObjectTsparser
        | ObjectType::ObjectTstemplate
        | ObjectType::ObjectStatisticExt => {
            let (s, n) = qualify(&list(), schema);
            Some(ObjKey::new(ObjKind::Other, &s, &n))
        }
        // Database-wide names.
        ObjectType::ObjectAccessMethod
        | ObjectType::ObjectForeignServer
        | ObjectType::ObjectFdw
        | ObjectType::ObjectLanguage
        | ObjectType::ObjectEventTrigger
        | ObjectType::ObjectPublication => Some(ObjKey::new(ObjKind::Other, "", list().first()?)),
        // Operators are defined by name (`CREATE OPERATOR public.=== …`), whatever their arguments.
        ObjectType::ObjectOperator => match &object.node {
            Some(N::ObjectWithArgs(o)) => {
                let (s, n) = qualify(&strings(&o.objname), schema);
                Some(ObjKey::new(ObjKind::Other, &s, &n))
            }
            _ => None,
        },
        ObjectType::ObjectType | ObjectType::ObjectDomain => match &object.node {
            Some(N::TypeName(t)) => {
                let (s, n) = qualify(&strings(&t.names), schema);
                Some(ObjKey::new(ObjKind::Type, &s, &n))
            }
            // `ALTER TYPE t SET SCHEMA s` names it as a plain name list.
            Some(N::List(_)) => {
                let (s, n) = qualify(&list(), schema);
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

/// The run-time settings a statement sets or resets (see [`SettingView`]).
fn settings(node: &N, text: &str) -> Vec<SettingView> {
    let whole = Span::new(0, text.len());
    let mut out = Vec::new();
    match node {
        N::VariableSetStmt(v) => {
            let context = if v.kind == protobuf::VariableSetKind::VarReset as i32 { "reset" } else { "set" };
            out.extend(variable_set(v, context, whole, true));
        }
        N::AlterDatabaseSetStmt(a) => {
            out.extend(a.setstmt.as_ref().and_then(|v| variable_set(v, "alter_database", whole, true)))
        }
        N::AlterRoleSetStmt(a) => {
            out.extend(a.setstmt.as_ref().and_then(|v| variable_set(v, "alter_role", whole, true)))
        }
        N::AlterFunctionStmt(a) => out.extend(function_settings(&a.actions, "alter_function", text)),
        N::CreateFunctionStmt(c) => out.extend(function_settings(&c.options, "create_function", text)),
        N::SelectStmt(s) if s.from_clause.is_empty() && top_level_calls(s).iter().all(|c| c == "set_config") => {
            let n = s.target_list.len();
            for t in &s.target_list {
                let Some(N::ResTarget(r)) = &t.node else { continue };
                let Some(N::FuncCall(fc)) = r.val.as_deref().and_then(|v| v.node.as_ref()) else { continue };
                let Some(name) = fc.args.first().and_then(refs::string_literal) else { continue };
                let value = fc.args.get(1).and_then(refs::string_literal);
                let local = matches!(fc.args.get(2).and_then(|a| a.node.as_ref()),
                    Some(N::AConst(c)) if matches!(c.val, Some(protobuf::a_const::Val::Boolval(ref b)) if b.boolval));
                let at = fc.args.get(1).and_then(node_location);
                out.push(SettingView {
                    name: name.to_lowercase(),
                    value,
                    context: "set_config".into(),
                    local,
                    alone: n == 1,
                    span: whole,
                    value_at: at.map(|a| (a, a)),
                    ..Default::default()
                });
            }
        }
        _ => {}
    }
    out
}

/// The `SET`/`RESET` clauses among a function's options (`defname` `set`).
fn function_settings(options: &[protobuf::Node], context: &str, text: &str) -> Vec<SettingView> {
    let n = options.len();
    def_elems(options)
        .filter(|d| d.defname == "set")
        .filter_map(|d| match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
            Some(N::VariableSetStmt(v)) => {
                // The span of the SET / RESET keyword.
                let at = (d.location.max(0) as usize).min(text.len());
                let word = text[at..].find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(text.len() - at);
                // A statement that is only this clause is left out whole: the finding is on it.
                let span = if n == 1 && context == "alter_function" {
                    Span::new(0, text.len())
                } else {
                    Span::new(at, at + word)
                };
                variable_set(v, context, span, n == 1)
            }
            _ => None,
        })
        .collect()
}

fn variable_set(v: &protobuf::VariableSetStmt, context: &str, span: Span, alone: bool) -> Option<SettingView> {
    use protobuf::VariableSetKind as K;
    let kind = K::try_from(v.kind).unwrap_or(K::Undefined);
    // SET TRANSACTION, SET SESSION CHARACTERISTICS, RESET ALL: no one setting.
    if matches!(kind, K::VarSetMulti | K::VarResetAll | K::Undefined) || v.name.is_empty() {
        return None;
    }
    let values: Vec<String> = v.args.iter().filter_map(const_text).collect();
    let value =
        (kind == K::VarSetValue && !values.is_empty() && values.len() == v.args.len()).then(|| values.join(", "));
    let first = v.args.first().and_then(node_location);
    let last = v.args.last().and_then(node_location);
    Some(SettingView {
        name: v.name.to_lowercase(),
        value,
        context: context.into(),
        local: v.is_local,
        alone,
        span,
        value_at: first.zip(last),
        ..Default::default()
    })
}

/// A constant's text: strings without quotes, numbers as written.
fn const_text(n: &protobuf::Node) -> Option<String> {
    match n.node.as_ref()? {
        N::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
            protobuf::a_const::Val::Ival(i) => Some(i.ival.to_string()),
            protobuf::a_const::Val::Fval(f) => Some(f.fval.clone()),
            protobuf::a_const::Val::Boolval(b) => Some(b.boolval.to_string()),
            protobuf::a_const::Val::Bsval(b) => Some(b.bsval.clone()),
        },
        _ => None,
    }
}

fn node_location(n: &protobuf::Node) -> Option<usize> {
    let l = match n.node.as_ref()? {
        N::AConst(c) => c.location,
        N::TypeCast(t) => t.location,
        _ => return None,
    };
    (l >= 0).then_some(l as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, value, context, local, alone)` of each setting of `sql`, and the text each span covers.
    fn settings_of(sql: &str) -> Vec<(String, Option<String>, String, bool, bool, String)> {
        let parsed = pg_query::parse(sql, 0).unwrap();
        let node = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap().clone();
        settings(&node, sql)
            .into_iter()
            .map(|s| (s.name, s.value, s.context, s.local, s.alone, sql[s.span.start..s.span.end].to_string()))
            .collect()
    }

    fn one(
        name: &str,
        value: Option<&str>,
        context: &str,
        local: bool,
        alone: bool,
        span: &str,
    ) -> Vec<(String, Option<String>, String, bool, bool, String)> {
        vec![(name.into(), value.map(String::from), context.into(), local, alone, span.into())]
    }

    #[test]
    fn settings_in_every_form() {
        let s = "SET default_table_access_method = heap;";
        assert_eq!(settings_of(s), one("default_table_access_method", Some("heap"), "set", false, true, s));
        let s = "SET LOCAL \"DateStyle\" TO 'ISO', 'MDY'";
        assert_eq!(settings_of(s), one("datestyle", Some("ISO, MDY"), "set", true, true, s));
        assert_eq!(settings_of("SET TIME ZONE 'UTC'")[0].0, "timezone");
        assert_eq!(settings_of("SET NAMES 'LATIN1'")[0].0, "client_encoding");
        assert_eq!(settings_of("SET statement_timeout = -5")[0].1.as_deref(), Some("-5"));
        let s = "RESET transaction_timeout";
        assert_eq!(settings_of(s), one("transaction_timeout", None, "reset", false, true, s));
        let s = "SET x.y = DEFAULT";
        assert_eq!(settings_of(s), one("x.y", None, "set", false, true, s));
        let s = "SELECT pg_catalog.set_config('Default_Toast_Compression', 'lz4', true);";
        assert_eq!(settings_of(s), one("default_toast_compression", Some("lz4"), "set_config", true, true, s));
        let s = "ALTER DATABASE app SET idle_session_timeout = '1h'";
        assert_eq!(settings_of(s), one("idle_session_timeout", Some("1h"), "alter_database", false, true, s));
        let s = "ALTER ROLE r IN DATABASE app RESET work_mem";
        assert_eq!(settings_of(s), one("work_mem", None, "alter_role", false, true, s));
        let s = "ALTER FUNCTION f() SET work_mem = '1MB'";
        assert_eq!(settings_of(s), one("work_mem", Some("1MB"), "alter_function", false, true, s));
        // Among other options: the finding is on the SET / RESET keyword.
        let s = "ALTER FUNCTION f() STRICT RESET work_mem";
        assert_eq!(settings_of(s), one("work_mem", None, "alter_function", false, false, "RESET"));
        let s =
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public SET a.b FROM CURRENT AS 'SELECT 1'";
        let got = settings_of(s);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].2.as_str(), got[0].4, got[0].5.as_str()),
            ("search_path", "create_function", false, "SET")
        );
        assert_eq!((got[1].0.as_str(), got[1].1.as_deref()), ("a.b", None));
        // Several set_config calls: none is alone; SET TRANSACTION and RESET ALL name no setting.
        let got = settings_of("SELECT set_config('a.b', '1', false), set_config('c.d', '2', false)");
        assert_eq!(got.iter().map(|g| (g.0.as_str(), g.4)).collect::<Vec<_>>(), vec![("a.b", false), ("c.d", false)]);
        assert!(settings_of("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").is_empty());
        assert!(settings_of("RESET ALL").is_empty());
        assert!(settings_of("SELECT set_config(name, 'x', false) FROM t").is_empty());
    }
}

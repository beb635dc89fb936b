//! DML facts of one parse tree: a complete walk (`walk.rs`) that records calls, system columns
//! and statement-level constructs, then finds their tokens for exact positions.

use std::collections::BTreeSet;

use pg_query::protobuf::{
    self, a_const::Val, node::Node as N, CoercionForm, CteMaterialize, FetchDirection, JsonExprOp, LimitOption,
    LockClauseStrength, LockWaitPolicy, TransactionStmtKind, XmlExprOp,
};
use pg_query::NodeRef as R;

use super::tokens::{word_end, Tokens};
use super::walk;
use crate::ir::dml::{
    CallView, ContextView, CursorView, DmlItem, Fact, FixData, LockView, LockingView, SubscriptBase, SystemColumnView,
    TransactionView,
};
use crate::lower::refs::strings;
use crate::source::Span;

/// Where the parsed text sits in its statement.
pub struct Scope<'m> {
    /// Maps an offset in the parsed text to an offset in the statement text.
    pub map: &'m dyn Fn(usize) -> usize,
    pub context: ContextView,
    /// The parsed text is the statement itself (offsets map one to one): rewrites may use them.
    pub top_level: bool,
    /// Variables and parameters visible in the text (never system columns).
    pub variables: &'m [String],
}

pub const SYSTEM_COLUMNS: &[&str] = &["xmin", "xmax", "cmin", "cmax", "ctid"];

/// What one walk found, before positions are resolved with tokens.
#[derive(Default)]
struct Found {
    /// Facts with a known position: (fact, start, end, fix).
    items: Vec<(Fact, usize, usize, Option<FixData>)>,
    system_columns: Vec<(SystemColumnView, usize, usize)>,
    /// Output names of the statement (aliases, CTE and column-definition names).
    names: BTreeSet<String>,
    locking: Vec<(i32, i32)>,
    with_ties: usize,
    current_of: usize,
    scroll: bool,
    materialized: Vec<(i32, usize)>,
    copy_where: bool,
    lock: Option<(i32, bool)>,
    fetch: Option<(i32, i64, bool)>,
    relations: Vec<(String, Option<String>, String)>,
    /// Subscripts: (first key location, base, fix spans, assignment, key).
    subscripts: Vec<Subscript>,
}

struct Subscript {
    at: usize,
    key: String,
    base: SubscriptBase,
    base_start: Option<usize>,
    /// (key location, key as written) for every index; `None` when one is not a constant.
    keys: Option<Vec<usize>>,
    assignment: bool,
}

/// Record the facts of `root` (parsed from `q`) into `out`; `sets_path` receives the
/// search_path the statement sets, if it sets one.
pub fn extract(root: &N, q: &str, scope: &Scope, out: &mut Vec<DmlItem>, sets_path: &mut Option<Vec<String>>) {
    let mut f = Found::default();
    walk::node_enum(root, &mut |r| visit(r, q, scope, &mut f, sets_path));
    resolve(f, q, scope, out);
}

fn a_const_string(n: &protobuf::Node) -> Option<(String, usize)> {
    match n.node.as_ref()? {
        N::AConst(c) => match &c.val {
            Some(Val::Sval(s)) => Some((s.sval.clone(), c.location.max(0) as usize)),
            _ => None,
        },
        N::TypeCast(tc) => tc.arg.as_deref().and_then(a_const_string),
        _ => None,
    }
}

fn loc(l: i32) -> usize {
    l.max(0) as usize
}

fn syntax_call(name: &str, args: usize, at: i32) -> (Fact, usize) {
    let v = CallView { schema: None, name: name.into(), qualified: false, builtin: true, args, syntax: true };
    (Fact::Call(v), loc(at))
}

fn isolation_name(raw: &str) -> Option<(String, String)> {
    let norm = raw.trim().to_lowercase().replace(['_', '-'], " ");
    let snake = match norm.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
        "serializable" => "serializable",
        "repeatable read" => "repeatable_read",
        "read committed" => "read_committed",
        "read uncommitted" => "read_uncommitted",
        _ => return None,
    };
    Some((snake.to_string(), snake.replace('_', " ").to_uppercase()))
}

fn isolation_of(options: &[protobuf::Node]) -> Option<String> {
    options.iter().find_map(|o| match o.node.as_ref()? {
        N::DefElem(d) if d.defname == "transaction_isolation" => d.arg.as_deref().and_then(a_const_string).map(|s| s.0),
        _ => None,
    })
}

fn transaction(kind: &str, isolation: Option<String>) -> Fact {
    let iso = isolation.as_deref().and_then(isolation_name);
    Fact::Transaction(TransactionView {
        kind: kind.into(),
        isolation: iso.as_ref().map(|i| i.0.clone()),
        isolation_sql: iso.map(|i| i.1),
    })
}

/// A search_path value (`a, "B", $user`) as a list of schemas.
pub fn path_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && *s != "$user" && *s != "\"$user\"")
        .map(|s| if s.starts_with('"') { s.trim_matches('"').to_string() } else { s.to_lowercase() })
        .collect()
}

fn visit(r: R, q: &str, scope: &Scope, f: &mut Found, sets_path: &mut Option<Vec<String>>) {
    match r {
        R::FuncCall(fc) => {
            let parts = strings(&fc.funcname);
            let Some(name) = parts.last().cloned() else { return };
            let schema = (parts.len() >= 2).then(|| parts[parts.len() - 2].clone());
            if name == "set_config" && schema.as_deref().is_none_or(|s| s == "pg_catalog") {
                let args: Vec<Option<String>> = fc.args.iter().map(|a| a_const_string(a).map(|s| s.0)).collect();
                if let (Some(Some(k)), Some(Some(v))) = (args.first(), args.get(1)) {
                    if k == "search_path" {
                        *sets_path = Some(path_list(v));
                    }
                }
            }
            let at = loc(fc.location);
            let v = CallView {
                qualified: schema.is_some(),
                schema,
                name,
                builtin: false,
                args: fc.args.len(),
                syntax: fc.funcformat == CoercionForm::CoerceSqlSyntax as i32,
            };
            f.items.push((Fact::Call(v), at, word_end(q, at), None));
        }
        R::XmlExpr(x) => {
            let name = match XmlExprOp::try_from(x.op) {
                Ok(XmlExprOp::IsXmlconcat) => "xmlconcat",
                Ok(XmlExprOp::IsXmlelement) => "xmlelement",
                Ok(XmlExprOp::IsXmlforest) => "xmlforest",
                Ok(XmlExprOp::IsXmlparse) => "xmlparse",
                Ok(XmlExprOp::IsXmlpi) => "xmlpi",
                Ok(XmlExprOp::IsXmlroot) => "xmlroot",
                Ok(XmlExprOp::IsXmlserialize) => "xmlserialize",
                Ok(XmlExprOp::IsDocument) => "is_document",
                _ => "xml",
            };
            push_syntax(f, q, name, x.args.len() + x.named_args.len(), x.location);
        }
        R::XmlSerialize(x) => push_syntax(f, q, "xmlserialize", 1, x.location),
        R::RangeTableFunc(x) => push_syntax(f, q, "xmltable", x.columns.len(), x.location),
        R::JsonObjectConstructor(x) => push_syntax(f, q, "json_object", x.exprs.len(), x.location),
        R::JsonArrayConstructor(x) => push_syntax(f, q, "json_array", x.exprs.len(), x.location),
        R::JsonArrayQueryConstructor(x) => push_syntax(f, q, "json_array", 1, x.location),
        R::JsonObjectAgg(x) => {
            push_syntax(f, q, "json_objectagg", 1, x.constructor.as_ref().map(|c| c.location).unwrap_or(0))
        }
        R::JsonArrayAgg(x) => {
            push_syntax(f, q, "json_arrayagg", 1, x.constructor.as_ref().map(|c| c.location).unwrap_or(0))
        }
        R::JsonParseExpr(x) => push_syntax(f, q, "json", 1, x.location),
        R::JsonScalarExpr(x) => push_syntax(f, q, "json_scalar", 1, x.location),
        R::JsonSerializeExpr(x) => push_syntax(f, q, "json_serialize", 1, x.location),
        R::JsonFuncExpr(x) => {
            let name = match JsonExprOp::try_from(x.op) {
                Ok(JsonExprOp::JsonExistsOp) => "json_exists",
                Ok(JsonExprOp::JsonQueryOp) => "json_query",
                Ok(JsonExprOp::JsonValueOp) => "json_value",
                _ => "json_table",
            };
            push_syntax(f, q, name, 1 + x.passing.len(), x.location);
        }
        R::JsonTable(x) => push_syntax(f, q, "json_table", x.columns.len(), x.location),
        R::JsonIsPredicate(x) => {
            // The location is the operand's: point at the predicate, `IS [NOT] JSON …`.
            let (fact, at) = syntax_call("IS JSON", 1, x.location);
            let (start, end) = is_json_words(q, at).unwrap_or((at, word_end(q, at)));
            f.items.push((fact, start, end, None));
        }
        R::ColumnRef(cr) => {
            let parts = strings(&cr.fields);
            if parts.len() != cr.fields.len() {
                return; // `t.*`
            }
            if let Some((name, qual)) = parts.split_last() {
                if SYSTEM_COLUMNS.contains(&name.as_str()) && !scope.variables.iter().any(|v| v == name) {
                    let at = loc(cr.location);
                    let v =
                        SystemColumnView { name: name.clone(), qualifier: (!qual.is_empty()).then(|| qual.join(".")) };
                    f.system_columns.push((v, at, word_end(q, at)));
                }
            }
        }
        R::ResTarget(rt) => {
            if !rt.name.is_empty() && rt.val.is_some() {
                f.names.insert(rt.name.clone());
            }
            // `UPDATE … SET j['k'] = …`, `INSERT INTO t (j['k'])`.
            for ind in &rt.indirection {
                if let Some(N::AIndices(ix)) = &ind.node {
                    if let Some((key, at)) = ix.uidx.as_deref().and_then(a_const_string) {
                        if !ix.is_slice {
                            f.subscripts.push(Subscript {
                                at,
                                key,
                                base: SubscriptBase::Unknown,
                                base_start: None,
                                keys: None,
                                assignment: true,
                            });
                            break;
                        }
                    }
                }
            }
        }
        R::Alias(a) => f.names.extend(strings(&a.colnames)),
        R::ColumnDef(c) => {
            f.names.insert(c.colname.clone());
        }
        R::CommonTableExpr(c) => {
            f.names.extend(strings(&c.aliascolnames));
            let m = c.ctematerialized;
            if m == CteMaterialize::Always as i32 || m == CteMaterialize::Never as i32 {
                f.materialized.push((m, loc(c.location)));
            }
        }
        R::RangeVar(rv) => {
            let alias = rv.alias.as_ref().map(|a| a.aliasname.clone()).unwrap_or_else(|| rv.relname.clone());
            let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
            f.relations.push((alias, schema, rv.relname.clone()));
        }
        R::AIndirection(ai) => subscript(ai, f),
        R::LockStmt(l) => f.lock = Some((l.mode, l.nowait)),
        R::TransactionStmt(t) => {
            let kind = match TransactionStmtKind::try_from(t.kind) {
                Ok(TransactionStmtKind::TransStmtBegin) | Ok(TransactionStmtKind::TransStmtStart) => "begin",
                Ok(TransactionStmtKind::TransStmtCommit) => "commit",
                Ok(TransactionStmtKind::TransStmtRollback) => "rollback",
                Ok(TransactionStmtKind::TransStmtSavepoint) => "savepoint",
                Ok(TransactionStmtKind::TransStmtRelease) => "release",
                Ok(TransactionStmtKind::TransStmtRollbackTo) => "rollback_to",
                Ok(TransactionStmtKind::TransStmtPrepare) => "prepare",
                Ok(TransactionStmtKind::TransStmtCommitPrepared) => "commit_prepared",
                Ok(TransactionStmtKind::TransStmtRollbackPrepared) => "rollback_prepared",
                _ => return,
            };
            // The statement is the transaction command: point at its start.
            f.items.push((transaction(kind, isolation_of(&t.options)), 0, word_end(q, 0), None));
        }
        R::VariableSetStmt(v) => {
            let name = v.name.to_lowercase();
            let fact = match name.as_str() {
                "transaction" => Some(transaction("set_transaction", isolation_of(&v.args))),
                "session characteristics" => Some(transaction("set_session", isolation_of(&v.args))),
                "transaction_isolation" | "default_transaction_isolation" => {
                    let iso = v.args.first().and_then(a_const_string).map(|s| s.0);
                    let kind = if name == "transaction_isolation" { "set_transaction" } else { "set_default" };
                    iso.is_some().then(|| transaction(kind, iso))
                }
                "search_path" => {
                    let vals: Vec<String> = v.args.iter().filter_map(|a| a_const_string(a).map(|s| s.0)).collect();
                    *sets_path = Some(if vals.is_empty() { vec!["public".into()] } else { path_list(&vals.join(",")) });
                    None
                }
                _ => None,
            };
            if let Some(fact) = fact {
                f.items.push((fact, 0, word_end(q, 0), None));
            }
        }
        R::SelectStmt(s) if s.limit_option == LimitOption::WithTies as i32 => f.with_ties += 1,
        R::LockingClause(lc) => f.locking.push((lc.strength, lc.wait_policy)),
        R::MergeStmt(_) => {
            let fix = scope.top_level.then_some(FixData::Merge);
            f.items.push((Fact::construct("merge", None), 0, word_end(q, 0), fix));
        }
        R::CopyStmt(c) => {
            if c.is_from && c.where_clause.is_some() {
                f.copy_where = true;
            }
            for o in &c.options {
                if let Some(N::DefElem(d)) = &o.node {
                    if d.defname == "on_error" {
                        let at = loc(d.location);
                        f.items.push((Fact::construct("copy_on_error", None), at, word_end(q, at), None));
                    }
                }
            }
        }
        // CURSOR_OPT_SCROLL
        R::DeclareCursorStmt(d) if d.options & 0x0002 != 0 => f.scroll = true,
        R::FetchStmt(fs) => f.fetch = Some((fs.direction, fs.how_many, fs.ismove)),
        R::CurrentOfExpr(_) => f.current_of += 1,
        R::ListenStmt(l) => {
            f.items.push((Fact::construct("listen", Some(l.conditionname.clone())), 0, word_end(q, 0), None))
        }
        R::NotifyStmt(n) => {
            f.items.push((Fact::construct("notify", Some(n.conditionname.clone())), 0, word_end(q, 0), None))
        }
        R::UnlistenStmt(u) => {
            let ch = if u.conditionname.is_empty() { "*".to_string() } else { u.conditionname.clone() };
            f.items.push((Fact::construct("unlisten", Some(ch)), 0, word_end(q, 0), None))
        }
        _ => {}
    }
}

/// Where `IS [NOT] JSON [VALUE | ARRAY | OBJECT | SCALAR] [WITH | WITHOUT UNIQUE [KEYS]]`
/// begins and ends after the operand that starts at `at` (the first such words outside
/// parentheses).
fn is_json_words(q: &str, at: usize) -> Option<(usize, usize)> {
    let toks = super::tokens::scan(q);
    let w = |i: usize| toks.get(i).and_then(|t| q.get(t.start..t.end)).unwrap_or("").to_ascii_uppercase();
    let mut depth = 0i32;
    let first = toks.partition_point(|t| t.start < at);
    for i in first..toks.len() {
        match w(i).as_str() {
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            "IS" if depth == 0 => {
                let mut j = i + 1;
                if w(j) == "NOT" {
                    j += 1;
                }
                if w(j) != "JSON" {
                    continue;
                }
                if matches!(w(j + 1).as_str(), "VALUE" | "ARRAY" | "OBJECT" | "SCALAR") {
                    j += 1;
                }
                if matches!(w(j + 1).as_str(), "WITH" | "WITHOUT") && w(j + 2) == "UNIQUE" {
                    j += 2;
                    if w(j + 1) == "KEYS" {
                        j += 1;
                    }
                }
                return Some((toks[i].start, toks[j].end));
            }
            _ => {}
        }
        if depth < 0 {
            break;
        }
    }
    None
}

fn push_syntax(f: &mut Found, q: &str, name: &str, args: usize, at: i32) {
    let (fact, at) = syntax_call(name, args, at);
    f.items.push((fact, at, word_end(q, at), None));
}

/// `x['key']`: a subscript by a string constant (jsonb or hstore subscripting, PostgreSQL 14).
fn subscript(ai: &protobuf::AIndirection, f: &mut Found) {
    let mut first: Option<(String, usize)> = None;
    let mut keys = Some(Vec::new());
    for ind in &ai.indirection {
        match &ind.node {
            Some(N::AIndices(ix)) if !ix.is_slice => {
                let key = ix.uidx.as_deref();
                match key.and_then(|k| k.node.as_ref()) {
                    Some(N::AConst(c)) => {
                        let at = loc(c.location);
                        if let Some(Val::Sval(s)) = &c.val {
                            first.get_or_insert((s.sval.clone(), at));
                        } else if !matches!(c.val, Some(Val::Ival(_))) {
                            keys = None;
                        }
                        if let Some(k) = keys.as_mut() {
                            k.push(at);
                        }
                    }
                    _ => keys = None,
                }
            }
            _ => keys = None,
        }
    }
    let Some((key, at)) = first else { return };
    let (base, base_start) = match ai.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::ColumnRef(cr)) => {
            let parts = strings(&cr.fields);
            let base = match parts.as_slice() {
                [name] => SubscriptBase::Column { qualifier: None, name: name.clone(), relations: Vec::new() },
                [.., qual, name] => {
                    SubscriptBase::Column { qualifier: Some(qual.clone()), name: name.clone(), relations: Vec::new() }
                }
                [] => SubscriptBase::Unknown,
            };
            (base, Some(loc(cr.location)))
        }
        Some(N::TypeCast(tc)) => {
            let ty = tc.type_name.as_ref().map(|t| strings(&t.names)).unwrap_or_default();
            let jsonb = ty.last().is_some_and(|t| t == "jsonb")
                && tc.type_name.as_ref().is_some_and(|t| t.array_bounds.is_empty());
            (if jsonb { SubscriptBase::JsonbCast } else { SubscriptBase::Unknown }, None)
        }
        Some(N::FuncCall(fc)) => {
            (SubscriptBase::Function(strings(&fc.funcname).last().cloned().unwrap_or_default()), None)
        }
        _ => (SubscriptBase::Unknown, None),
    };
    f.subscripts.push(Subscript { at, key, base, base_start, keys, assignment: false });
}

fn lock_mode(mode: i32) -> (&'static str, &'static str) {
    match mode {
        1 => ("access_share", "ACCESS SHARE"),
        2 => ("row_share", "ROW SHARE"),
        3 => ("row_exclusive", "ROW EXCLUSIVE"),
        4 => ("share_update_exclusive", "SHARE UPDATE EXCLUSIVE"),
        5 => ("share", "SHARE"),
        6 => ("share_row_exclusive", "SHARE ROW EXCLUSIVE"),
        7 => ("exclusive", "EXCLUSIVE"),
        _ => ("access_exclusive", "ACCESS EXCLUSIVE"),
    }
}

fn strength(s: i32) -> (&'static str, &'static str) {
    match LockClauseStrength::try_from(s) {
        Ok(LockClauseStrength::LcsForkeyshare) => ("key_share", "FOR KEY SHARE"),
        Ok(LockClauseStrength::LcsForshare) => ("share", "FOR SHARE"),
        Ok(LockClauseStrength::LcsFornokeyupdate) => ("no_key_update", "FOR NO KEY UPDATE"),
        _ => ("update", "FOR UPDATE"),
    }
}

/// Resolve positions with tokens and push the items, mapped into the statement.
fn resolve(mut f: Found, q: &str, scope: &Scope, out: &mut Vec<DmlItem>) {
    let mut toks = Tokens::new(q);
    let mut extra: Vec<(Fact, usize, usize, Option<FixData>)> = Vec::new();

    for (v, at, end) in std::mem::take(&mut f.system_columns) {
        if !f.names.contains(&v.name) {
            extra.push((Fact::SystemColumn(v), at, end, None));
        }
    }

    if !f.locking.is_empty() {
        let found = locking_tokens(&mut toks);
        if found.len() == f.locking.len() {
            extra.extend(found);
        } else {
            for &(s, w) in &f.locking {
                let (strength, sql) = strength(s);
                let v = LockingView {
                    strength: strength.into(),
                    strength_sql: sql.into(),
                    nowait: w == LockWaitPolicy::LockWaitError as i32,
                    skip_locked: w == LockWaitPolicy::LockWaitSkip as i32,
                    isolation: None,
                };
                extra.push((Fact::SelectLocking(v), 0, word_end(q, 0), None));
            }
        }
    }
    if f.with_ties > 0 {
        let hits = toks.find_seq(&["WITH", "TIES"]);
        for k in 0..f.with_ties {
            let (at, end) = hits.get(k).map(|&i| span_of(&mut toks, i, 2)).unwrap_or((0, word_end(q, 0)));
            extra.push((Fact::construct("fetch_with_ties", None), at, end, None));
        }
    }
    if f.current_of > 0 {
        let hits = toks.find_seq(&["CURRENT", "OF"]);
        for k in 0..f.current_of {
            let (at, end) = hits.get(k).map(|&i| span_of(&mut toks, i, 2)).unwrap_or((0, word_end(q, 0)));
            let v =
                CursorView { kind: "current_of".into(), construct: "WHERE CURRENT OF".into(), ..Default::default() };
            extra.push((Fact::Cursor(v), at, end, None));
        }
    }
    if f.scroll {
        let (at, end) = toks.find_seq(&["SCROLL"]).first().map(|&i| span_of(&mut toks, i, 1)).unwrap_or((0, 7));
        let v = CursorView {
            kind: "declare".into(),
            scroll: true,
            construct: "DECLARE … SCROLL CURSOR".into(),
            ..Default::default()
        };
        extra.push((Fact::Cursor(v), at, end.min(q.len()), None));
    }
    for &(m, cte_at) in &f.materialized {
        let from = toks.index_at(cte_at);
        let all = toks.all().to_vec();
        let hit = all[from.min(all.len())..].iter().position(|t| toks.word(t).eq_ignore_ascii_case("MATERIALIZED"));
        let never = m == CteMaterialize::Never as i32;
        let (at, end) = match hit {
            Some(k) => {
                let i = from + k;
                let s = if never && i > 0 { all[i - 1].start } else { all[i].start };
                (s, all[i].end)
            }
            None => (cte_at, word_end(q, cte_at)),
        };
        let detail = if never { "NOT MATERIALIZED" } else { "MATERIALIZED" };
        extra.push((Fact::construct("cte_materialized", Some(detail.into())), at, end, None));
    }
    if f.copy_where {
        let (at, end) = toks.find_seq(&["WHERE"]).first().map(|&i| span_of(&mut toks, i, 1)).unwrap_or((0, 4));
        extra.push((Fact::construct("copy_where", None), at, end, None));
    }
    if let Some((mode, nowait)) = f.lock {
        let (mode, sql) = lock_mode(mode);
        let (at, end) = match (toks.find_seq(&["IN"]).first().copied(), toks.find_seq(&["MODE"]).last().copied()) {
            (Some(i), Some(j)) if j >= i => {
                let all = toks.all();
                (all[i].start, all[j].end)
            }
            _ => (0, word_end(q, 0)),
        };
        let v = LockView { mode: mode.into(), mode_sql: sql.into(), nowait };
        extra.push((Fact::Lock(v), at, end, None));
    }
    if let Some((dir, count, is_move)) = f.fetch {
        let direction = match FetchDirection::try_from(dir) {
            Ok(FetchDirection::FetchBackward) => "backward",
            Ok(FetchDirection::FetchAbsolute) => "absolute",
            Ok(FetchDirection::FetchRelative) => "relative",
            _ => "forward",
        };
        if direction != "forward" || count < 0 {
            let (construct, end) = fetch_construct(&mut toks);
            let v = CursorView {
                kind: if is_move { "move" } else { "fetch" }.into(),
                scroll: false,
                direction: Some(if direction == "forward" { "backward" } else { direction }.into()),
                count: Some(count),
                construct,
            };
            extra.push((Fact::Cursor(v), 0, end, None));
        }
    }
    for s in std::mem::take(&mut f.subscripts) {
        extra.push(subscript_item(s, &f.relations, &mut toks, scope));
    }
    non_decimal(q, &mut toks, &mut extra);

    for (fact, start, end, fix) in f.items.into_iter().chain(extra) {
        let (s, e) = ((scope.map)(start.min(q.len())), (scope.map)(end.min(q.len())));
        let fix = if scope.top_level { fix } else { None };
        out.push(DmlItem { fact, span: Span::new(s, e.max(s)), context: scope.context.clone(), fix });
    }
}

/// Start of token `i` through the end of token `i + n - 1`.
fn span_of(toks: &mut Tokens, i: usize, n: usize) -> (usize, usize) {
    let all = toks.all();
    let last = (i + n - 1).min(all.len() - 1);
    (all[i].start, all[last].end)
}

/// `FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, …] [NOWAIT | SKIP LOCKED]`, in text order.
fn locking_tokens(toks: &mut Tokens) -> Vec<(Fact, usize, usize, Option<FixData>)> {
    let all = toks.all().to_vec();
    let w = |i: usize| all.get(i).map(|t| toks.word(t).to_ascii_uppercase()).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        if w(i) != "FOR" {
            i += 1;
            continue;
        }
        let (strength, sql, n) = match (w(i + 1).as_str(), w(i + 2).as_str(), w(i + 3).as_str()) {
            ("UPDATE", _, _) => ("update", "FOR UPDATE", 2),
            ("NO", "KEY", "UPDATE") => ("no_key_update", "FOR NO KEY UPDATE", 4),
            ("SHARE", _, _) => ("share", "FOR SHARE", 2),
            ("KEY", "SHARE", _) => ("key_share", "FOR KEY SHARE", 3),
            _ => {
                i += 1;
                continue;
            }
        };
        let end = all[i + n - 1].end;
        let mut j = i + n;
        if w(j) == "OF" {
            j += 1;
            while j < all.len() {
                let word = w(j);
                if word == "," || word == "." || (word != "NOWAIT" && word != "SKIP" && word != "FOR" && is_name(&word))
                {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        let nowait = w(j) == "NOWAIT";
        let skip_locked = w(j) == "SKIP" && w(j + 1) == "LOCKED";
        let v =
            LockingView { strength: strength.into(), strength_sql: sql.into(), nowait, skip_locked, isolation: None };
        out.push((Fact::SelectLocking(v), all[i].start, end, None));
        i += n;
    }
    out
}

fn is_name(w: &str) -> bool {
    w.starts_with('"') || w.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `FETCH PRIOR`, `MOVE BACKWARD 5`, `FETCH -2`, …: the words before FROM / IN (or the cursor
/// name), as written, and where they end.
fn fetch_construct(toks: &mut Tokens) -> (String, usize) {
    let all = toks.all().to_vec();
    let mut last = None;
    for (i, t) in all.iter().enumerate().take(5) {
        let word = toks.word(t);
        if word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("IN") || word == ";" {
            break;
        }
        // The cursor name when no FROM/IN follows: a third word that is not a number.
        if i >= 2 && word != "-" && !word.chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        if i >= 1 && word.eq_ignore_ascii_case("ALL") {
            last = Some(i);
            break;
        }
        last = Some(i);
    }
    let Some(last) = last else { return (String::new(), 0) };
    let end = all[last].end;
    let text = toks.text[all[0].start..end].split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
    (text, end)
}

fn subscript_item(
    s: Subscript,
    relations: &[(String, Option<String>, String)],
    toks: &mut Tokens,
    scope: &Scope,
) -> (Fact, usize, usize, Option<FixData>) {
    let mut base = s.base;
    if let SubscriptBase::Column { relations: r, .. } = &mut base {
        *r = relations.to_vec();
    }
    let mut fix = None;
    let mut span = (s.at, s.at + s.key.len() + 2);
    if let (Some(keys), true) = (s.keys, scope.top_level) {
        let all = toks.all().to_vec();
        let mut subscripts = Vec::new();
        let mut ok = true;
        for at in keys {
            let i = toks.index_at(at);
            match (i.checked_sub(1).and_then(|p| all.get(p)), all.get(i), all.get(i + 1)) {
                (Some(open), Some(key), Some(close)) if toks.word(open) == "[" && toks.word(close) == "]" => {
                    subscripts.push((Span::new(open.start, close.end), toks.word(key).to_string()));
                }
                _ => ok = false,
            }
        }
        // The subscripted expression: a parenthesised group right before the first `[`, or the
        // column reference the parser located.
        let first = subscripts.first().map(|s| toks.index_at(s.0.start));
        let base_span = match first.and_then(|i| i.checked_sub(1)) {
            Some(p) if toks.word(&all[p]) == ")" => {
                let mut depth = 0;
                let mut start = None;
                for k in (0..=p).rev() {
                    match toks.word(&all[k]) {
                        ")" => depth += 1,
                        "(" => {
                            depth -= 1;
                            if depth == 0 {
                                start = Some(all[k].start);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                start.map(|st| (st, all[p].end))
            }
            Some(p) => s.base_start.filter(|&b| b <= all[p].start).map(|b| (b, all[p].end)),
            None => None,
        };
        let contiguous = subscripts.windows(2).all(|w| toks.text[w[0].0.end..w[1].0.start].trim().is_empty());
        if let (true, Some((b, e)), true) = (ok, base_span, contiguous) {
            let last = subscripts.last().map(|s| s.0.end).unwrap_or(e);
            span = (b, last);
            fix = Some(FixData::Subscript { base: Span::new(b, e), subscripts });
        }
    }
    let fact = Fact::Construct(crate::ir::dml::ConstructView {
        kind: "subscript".into(),
        detail: Some(s.key),
        count: 1,
        jsonb: false,
        assignment: s.assignment,
        base,
    });
    (fact, span.0, span.1, fix)
}

/// `0x1F`, `0o17`, `0b101`, `1_000_000` (PostgreSQL 16): PostgreSQL 11 reads `0x1F` as `0 AS x1F`.
fn non_decimal(q: &str, toks: &mut Tokens, out: &mut Vec<(Fact, usize, usize, Option<FixData>)>) {
    let b = q.as_bytes();
    let candidate = b.windows(2).any(|w| w[0] == b'0' && matches!(w[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B'))
        || b.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b'_' && w[2].is_ascii_digit());
    if !candidate {
        return;
    }
    let numeric = [pg_query::protobuf::Token::Iconst as i32, pg_query::protobuf::Token::Fconst as i32];
    for t in toks.all().to_vec() {
        if !numeric.contains(&t.kind) {
            continue;
        }
        let w = toks.word(&t);
        let lower = w.to_ascii_lowercase();
        if lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b") || w.contains('_') {
            out.push((Fact::construct("non_decimal_literal", Some(w.to_string())), t.start, t.end, None));
        }
    }
}

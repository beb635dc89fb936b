//! Rewrites of application SQL: `subscript_to_arrow` (`j['a']` → `(j -> 'a')`, PostgreSQL 14
//! subscripting to the operator PostgreSQL 11 has) and `merge_to_upsert` (a simple `MERGE` →
//! `INSERT … SELECT … ON CONFLICT … DO UPDATE | DO NOTHING`).

use pg_query::protobuf::{
    self, node::Node as N, BoolExprType, CmdType, MergeMatchKind, OnConflictAction, OverridingKind, SetOperation,
    SortByDir, SortByNulls,
};

use crate::ir::dml::FixData;
use crate::ir::{Edit, Fate, Ir, StmtId};
use crate::lower::refs::strings;
use crate::rules::edit;
use crate::source::Span;

use super::{ActionEnv, Applied};

fn fix_of(ir: &Ir, id: StmtId, item: usize) -> Option<&FixData> {
    ir.stmts[id].dml.as_deref()?.items.get(item)?.fix.as_ref()
}

/// `base['a'][0]` → `(base -> 'a' -> 0)`: the same value for jsonb (and hstore) on PostgreSQL 11.
/// Reads only; an assignment target (`SET j['a'] = …`) has no fix data.
pub fn subscript_to_arrow(ir: &mut Ir, id: StmtId, item: usize, a: &Applied) -> Result<bool, String> {
    let Some(FixData::Subscript { base, subscripts }) = fix_of(ir, id, item).cloned() else {
        return Err("only constant subscripts of a column or of a parenthesised expression in a top-level statement can be rewritten".into());
    };
    let s = &mut ir.stmts[id];
    let at = s.span.start;
    let last = subscripts.last().map(|x| x.0.end).ok_or("no subscript")?;
    if s.edits.iter().any(|e| e.span.start < at + last && at + base.start < e.span.end) {
        return Err("another rewrite already changed this expression".into());
    }
    s.edits.push(Edit { span: Span::new(at + base.start, at + base.start), insert: "(".into() });
    for (span, key) in &subscripts {
        s.edits.push(Edit { span: Span::new(at + span.start, at + span.end), insert: format!(" -> {key}") });
    }
    s.edits.push(Edit { span: Span::new(at + last, at + last), insert: ")".into() });
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

/// A `MERGE` of the simple form becomes `INSERT … SELECT … ON CONFLICT (keys) DO UPDATE SET …`:
/// the join condition is `target.key = source.col` equalities (the conflict target), there is
/// one unconditional `WHEN NOT MATCHED THEN INSERT (…) VALUES (…)` that inserts the keys' source
/// columns, and at most one unconditional `WHEN MATCHED THEN UPDATE SET …` (or `DO NOTHING`)
/// whose source columns are among the inserted ones (they become `EXCLUDED.column`).
pub fn merge_to_upsert(ir: &mut Ir, id: StmtId, item: usize, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    if !matches!(fix_of(ir, id, item), Some(FixData::Merge)) {
        return Err("only a top-level MERGE statement can be rewritten".into());
    }
    let stmt = &ir.stmts[id];
    let text = env.files[stmt.file].slice(stmt.span);
    let parsed = pg_query::parse(text, 0).map_err(|e| e.to_string())?;
    let Some(N::MergeStmt(m)) =
        parsed.protobuf.stmts.first().and_then(|r| r.stmt.as_ref()).and_then(|s| s.node.as_ref())
    else {
        return Err("not a MERGE statement".into());
    };
    let insert = upsert(m)?;
    let result = protobuf::ParseResult {
        version: parsed.protobuf.version,
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(protobuf::Node { node: Some(N::InsertStmt(Box::new(insert))) })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    let sql = pg_query::deparse(&result, Default::default()).map_err(|e| format!("cannot print the INSERT: {e}"))?;
    let toks = edit::tokens(text);
    let end = toks.iter().rposition(|t| t.upper != ";").map(|i| toks[i].end).ok_or("empty statement")?;
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base, base + end), insert: sql });
    // Now an INSERT: it moves rows, so it loads with the data.
    s.is_data = true;
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

fn column_ref(n: &protobuf::Node) -> Option<Vec<String>> {
    match n.node.as_ref()? {
        N::ColumnRef(c) => {
            let parts = strings(&c.fields);
            (parts.len() == c.fields.len()).then_some(parts)
        }
        _ => None,
    }
}

fn col(parts: &[&str]) -> protobuf::Node {
    let fields = parts
        .iter()
        .map(|p| protobuf::Node { node: Some(N::String(protobuf::String { sval: p.to_string() })) })
        .collect();
    protobuf::Node { node: Some(N::ColumnRef(protobuf::ColumnRef { fields, location: -1 })) }
}

/// `target.key = source.expr` conjuncts of the join condition: (key column, source column ref).
fn join_keys(n: &protobuf::Node, target: &str, out: &mut Vec<(String, Vec<String>)>) -> Result<(), String> {
    match n.node.as_ref() {
        Some(N::BoolExpr(b)) if b.boolop == BoolExprType::AndExpr as i32 => {
            b.args.iter().try_for_each(|x| join_keys(x, target, out))
        }
        Some(N::AExpr(e)) if strings(&e.name) == ["="] => {
            let (l, r) = (e.lexpr.as_deref().and_then(column_ref), e.rexpr.as_deref().and_then(column_ref));
            let (Some(l), Some(r)) = (l, r) else {
                return Err("the ON condition compares something other than columns".into());
            };
            let is_target = |c: &[String]| c.len() == 2 && c[0] == target;
            match (is_target(&l), is_target(&r)) {
                (true, false) => out.push((l[1].clone(), r)),
                (false, true) => out.push((r[1].clone(), l)),
                _ => return Err("the ON condition is not target.column = source.column".into()),
            }
            Ok(())
        }
        _ => Err("the ON condition is not a conjunction of equalities".into()),
    }
}

/// Replace source column references by `EXCLUDED.column` in an UPDATE SET expression.
fn excluded(n: &mut protobuf::Node, source: &str, inserted: &[(String, Vec<String>)]) -> Result<(), String> {
    let Some(node) = n.node.as_mut() else { return Ok(()) };
    match node {
        N::ColumnRef(_) => {
            let parts = column_ref(n).ok_or("a `*` reference")?;
            if parts.len() == 2 && parts[0] == source {
                let Some((c, _)) = inserted.iter().find(|(_, v)| *v == parts) else {
                    return Err(format!("UPDATE uses {}.{}, which the INSERT does not insert", parts[0], parts[1]));
                };
                *n = col(&["excluded", c]);
            } else if parts.len() == 1 {
                return Err(format!("UPDATE uses the unqualified column {}", parts[0]));
            }
            Ok(())
        }
        N::AConst(_) | N::ParamRef(_) | N::SqlvalueFunction(_) => Ok(()),
        N::AExpr(e) => {
            if let Some(x) = e.lexpr.as_deref_mut() {
                excluded(x, source, inserted)?;
            }
            if let Some(x) = e.rexpr.as_deref_mut() {
                excluded(x, source, inserted)?;
            }
            Ok(())
        }
        N::TypeCast(t) => t.arg.as_deref_mut().map_or(Ok(()), |x| excluded(x, source, inserted)),
        N::FuncCall(f) if f.over.is_none() && f.agg_order.is_empty() && f.agg_filter.is_none() => {
            f.args.iter_mut().try_for_each(|x| excluded(x, source, inserted))
        }
        N::CoalesceExpr(c) => c.args.iter_mut().try_for_each(|x| excluded(x, source, inserted)),
        N::BoolExpr(b) => b.args.iter_mut().try_for_each(|x| excluded(x, source, inserted)),
        N::NullTest(t) => t.arg.as_deref_mut().map_or(Ok(()), |x| excluded(x, source, inserted)),
        _ => Err("UPDATE SET uses an expression this rewrite does not handle".into()),
    }
}

fn upsert(m: &protobuf::MergeStmt) -> Result<protobuf::InsertStmt, String> {
    if m.returning_clause.as_ref().is_some_and(|r| !r.exprs.is_empty()) {
        return Err("MERGE … RETURNING".into());
    }
    let relation = m.relation.clone().ok_or("no target table")?;
    let target = relation.alias.as_ref().map(|a| a.aliasname.clone()).unwrap_or_else(|| relation.relname.clone());
    let source_node = m.source_relation.as_deref().ok_or("no source")?;
    let source = match source_node.node.as_ref() {
        Some(N::RangeVar(rv)) => rv.alias.as_ref().map(|a| a.aliasname.clone()).unwrap_or_else(|| rv.relname.clone()),
        Some(N::RangeSubselect(rs)) => {
            rs.alias.as_ref().map(|a| a.aliasname.clone()).ok_or("a subquery source without alias")?
        }
        _ => return Err("the source is not a table or a subquery".into()),
    };
    let mut keys = Vec::new();
    join_keys(m.join_condition.as_deref().ok_or("no ON condition")?, &target, &mut keys)?;
    let (mut insert, mut update, mut nothing) = (None, None, false);
    for c in &m.merge_when_clauses {
        let Some(N::MergeWhenClause(w)) = &c.node else { continue };
        if w.condition.is_some() {
            return Err("a WHEN clause has an AND condition".into());
        }
        let matched = w.match_kind == MergeMatchKind::MergeWhenMatched as i32;
        let not_matched = w.match_kind == MergeMatchKind::MergeWhenNotMatchedByTarget as i32;
        match (matched, not_matched, w.command_type) {
            (true, _, t) if t == CmdType::CmdUpdate as i32 && update.is_none() && !nothing => update = Some(w),
            (true, _, t) if t == CmdType::CmdNothing as i32 && update.is_none() && !nothing => nothing = true,
            (_, true, t) if t == CmdType::CmdInsert as i32 && insert.is_none() => insert = Some(w),
            _ => return Err("the WHEN clauses are not one INSERT and at most one UPDATE or DO NOTHING".into()),
        }
    }
    let insert = insert.ok_or("no WHEN NOT MATCHED THEN INSERT")?;
    if insert.target_list.is_empty() || insert.target_list.len() != insert.values.len() {
        return Err("the INSERT has no column list".into());
    }
    // Inserted columns and the source column each takes.
    let mut inserted = Vec::new();
    for (t, v) in insert.target_list.iter().zip(&insert.values) {
        let Some(N::ResTarget(rt)) = &t.node else { return Err("unexpected INSERT target".into()) };
        if let Some(parts) = column_ref(v) {
            inserted.push((rt.name.clone(), parts));
        }
    }
    for (key, src) in &keys {
        if !inserted.iter().any(|(c, v)| c == key && v == src) {
            return Err(format!("the INSERT does not insert {} into the key column {key}", src.join(".")));
        }
    }
    let mut set = Vec::new();
    if let Some(u) = update {
        for t in &u.target_list {
            let Some(N::ResTarget(rt)) = &t.node else { continue };
            let mut rt = rt.clone();
            if !rt.indirection.is_empty() {
                return Err("UPDATE SET assigns a subscript or field".into());
            }
            if let Some(v) = rt.val.as_deref_mut() {
                excluded(v, &source, &inserted)?;
            }
            set.push(protobuf::Node { node: Some(N::ResTarget(rt)) });
        }
    }
    let select = protobuf::SelectStmt {
        target_list: insert
            .values
            .iter()
            .map(|v| protobuf::Node {
                node: Some(N::ResTarget(Box::new(protobuf::ResTarget {
                    val: Some(Box::new(v.clone())),
                    location: -1,
                    ..Default::default()
                }))),
            })
            .collect(),
        from_clause: vec![source_node.clone()],
        limit_option: protobuf::LimitOption::Default as i32,
        op: SetOperation::SetopNone as i32,
        ..Default::default()
    };
    let index_elems = keys
        .iter()
        .map(|(k, _)| protobuf::Node {
            node: Some(N::IndexElem(Box::new(protobuf::IndexElem {
                name: k.clone(),
                ordering: SortByDir::SortbyDefault as i32,
                nulls_ordering: SortByNulls::SortbyNullsDefault as i32,
                ..Default::default()
            }))),
        })
        .collect();
    let action =
        if update.is_some() { OnConflictAction::OnconflictUpdate } else { OnConflictAction::OnconflictNothing };
    Ok(protobuf::InsertStmt {
        relation: Some(relation),
        cols: insert.target_list.clone(),
        select_stmt: Some(Box::new(protobuf::Node { node: Some(N::SelectStmt(Box::new(select))) })),
        on_conflict_clause: Some(Box::new(protobuf::OnConflictClause {
            action: action as i32,
            infer: Some(Box::new(protobuf::InferClause { index_elems, location: -1, ..Default::default() })),
            target_list: set,
            where_clause: None,
            location: -1,
        })),
        returning_clause: None,
        with_clause: m.with_clause.clone(),
        r#override: OverridingKind::OverridingNotSet as i32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(sql: &str) -> Result<String, String> {
        let parsed = pg_query::parse(sql, 0).unwrap();
        let Some(N::MergeStmt(m)) = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref() else { panic!() };
        let insert = upsert(m)?;
        let result = protobuf::ParseResult {
            version: parsed.protobuf.version,
            stmts: vec![protobuf::RawStmt {
                stmt: Some(Box::new(protobuf::Node { node: Some(N::InsertStmt(Box::new(insert))) })),
                stmt_location: 0,
                stmt_len: 0,
            }],
        };
        pg_query::deparse(&result, Default::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn simple_merge_becomes_insert_on_conflict() {
        let sql = "MERGE INTO public.stock t USING incoming s ON t.sku = s.sku \
                   WHEN MATCHED THEN UPDATE SET qty = t.qty + s.qty \
                   WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (s.sku, s.qty)";
        assert_eq!(
            rewrite(sql).unwrap(),
            "INSERT INTO public.stock AS t (sku, qty) SELECT s.sku, s.qty FROM incoming s \
             ON CONFLICT (sku) DO UPDATE SET qty = t.qty + excluded.qty"
        );
        let nothing = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id) \
                       WHEN MATCHED THEN DO NOTHING";
        assert_eq!(rewrite(nothing).unwrap(), "INSERT INTO t (id) SELECT s.id FROM s ON CONFLICT (id) DO NOTHING");
    }

    #[test]
    fn other_merges_are_refused_with_a_reason() {
        let delete = "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE \
                      WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)";
        assert!(rewrite(delete).unwrap_err().contains("WHEN clauses"));
        let cond = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED AND s.x > 0 THEN INSERT (id) VALUES (s.id)";
        assert!(rewrite(cond).unwrap_err().contains("AND condition"));
        let other_col = "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v \
                         WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)";
        assert!(rewrite(other_col).unwrap_err().contains("does not insert"));
        let key = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.other)";
        assert!(rewrite(key).unwrap_err().contains("key column"));
    }
}

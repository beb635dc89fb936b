//! `expand_like`: `CREATE TABLE t (LIKE s INCLUDING …)` becomes an explicit column list (and the
//! copied keys and indexes), when the input creates `s` before `t`.

use crate::ir::{Detail, Edit, Fate, Ir, ObjKey, StmtId, TableView};
use crate::rules::edit;
use crate::source::Span;

use super::generated::quote_ident;
use super::{ActionEnv, Applied};

// PostgreSQL's CREATE_TABLE_LIKE_* option bits (parsenodes.h).
const CONSTRAINTS: u32 = 1 << 2;
const DEFAULTS: u32 = 1 << 3;
const GENERATED: u32 = 1 << 4;
const IDENTITY: u32 = 1 << 5;
const INDEXES: u32 = 1 << 6;

fn ident_list(cols: &[String]) -> String {
    cols.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}

fn qualified(k: &ObjKey) -> String {
    format!("{}.{}", quote_ident(&k.schema), quote_ident(&k.name))
}

/// The element list and index statements that `LIKE source` with `options` stands for.
fn expansion(
    ir: &Ir,
    env: &ActionEnv,
    target: StmtId,
    source: &ObjKey,
    options: u32,
    new_table: &ObjKey,
) -> Result<(Vec<String>, Vec<String>), String> {
    let here = (ir.stmts[target].file, ir.stmts[target].span.start);
    let def =
        ir.definer_at(source, target).ok_or_else(|| format!("{} is not created in the input", source.display()))?;
    let ds = &ir.stmts[def];
    let Detail::CreateTable(src) = &ds.detail else {
        return Err(format!("{} is not created by a CREATE TABLE", source.display()));
    };
    if (ds.file, ds.span.start) > here {
        return Err(format!("{} is created after the LIKE", source.display()));
    }
    let text = env.files[ds.file].slice(ds.span);
    let mut elements = Vec::new();
    for c in &src.columns {
        if c.identity.is_some() && options & IDENTITY != 0 {
            return Err(format!("column {} is an identity column copied by INCLUDING IDENTITY", c.name));
        }
        if c.generated.is_some() && options & GENERATED != 0 {
            return Err(format!("column {} is a generated column copied by INCLUDING GENERATED", c.name));
        }
        let mut d = format!("{} {}", quote_ident(&c.name), c.type_name);
        if let Some(coll) = &c.collation {
            let parts: Vec<String> = coll.split('.').map(quote_ident).collect();
            d.push_str(&format!(" COLLATE {}", parts.join(".")));
        }
        if c.has_default && options & DEFAULTS != 0 {
            let sp = c.default_span.ok_or_else(|| format!("the default of {} was not located", c.name))?;
            d.push_str(&format!(" DEFAULT {}", &text[sp.start..sp.end]));
        }
        if c.not_null {
            d.push_str(" NOT NULL");
        }
        elements.push(d);
    }
    if options & CONSTRAINTS != 0 {
        for k in src.constraints.iter().filter(|k| k.kind == "check") {
            if src.columns.iter().any(|c| c.span.start <= k.span.start && k.span.end <= c.span.end) {
                return Err(format!("column-level CHECK constraint {} is not expanded", k.name));
            }
            elements.push(text[k.span.start..k.span.end].to_string());
        }
    }
    let mut indexes = Vec::new();
    if options & INDEXES != 0 {
        let mut keys: Vec<(String, Vec<String>)> = src
            .constraints
            .iter()
            .filter(|k| k.kind == "primary_key" || k.kind == "unique")
            .map(|k| (k.kind.clone(), k.columns.clone()))
            .collect();
        for s in ir.stmts.iter().filter(|s| (s.file, s.span.start) < here && s.fate != Fate::Dropped) {
            match &s.detail {
                Detail::AddConstraint { table, constraint, .. }
                    if table == source && matches!(constraint.kind.as_str(), "primary_key" | "unique") =>
                {
                    keys.push((constraint.kind.clone(), constraint.columns.clone()))
                }
                Detail::CreateIndex(i) if i.schema == source.schema && i.table == source.name => {
                    indexes.push(index_copy(env.files[s.file].slice(s.span), new_table)?);
                }
                _ => {}
            }
        }
        for (kind, cols) in keys {
            let word = if kind == "primary_key" { "PRIMARY KEY" } else { "UNIQUE" };
            elements.push(format!("{word} ({})", ident_list(&cols)));
        }
    }
    Ok((elements, indexes))
}

/// `CREATE [UNIQUE] INDEX name ON [ONLY] src …` → `CREATE [UNIQUE] INDEX ON new …` (the server
/// names it as LIKE would).
fn index_copy(text: &str, new_table: &ObjKey) -> Result<String, String> {
    let toks = edit::tokens(text);
    let on = toks.iter().position(|t| t.upper == "ON" && t.depth == 0).ok_or("index without ON")?;
    let mut rel = on + 1;
    if toks.get(rel).is_some_and(|t| t.upper == "ONLY") {
        rel += 1;
    }
    let rel_end = edit::skip_name(&toks, rel);
    // The name, if any, is the (qualified) name right before ON, after INDEX/CONCURRENTLY/EXISTS.
    let index_kw = toks.iter().position(|t| t.upper == "INDEX").ok_or("not an index")?;
    let mut name_start = index_kw + 1;
    while toks.get(name_start).is_some_and(|t| matches!(t.upper.as_str(), "CONCURRENTLY" | "IF" | "NOT" | "EXISTS")) {
        name_start += 1;
    }
    let body = text.trim_end().trim_end_matches(';');
    let head = if name_start < on { &body[..toks[name_start].start] } else { &body[..toks[on].start] };
    Ok(format!("{}ON {}{}", head, qualified(new_table), &body[toks[rel_end - 1].end..]) + ";")
}

pub fn expand_like(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::CreateTable(t) = &stmt.detail else { return Err("not a CREATE TABLE".into()) };
    let t: TableView = (**t).clone();
    if t.like_clauses.is_empty() {
        return Err("no LIKE clause".into());
    }
    let new_table = ObjKey::relation(&t.schema, &t.name);
    let text = env.files[stmt.file].slice(stmt.span).to_string();
    let toks = edit::tokens(&text);
    let base = stmt.span.start;
    let mut edits = Vec::new();
    let mut appended = Vec::new();
    for clause in &t.like_clauses {
        let (elements, indexes) = expansion(ir, env, id, &clause.source, clause.options, &new_table)?;
        let like = toks
            .iter()
            .rev()
            .find(|k| k.upper == "LIKE" && k.end <= clause.span.start)
            .ok_or("LIKE keyword not found")?;
        let indent = text[..like.start].rsplit('\n').next().filter(|l| l.trim().is_empty()).unwrap_or("    ");
        edits.push(Edit {
            span: Span::new(base + like.start, base + clause.span.end),
            insert: elements.join(&format!(",\n{indent}")),
        });
        appended.extend(indexes);
    }
    let s = &mut ir.stmts[id];
    s.edits.extend(edits);
    if !appended.is_empty() {
        s.appended.push(format!(
            "-- pg2znb {}: indexes copied by LIKE … INCLUDING INDEXES\n{}",
            a.code,
            appended.join("\n")
        ));
    }
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

//! `split_schema_elements`: `CREATE SCHEMA s CREATE TABLE t … CREATE VIEW v …` becomes
//! `CREATE SCHEMA s;` and one statement per element. Inside CREATE SCHEMA, unqualified names
//! resolve in `s` first; the split statements run in a transaction whose local search_path puts
//! `s` first, so they resolve the same way and the session's search_path is untouched after it.

use crate::ir::{Edit, Fate, Ir, StmtId};
use crate::rules::edit;
use crate::source::Span;

use super::generated::quote_ident;
use super::{ActionEnv, Applied};

pub fn split_schema_elements(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    if stmt.kind != "create_schema" || stmt.schema_elements == 0 {
        return Err("not a CREATE SCHEMA with elements".into());
    }
    let schema = stmt
        .defines
        .iter()
        .find(|d| d.kind == crate::ir::ObjKind::Schema)
        .map(|d| d.name.clone())
        .ok_or("the schema has no name (CREATE SCHEMA AUTHORIZATION role)")?;
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    // Elements start at CREATE or GRANT at depth 0, after the leading CREATE SCHEMA.
    let starts: Vec<usize> = toks
        .iter()
        .enumerate()
        .skip(2)
        .filter(|(_, t)| t.depth == 0 && (t.upper == "CREATE" || t.upper == "GRANT"))
        .map(|(i, _)| i)
        .collect();
    if starts.len() != stmt.schema_elements {
        return Err(format!("found {} element keywords for {} elements", starts.len(), stmt.schema_elements));
    }
    let end = toks.iter().rposition(|t| t.upper != ";").ok_or("empty statement")?;
    let head = text[..toks[starts[0]].start].trim_end();
    let mut elements = Vec::new();
    for (k, &i) in starts.iter().enumerate() {
        let stop = starts.get(k + 1).map(|&j| toks[j].start).unwrap_or(toks[end].end);
        elements.push(text[toks[i].start..stop].trim_end().to_string());
    }
    let path = quote_ident(&schema).replace('\'', "''");
    let mut out = format!(
        "-- pg2znb {}: CREATE SCHEMA with elements, one statement each; names resolve in {schema} first as before\n\
         BEGIN;\n{head};\n\
         SELECT pg_catalog.set_config('search_path', CASE pg_catalog.current_setting('search_path') WHEN '' THEN '{path}' ELSE '{path}, ' || pg_catalog.current_setting('search_path') END, true);\n",
        a.code
    );
    for e in &elements {
        out.push_str(e);
        out.push_str(";\n");
    }
    out.push_str("COMMIT;");
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base, base + text.len()), insert: out });
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

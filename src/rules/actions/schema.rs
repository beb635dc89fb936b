//! `split_schema_elements`: `CREATE SCHEMA s CREATE TABLE t … CREATE VIEW v …` becomes
//! `CREATE SCHEMA s;` and one statement per element. Inside CREATE SCHEMA, unqualified names
//! resolve in `s` first; the split statements run in a transaction whose local search_path puts
//! `s` first, so they resolve the same way and the session's search_path is untouched after it.

use crate::ir::{Edit, Fate, Ir, StmtId};
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
    // The elements are statements of their own (lowered with `Stmt::element_of`): the split
    // edits only the gaps between them, so what other rules change inside an element (edits
    // they put on this statement) stays.
    let elements: Vec<Span> =
        ir.stmts[id + 1..].iter().take_while(|e| e.element_of == Some(id)).map(|e| e.span).collect();
    if elements.len() != stmt.schema_elements {
        return Err(format!("found {} elements of {}", elements.len(), stmt.schema_elements));
    }
    let text = env.files[stmt.file].slice(stmt.span);
    let base = stmt.span.start;
    let head_end = base + text[..elements[0].start - base].trim_end().len();
    let path = quote_ident(&schema).replace('\'', "''");
    let mut edits = vec![
        Edit {
            span: Span::new(base, base),
            insert: format!(
                "-- pg2znb {}: CREATE SCHEMA with elements, one statement each; names resolve in {schema} first as before\n\
                 BEGIN;\n",
                a.code
            ),
        },
        Edit {
            span: Span::new(head_end, elements[0].start),
            insert: format!(
                ";\nSELECT pg_catalog.set_config('search_path', CASE pg_catalog.current_setting('search_path') WHEN '' THEN '{path}' ELSE '{path}, ' || pg_catalog.current_setting('search_path') END, true);\n"
            ),
        },
    ];
    for pair in elements.windows(2) {
        edits.push(Edit { span: Span::new(pair[0].end, pair[1].start), insert: ";\n".into() });
    }
    let last = elements[elements.len() - 1];
    edits.push(Edit { span: Span::new(last.end, stmt.span.end), insert: ";\nCOMMIT;".into() });
    let s = &mut ir.stmts[id];
    s.edits.extend(edits);
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

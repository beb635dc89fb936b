//! `generated_to_trigger`: a stored generated column becomes a plain column plus a
//! BEFORE INSERT OR UPDATE trigger that computes it (targets before PostgreSQL 12 syntax).

use pg_query::NodeRef;

use crate::ir::change::ObjectKind;
use crate::ir::{Detail, Edit, Fate, Ir, ObjKey, ObjKind, StmtId};
use crate::rules::edit;
use crate::source::Span;

use super::{record_change, ActionEnv, Applied};

pub(crate) use crate::rules::edit::quote_ident;

/// A name of at most 63 bytes (PostgreSQL's limit), keeping it unique with a short hash.
pub(crate) fn bounded_name(base: &str) -> String {
    if base.len() <= 63 {
        return base.to_string();
    }
    let hash = base.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    let mut cut = 54;
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &base[..cut], hash as u32)
}

/// Prefix the expression's bare column references with `NEW.`.
fn qualify_with_new(expr: &str) -> Result<String, String> {
    let sql = format!("SELECT {expr}");
    let parsed = pg_query::parse(&sql, 0).map_err(|e| format!("the generation expression does not parse: {e}"))?;
    let mut at: Vec<usize> = Vec::new();
    for (n, _, _, _) in parsed.protobuf.nodes() {
        if let NodeRef::ColumnRef(c) = n {
            if c.fields.len() == 1 && c.location >= 7 {
                at.push(c.location as usize);
            }
        }
    }
    at.sort_unstable();
    at.dedup();
    let mut out = sql.clone();
    for &pos in at.iter().rev() {
        out.insert_str(pos, "NEW.");
    }
    Ok(out["SELECT ".len()..].to_string())
}

pub fn generated_to_trigger(
    ir: &mut Ir,
    id: StmtId,
    item: usize,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::CreateTable(t) = &stmt.detail else { return Err("not a CREATE TABLE".into()) };
    if t.partitioned {
        return Err("the table is partitioned: a BEFORE ROW trigger on it needs 2.25; create one per partition".into());
    }
    let col = t.columns.get(item).ok_or("no such column")?;
    let Some(how) = col.generated.as_deref() else {
        return Err("the column is not a generated column".into());
    };
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    let from = toks.iter().position(|k| k.start >= col.span.start).ok_or("column not found")?;
    let to = toks.iter().position(|k| k.start >= col.span.end).unwrap_or(toks.len());
    let g = (from..to).find(|&i| toks[i].upper == "GENERATED").ok_or("GENERATED clause not found")?;
    let open = (g..to).find(|&i| toks[i].upper == "(").ok_or("generation expression not found")?;
    let close = edit::skip_group(&toks, open) - 1;
    let stored = close + 1;
    if !matches!(toks.get(stored).map(|k| k.upper.as_str()), Some("STORED" | "VIRTUAL")) {
        return Err("GENERATED … STORED or VIRTUAL not found".into());
    }
    let expr = &text[toks[open].end..toks[close].start];
    let computed = qualify_with_new(expr.trim())?;

    let (schema, table, column) = (t.schema.clone(), t.name.clone(), col.name.clone());
    let fname = bounded_name(&format!("{table}_{column}_generated"));
    let (qs, qt, qc, qf) = (quote_ident(&schema), quote_ident(&table), quote_ident(&column), quote_ident(&fname));
    let mut tag = "$$".to_string();
    while computed.contains(&tag) {
        tag = format!("${}$", "g".repeat(tag.len() - 1));
    }
    let appended = format!(
        "-- pg2znb {code}: computes {table}.{column}, {what}\n\
         CREATE FUNCTION {qs}.{qf}() RETURNS trigger\n    LANGUAGE plpgsql\n    AS {tag}\nBEGIN\n    NEW.{qc} := {computed};\n    RETURN NEW;\nEND\n{tag};\n\n\
         CREATE TRIGGER {qf} BEFORE INSERT OR UPDATE ON {qs}.{qt} FOR EACH ROW EXECUTE FUNCTION {qs}.{qf}();",
        code = a.code,
        what = if how == "virtual" {
            "a virtual generated column (PostgreSQL 18)"
        } else {
            "a stored generated column before ZNbaseDB 2.25"
        }
    );
    let base = stmt.span.start;
    let removal = edit::remove(text, base, toks[g].start, toks[stored].end);
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: removal.span, insert: String::new() });
    s.appended.push(appended);
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    ir.add_definition(id, ObjKey::new(ObjKind::Function, &schema, &fname));
    ir.add_definition(id, ObjKey::on_table(ObjKind::Trigger, &schema, &table, &fname));
    record_change(ir, id, ObjectKind::Column, &column, Some(&table), a);
    let _ = Span::default();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_column_references_get_new() {
        assert_eq!(qualify_with_new("a * 2 + t.b").unwrap(), "NEW.a * 2 + t.b");
        assert_eq!(
            qualify_with_new("COALESCE(x, ((y)::text)::character varying)").unwrap(),
            "COALESCE(NEW.x, ((NEW.y)::text)::character varying)"
        );
        assert_eq!(qualify_with_new("lower(\"Name\")").unwrap(), "lower(NEW.\"Name\")");
    }

    #[test]
    fn names_stay_within_63_bytes() {
        assert_eq!(bounded_name("t_c_generated"), "t_c_generated");
        let long = bounded_name(&"x".repeat(80));
        assert_eq!(long.len(), 63);
        assert_ne!(bounded_name(&"x".repeat(80)), bounded_name(&"x".repeat(81)));
    }
}

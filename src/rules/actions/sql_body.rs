//! `sql_body_to_string`: a SQL-standard function body (`RETURN expr` or `BEGIN ATOMIC … END`,
//! PostgreSQL 14+) becomes a dollar-quoted string body, which PostgreSQL 11 understands.

use crate::ir::{Detail, Edit, Fate, Ir, StmtId};
use crate::rules::edit;
use crate::source::Span;

use super::{ActionEnv, Applied};

/// A dollar-quote tag that does not occur in `body`.
fn tag_for(body: &str) -> String {
    let mut tag = "$$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$body{n}$");
    }
    tag
}

pub fn sql_body_to_string(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::CreateFunction(f) = &stmt.detail else { return Err("not a CREATE FUNCTION".into()) };
    if !f.sql_body {
        return Err("the function has no SQL-standard body".into());
    }
    let needs_language = f.language.is_empty();
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    let end_tok = toks.iter().rposition(|t| t.upper != ";").ok_or("empty statement")?;
    let start = toks
        .iter()
        .enumerate()
        .position(|(i, t)| {
            t.depth == 0
                && (t.upper == "RETURN" || (t.upper == "BEGIN" && toks.get(i + 1).is_some_and(|n| n.upper == "ATOMIC")))
        })
        .ok_or("the body was not found")?;
    let body = if toks[start].upper == "RETURN" {
        format!("SELECT {}", text[toks[start + 1].start..toks[end_tok].end].trim())
    } else {
        // BEGIN ATOMIC <statements> END
        if toks[end_tok].upper != "END" {
            return Err("BEGIN ATOMIC without its END".into());
        }
        text[toks[start + 1].end..toks[end_tok].start].trim().to_string()
    };
    let tag = tag_for(&body);
    let language = if needs_language { "LANGUAGE sql\n    " } else { "" };
    let insert = format!("{language}AS {tag}\n{body}\n{tag}");
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base + toks[start].start, base + toks[end_tok].end), insert });
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::tag_for;

    #[test]
    fn picks_a_tag_absent_from_the_body() {
        assert_eq!(tag_for("SELECT 1"), "$$");
        assert_eq!(tag_for("SELECT $$x$$"), "$body1$");
    }
}

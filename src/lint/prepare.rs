//! Make application query files parseable without moving a byte: sqlc's `@name` parameters and
//! psql's `:name` / `:'name'` / `:"name"` variables are not PostgreSQL syntax (pg_query reads `@`
//! as an operator), so they are replaced by text of the same length before parsing. Positions
//! in the prepared text are positions in the original, and findings point into the original.

use pg_query::protobuf::Token;

use crate::scan::{self, PieceKind};
use crate::source::Span;

/// The prepared text and the spans that were replaced.
pub fn prepare(text: &str) -> (String, Vec<Span>) {
    let mut out = text.to_string();
    let mut replaced = Vec::new();
    if !text.contains(['@', ':']) {
        return (out, replaced);
    }
    let s = scan::scan(text);
    for piece in s.pieces.iter().filter(|p| p.kind == PieceKind::Statement) {
        let stmt = piece.text(text);
        if !stmt.contains(['@', ':']) {
            continue;
        }
        let Ok(toks) = pg_query::scan_tokens(stmt) else { continue };
        let word = |i: usize| toks.get(i).and_then(|t| stmt.get(t.start as usize..t.end as usize)).unwrap_or("");
        let mut brackets = 0i32;
        for (i, t) in toks.iter().enumerate() {
            let (start, end) = (t.start as usize, t.end as usize);
            let here = word(i);
            match here {
                "[" => brackets += 1,
                "]" => brackets -= 1,
                _ => {}
            }
            let Some(next) = toks.get(i + 1) else { continue };
            if next.start as usize != end {
                continue;
            }
            let next_word = word(i + 1);
            let identifier = next_word.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && next_word.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
            let at = piece.span.start + start;
            let next_end = piece.span.start + next.end as usize;
            if here == "@" && identifier {
                // sqlc: `@name` → `$1` padded with spaces.
                let len = next_end - at;
                out.replace_range(at..next_end, &format!("$1{}", " ".repeat(len - 2)));
                replaced.push(Span::new(at, next_end));
            } else if here == ":" && brackets == 0 {
                if identifier {
                    // psql: `:name` → `_name` (a name is valid where psql would interpolate one).
                    out.replace_range(at..at + 1, "_");
                    replaced.push(Span::new(at, next_end));
                } else if next.token == Token::Sconst as i32 && next_word.starts_with('\'')
                    || next.token == Token::Ident as i32 && next_word.starts_with('"')
                {
                    // psql: `:'name'` / `:"name"` → ` 'name'` / ` "name"`.
                    out.replace_range(at..at + 1, " ");
                    replaced.push(Span::new(at, next_end));
                }
            }
        }
    }
    (out, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlc_parameters_keep_their_length() {
        let sql = "-- name: Get :one\nSELECT * FROM t WHERE id = @id AND a @> b AND n = @name::text LIMIT @limit;";
        let (p, spans) = prepare(sql);
        assert_eq!(p.len(), sql.len());
        assert!(p.contains("id = $1  AND a @> b AND n = $1   ::text LIMIT $1    ;"), "{p}");
        assert_eq!(spans.len(), 3);
        assert!(pg_query::parse(&p, 0).is_ok());
    }

    #[test]
    fn psql_variables_keep_their_length() {
        let sql = "\\prompt 'name: ' tablename\nselect * from :tablename where ctid = :'x' and a[1:2] = 1 and b::int = :\"c\";";
        let (p, _) = prepare(sql);
        assert_eq!(p.len(), sql.len());
        assert!(p.contains("from _tablename where ctid =  'x' and a[1:2] = 1 and b::int =  \"c\";"), "{p}");
    }
}

//! Routine bodies libpg_query's PL/pgSQL parser gives up on for want of a catalog, and the
//! tokens of the bodies no parser takes.
//!
//! The parser resolves every parameter, result and `DECLARE` type, and without a catalog it
//! knows only `pg_catalog` and `public` ("Not implemented: LookupExplicitNamespace only
//! supports pg_catalog and public") and no table columns (`%TYPE`, `%ROWTYPE`). The types do
//! not matter to the facts read from the body, so [`standin`] writes a copy of the statement
//! where each such type is `text` (`record` for a row type), padded to the same length: every
//! offset stays an offset in the original. What still does not parse is read token by token
//! ([`scan_calls`]): function calls and the SQL/JSON syntax the application rules know.

use pg_query::protobuf::{self, node::Node as N, Token};

use super::extract::{extract, Scope};
use super::plpgsql::Decoded;
use super::tokens::{self, Tok};
use crate::ir::dml::{ContextView, DmlItem, Fact};
use crate::lower::refs::strings;
use crate::source::Span;

/// Schemas the parser resolves on its own.
const KNOWN: &[&str] = &["pg_catalog", "public"];

/// A copy of `stmt` (a `CREATE FUNCTION`/`PROCEDURE`/`DO` whose body is `body`) with the types
/// the parser cannot resolve replaced, or `None` when it has none.
pub fn standin(stmt: &str, node: &N, body: &Decoded) -> Option<String> {
    let mut regions: Vec<(usize, usize, bool)> = Vec::new();
    let stmt_toks = tokens::scan(stmt);
    if let N::CreateFunctionStmt(fs) = node {
        let types = fs
            .parameters
            .iter()
            .filter_map(|p| match &p.node {
                Some(N::FunctionParameter(fp)) => fp.arg_type.as_ref(),
                _ => None,
            })
            .chain(fs.return_type.as_ref());
        for t in types {
            if let Some(r) = header_type(stmt, &stmt_toks, t) {
                regions.push(r);
            }
        }
    }
    for (s, e, row) in declared_types(&body.text, &tokens::scan(&body.text)) {
        let (a, b) = (body.map[s], body.map[e.min(body.map.len() - 1)]);
        // Only where the body's bytes are the statement's (no quote doubling in between).
        if b - a == e - s {
            regions.push((a, b, row));
        }
    }
    if regions.is_empty() {
        return None;
    }
    let mut out = stmt.to_string();
    for (a, b, row) in regions {
        let word = match (row, b - a) {
            (true, n) if n >= 6 => "record",
            (_, n) if n >= 4 => "text",
            _ => "int",
        };
        if !out.is_char_boundary(a) || !out.is_char_boundary(b) || b - a < word.len() {
            continue;
        }
        out.replace_range(a..b, &format!("{word:<width$}", width = b - a));
    }
    Some(out)
}

fn word<'a>(text: &'a str, t: &Tok) -> &'a str {
    text.get(t.start..t.end).unwrap_or("")
}

fn is_name(text: &str, t: &Tok) -> bool {
    let w = word(text, t);
    t.kind == Token::Ident as i32 || w.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The extent of a type name from token `i`: `a[.b[.c]][%TYPE|%ROWTYPE]`, with whether it needs
/// a stand-in (`%TYPE`, `%ROWTYPE`, a schema the parser does not know) and whether it is a row.
fn type_extent(text: &str, toks: &[Tok], i: usize) -> Option<(usize, usize, bool, bool)> {
    let first = toks.get(i).filter(|t| is_name(text, t))?;
    let mut j = i;
    let mut parts = 1;
    while toks.get(j + 1).is_some_and(|t| word(text, t) == ".") && toks.get(j + 2).is_some_and(|t| is_name(text, t)) {
        j += 2;
        parts += 1;
    }
    let mut pct = None;
    if toks.get(j + 1).is_some_and(|t| word(text, t) == "%") {
        if let Some(t) = toks.get(j + 2) {
            let w = word(text, t).to_ascii_uppercase();
            if w == "TYPE" || w == "ROWTYPE" {
                pct = Some(w == "ROWTYPE");
                j += 2;
            }
        }
    }
    let schema = word(text, first);
    let unknown_schema =
        parts >= 2 && !schema.starts_with('"') && !KNOWN.contains(&schema.to_ascii_lowercase().as_str());
    let needs = pct.is_some() || unknown_schema;
    Some((first.start, toks[j].end, needs, pct == Some(true)))
}

/// A parameter or result type of the header that needs a stand-in.
fn header_type(stmt: &str, toks: &[Tok], t: &protobuf::TypeName) -> Option<(usize, usize, bool)> {
    let names = strings(&t.names);
    let unknown = names.len() >= 2 && !KNOWN.contains(&names[0].as_str());
    if !(t.pct_type || unknown) {
        return None;
    }
    let i = toks.partition_point(|x| x.start < t.location.max(0) as usize);
    // `SETOF app.t`: the location may be SETOF's.
    let i = if toks.get(i).is_some_and(|x| word(stmt, x).eq_ignore_ascii_case("SETOF")) { i + 1 } else { i };
    let (s, e, needs, row) = type_extent(stmt, toks, i)?;
    needs.then_some((s, e, row))
}

/// The types in the body's `DECLARE` sections that need a stand-in: (start, end, row type).
fn declared_types(text: &str, toks: &[Tok]) -> Vec<(usize, usize, bool)> {
    let w = |i: usize| toks.get(i).map(|t| word(text, t).to_ascii_uppercase()).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if w(i) != "DECLARE" {
            i += 1;
            continue;
        }
        i += 1;
        // Declarations up to the block's BEGIN: `name [CONSTANT] type [COLLATE c] [NOT NULL]
        // [{:= | = | DEFAULT} expr];`, aliases and cursors left as they are.
        while i < toks.len() && w(i) != "BEGIN" {
            let mut j = i + 1;
            if w(j) == "CONSTANT" {
                j += 1;
            }
            let skip = matches!(w(j).as_str(), "ALIAS" | "CURSOR" | "SCROLL" | "NO");
            if !skip {
                if let Some((s, e, true, row)) = type_extent(text, toks, j) {
                    out.push((s, e, row));
                }
            }
            // To the end of the declaration (parentheses may hold `;` only inside strings).
            let mut depth = 0i32;
            while j < toks.len() {
                match word(text, &toks[j]) {
                    "(" => depth += 1,
                    ")" => depth -= 1,
                    ";" if depth <= 0 => break,
                    _ => {}
                }
                j += 1;
            }
            i = j + 1;
        }
    }
    out
}

/// SQL/JSON constructs that read like calls and are no function in any PostgreSQL version.
const JSON_SYNTAX: &[&str] = &[
    "json_array",
    "json_arrayagg",
    "json_objectagg",
    "json_exists",
    "json_query",
    "json_value",
    "json_table",
    "json_scalar",
    "json_serialize",
];

/// Words that come before `(` without being a call.
const NOT_CALLS: &[&str] = &[
    "all", "and", "any", "array", "as", "between", "case", "cast", "elsif", "exists", "filter", "from", "if", "in",
    "into", "not", "on", "or", "over", "query", "return", "returns", "row", "select", "some", "then", "using",
    "values", "when", "where", "while", "with", "within",
];

/// Words a SQL statement inside a PL/pgSQL body starts with (`PERFORM` reads `SELECT`).
const STATEMENT_STARTS: &[&str] = &[
    "SELECT",
    "PERFORM",
    "INSERT",
    "UPDATE",
    "DELETE",
    "WITH",
    "MERGE",
    "LOCK",
    "LISTEN",
    "NOTIFY",
    "UNLISTEN",
    "SAVEPOINT",
    "RELEASE",
    "COPY",
    "TRUNCATE",
];

/// PL/pgSQL words a statement follows.
const BLOCK_WORDS: &[&str] = &["BEGIN", "THEN", "ELSE", "LOOP", "DECLARE"];

/// The SQL statements among the `;`-separated pieces of a body no parser takes, each parsed on
/// its own; what they hold is extracted at its positions in the statement (`map`). Returns the
/// byte ranges of the body they cover.
fn scan_statements(
    text: &str,
    toks: &[Tok],
    map: &dyn Fn(usize) -> usize,
    context: &ContextView,
    out: &mut Vec<DmlItem>,
) -> Vec<(usize, usize)> {
    let upper = |i: usize| toks.get(i).map(|t| word(text, t).to_ascii_uppercase()).unwrap_or_default();
    let mut covered = Vec::new();
    let mut from = 0;
    while from < toks.len() {
        let end = (from..toks.len()).find(|&i| word(text, &toks[i]) == ";").unwrap_or(toks.len());
        let start = (from..end).find(|&k| {
            STATEMENT_STARTS.contains(&upper(k).as_str()) && (k == from || BLOCK_WORDS.contains(&upper(k - 1).as_str()))
        });
        if let Some(k) = start.filter(|&k| k < end) {
            let (s, e) = (toks[k].start, toks[end - 1].end);
            let mut q = text[s..e].to_string();
            if upper(k) == "PERFORM" {
                q.replace_range(0..7, "SELECT ");
            }
            if let Ok(res) = pg_query::parse(&q, 0) {
                let m = |o: usize| map(s + o);
                let scope = Scope { map: &m, context: context.clone(), top_level: false, variables: &[] };
                for raw in &res.protobuf.stmts {
                    if let Some(node) = raw.stmt.as_ref().and_then(|x| x.node.as_ref()) {
                        extract(node, &q, &scope, out, &mut None);
                    }
                }
                covered.push((s, e));
            }
        }
        from = end + 1;
    }
    covered
}

/// What a body no parser takes still shows: its SQL statements that parse on their own (see
/// `scan_statements`), and elsewhere the calls (`name(` and `schema.name(`) and `IS [NOT] JSON`
/// predicates among its tokens, at their positions in the statement (`map`).
pub fn scan_calls(text: &str, map: &dyn Fn(usize) -> usize, context: &ContextView, out: &mut Vec<DmlItem>) {
    let toks = tokens::scan(text);
    let covered = scan_statements(text, &toks, map, context, out);
    let w = |i: usize| toks.get(i).map(|t| word(text, t)).unwrap_or("");
    let mut push = |fact: Fact, s: usize, e: usize| {
        out.push(DmlItem { fact, span: Span::new(map(s), map(e)), context: context.clone(), fix: None });
    };
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if covered.iter().any(|&(s, e)| s <= t.start && t.start < e) {
            i += 1;
            continue;
        }
        if w(i).eq_ignore_ascii_case("IS") {
            let j = if w(i + 1).eq_ignore_ascii_case("NOT") { i + 2 } else { i + 1 };
            if w(j).eq_ignore_ascii_case("JSON") {
                let mut e = j;
                if ["VALUE", "ARRAY", "OBJECT", "SCALAR"].iter().any(|k| w(e + 1).eq_ignore_ascii_case(k)) {
                    e += 1;
                }
                push(syntax("IS JSON", 1), t.start, toks[e].end);
                i = e + 1;
                continue;
            }
        }
        let call = is_name(text, &t)
            && w(i + 1) == "("
            && t.kind != Token::Sconst as i32
            && !NOT_CALLS.iter().any(|k| w(i).eq_ignore_ascii_case(k));
        // `a.b(`: the schema-qualified call is read at `a`.
        let qualified = call && i >= 2 && w(i - 1) == "." && is_name(text, &toks[i - 2]);
        if call && !qualified {
            let name = unquote(w(i));
            let args = arguments(&toks, text, i + 1);
            let fact = if JSON_SYNTAX.contains(&name.as_str()) || (name == "json_object" && args.1) {
                syntax(&name, args.0)
            } else {
                Fact::Call(crate::ir::dml::CallView {
                    schema: None,
                    name,
                    qualified: false,
                    builtin: false,
                    args: args.0,
                    syntax: false,
                })
            };
            push(fact, t.start, t.end);
        } else if is_name(text, &t)
            && w(i + 1) == "."
            && w(i + 3) == "("
            && toks.get(i + 2).is_some_and(|x| is_name(text, x))
        {
            let fact = Fact::Call(crate::ir::dml::CallView {
                schema: Some(unquote(w(i))),
                name: unquote(w(i + 2)),
                qualified: true,
                builtin: false,
                args: arguments(&toks, text, i + 3).0,
                syntax: false,
            });
            push(fact, t.start, toks[i + 2].end);
            i += 3;
            continue;
        }
        i += 1;
    }
}

fn syntax(name: &str, args: usize) -> Fact {
    Fact::Call(crate::ir::dml::CallView {
        schema: None,
        name: name.into(),
        qualified: false,
        builtin: true,
        args,
        syntax: true,
    })
}

/// A name as PostgreSQL folds it.
fn unquote(w: &str) -> String {
    match w.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(q) => q.replace("\"\"", "\""),
        None => w.to_lowercase(),
    }
}

/// The argument count of the call whose `(` is token `open`, and whether it holds SQL/JSON
/// key/value syntax (`:` or `VALUE` at its own level).
fn arguments(toks: &[Tok], text: &str, open: usize) -> (usize, bool) {
    let mut depth = 0;
    let (mut commas, mut empty, mut json) = (0, true, false);
    for t in &toks[open..] {
        let w = word(text, t);
        match w {
            "(" | "[" => depth += 1,
            ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => commas += 1,
            ":" if depth == 1 => json = true,
            _ if depth == 1 && w.eq_ignore_ascii_case("VALUE") => json = true,
            _ => {}
        }
        if depth >= 1 && w != "(" {
            empty = false;
        }
    }
    (if empty { 0 } else { commas + 1 }, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> N {
        let p = pg_query::parse(sql, 0).unwrap();
        p.protobuf.stmts[0].stmt.as_ref().unwrap().node.clone().unwrap()
    }

    #[test]
    fn foreign_types_get_a_stand_in_of_the_same_length() {
        let sql = "CREATE FUNCTION app.f(p app.money_t, q public.t, r t.c%TYPE) RETURNS SETOF app.row_t LANGUAGE plpgsql AS $$\nDECLARE\n  a app.thing := app.g();\n  b CONSTANT billing.orders%ROWTYPE;\n  c integer;\n  cur CURSOR FOR SELECT 1;\nBEGIN\n  RETURN;\nEND $$;";
        let node = parse(sql);
        let body_start = sql.find("$$\n").unwrap() + 2;
        let body_end = sql.rfind("$$").unwrap();
        let text = &sql[body_start..body_end];
        let d = Decoded { text: text.into(), map: (0..=text.len()).map(|i| body_start + i).collect() };
        // The parser gives up on the original ("LookupExplicitNamespace only supports pg_catalog and public").
        assert!(super::super::ffi::parse_plpgsql(sql).is_err());
        let out = standin(sql, &node, &d).unwrap();
        assert_eq!(out.len(), sql.len());
        let pad = |w: &str, n: usize| format!("{w:<n$}");
        let header = format!(
            "CREATE FUNCTION app.f(p {}, q public.t, r {}) RETURNS SETOF {} LANGUAGE",
            pad("text", "app.money_t".len()),
            pad("text", "t.c%TYPE".len()),
            pad("text", "app.row_t".len())
        );
        assert!(out.starts_with(&header), "{out}");
        let declare = format!(
            "a {}:= app.g();\n  b CONSTANT {};\n  c integer;",
            pad("text", "app.thing ".len()),
            pad("record", "billing.orders%ROWTYPE".len())
        );
        assert!(out.contains(&declare), "{out}");
        assert!(super::super::ffi::parse_plpgsql(&out).is_ok(), "{out}");
    }

    #[test]
    fn calls_and_is_json_from_tokens() {
        let text =
            "BEGIN x := JSON_ARRAYAGG(a ORDER BY a); PERFORM pg_catalog.pg_advisory_lock(1); y := lo_unlink(o); \
                    z := j IS NOT JSON ARRAY; w := json_object('{a,1}'); v := json_object('a' : 1); \
                    IF THEN LOCK TABLE t IN EXCLUSIVE MODE; END IF; END";
        let mut out = Vec::new();
        scan_calls(text, &|o| o, &ContextView::default(), &mut out);
        out.sort_by_key(|i| i.span.start);
        let got: Vec<String> = out
            .iter()
            .map(|i| {
                let what = match &i.fact {
                    Fact::Call(c) => format!(
                        "{}{}/{}{}",
                        c.schema.as_deref().map(|s| format!("{s}.")).unwrap_or_default(),
                        c.name,
                        c.args,
                        if c.syntax { " syntax" } else { "" }
                    ),
                    Fact::Lock(l) => format!("lock {}", l.mode),
                    _ => "other".into(),
                };
                format!("{what} {}", &text[i.span.start..i.span.end])
            })
            .collect();
        assert_eq!(
            got,
            [
                "json_arrayagg/1 syntax JSON_ARRAYAGG",
                "pg_catalog.pg_advisory_lock/1 pg_catalog.pg_advisory_lock",
                "lo_unlink/1 lo_unlink",
                "IS JSON/1 syntax IS NOT JSON ARRAY",
                "json_object/1 json_object",
                "json_object/1 syntax json_object",
                "lock exclusive IN EXCLUSIVE MODE",
            ]
        );
    }
}

//! The SQL inside routine bodies: PL/pgSQL (`CREATE FUNCTION … LANGUAGE plpgsql`, `DO`) through
//! libpg_query's PL/pgSQL parser, with every embedded statement and expression re-parsed, and
//! SQL-language bodies parsed as SQL. Positions are mapped back into the statement text, so a
//! finding points at the offending token inside the dump, not at the whole function.
//!
//! Mapping: the body string token is found in the statement and decoded (dollar quotes map one
//! to one; `''` and `E''` escapes keep a byte map). PL/pgSQL reports a line number per statement,
//! and its query text is the source text with small changes (`PERFORM` reads `SELECT`, an `INTO`
//! clause is blanked), so the query's tokens are aligned with the body's tokens from that line on.

use pg_query::protobuf::{self, a_const::Val, node::Node as N, Token};
use serde_json::{Map, Value};

use super::extract::{extract, Scope};
use super::ffi;
use super::standin;
use super::tokens::{self, Tok};
use crate::ir::dml::{ContextView, CursorView, DmlItem, Fact};
use crate::lower::refs::{qualify, strings};
use crate::source::Span;

/// A decoded string literal: its text and, for every byte of it (and its end), the offset in
/// the enclosing text it came from.
pub struct Decoded {
    pub text: String,
    pub map: Vec<usize>,
}

impl Decoded {
    fn at(&self, offset: usize) -> usize {
        self.map[offset.min(self.map.len() - 1)]
    }
}

/// Decode a string constant token (`$tag$…$tag$`, `'…'`, `E'…'`) that starts at `base`.
pub fn decode(tok: &str, base: usize) -> Option<Decoded> {
    let mut text = String::new();
    let mut map = Vec::new();
    if let Some(rest) = tok.strip_prefix('$') {
        let tag_len = rest.find('$')? + 2;
        if tok.len() < 2 * tag_len {
            return None;
        }
        let body = &tok[tag_len..tok.len() - tag_len];
        text.push_str(body);
        map.extend((0..=body.len()).map(|i| base + tag_len + i));
        return Some(Decoded { text, map });
    }
    let escapes = tok.starts_with(['E', 'e']);
    let open = if escapes { 2 } else { 1 };
    if tok.len() < open + 1 || !tok[open - 1..].starts_with('\'') || !tok.ends_with('\'') {
        return None;
    }
    let inner = &tok[open..tok.len() - 1];
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let at = base + open + i;
        let (ch, n): (char, usize) = if b[i] == b'\'' && b.get(i + 1) == Some(&b'\'') {
            ('\'', 2)
        } else if escapes && b[i] == b'\\' && i + 1 < b.len() {
            let c = inner[i + 1..].chars().next()?;
            let ch = match c {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                other => other,
            };
            (ch, 1 + c.len_utf8())
        } else {
            let c = inner[i..].chars().next()?;
            (c, c.len_utf8())
        };
        let start = text.len();
        text.push(ch);
        for k in 0..text.len() - start {
            map.push(at + k.min(n - 1));
        }
        i += n;
    }
    map.push(base + open + inner.len());
    Some(Decoded { text, map })
}

/// The body string of a routine statement: the string constant at parenthesis depth 0 whose
/// decoded text is `body`.
fn find_body(text: &str, body: &str) -> Option<Decoded> {
    let mut depth = 0i32;
    for t in tokens::scan(text) {
        let w = &text[t.start..t.end];
        match w {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth == 0 && t.kind == Token::Sconst as i32 => {
                if let Some(d) = decode(w, t.start) {
                    if d.text == body {
                        return Some(d);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn def_string(d: &protobuf::DefElem) -> Option<String> {
    match d.arg.as_deref()?.node.as_ref()? {
        N::String(s) => Some(s.sval.clone()),
        N::List(l) => strings(&l.items).into_iter().next(),
        _ => None,
    }
}

/// Facts of the SQL inside a `CREATE FUNCTION`/`CREATE PROCEDURE`/`DO` statement's body.
pub fn routine(node: &N, text: &str, out: &mut Vec<DmlItem>) {
    let (language, body, name, params) = match node {
        N::CreateFunctionStmt(fs) if fs.sql_body.is_none() => {
            let mut language = None;
            let mut body = None;
            for o in &fs.options {
                if let Some(N::DefElem(d)) = &o.node {
                    match d.defname.as_str() {
                        "language" => language = def_string(d),
                        "as" => body = def_string(d),
                        _ => {}
                    }
                }
            }
            let (schema, fname) = qualify(&strings(&fs.funcname), "");
            let name = if schema.is_empty() { fname } else { format!("{schema}.{fname}") };
            let params: Vec<String> = fs
                .parameters
                .iter()
                .filter_map(|p| match &p.node {
                    Some(N::FunctionParameter(fp)) if !fp.name.is_empty() => Some(fp.name.clone()),
                    _ => None,
                })
                .collect();
            (language.unwrap_or_default().to_lowercase(), body, name, params)
        }
        N::DoStmt(d) => {
            let mut language = "plpgsql".to_string();
            let mut body = None;
            for a in &d.args {
                if let Some(N::DefElem(e)) = &a.node {
                    match e.defname.as_str() {
                        "language" => language = def_string(e).unwrap_or_default().to_lowercase(),
                        "as" => body = def_string(e),
                        _ => {}
                    }
                }
            }
            (language, body, "DO".to_string(), Vec::new())
        }
        _ => return,
    };
    let Some(body) = body else { return };
    if language != "plpgsql" && language != "sql" {
        return;
    }
    let Some(decoded) = find_body(text, &body) else { return };
    let context = ContextView { routine: Some(name), dynamic: false };
    if language == "sql" {
        sql_body(&decoded, context, &params, out);
    } else {
        Plpgsql::new(text, &decoded, context, params, out).run(node);
    }
}

fn unanalysable(detail: String, at: usize, context: &ContextView) -> DmlItem {
    DmlItem {
        fact: Fact::construct("unanalysable", Some(detail)),
        span: Span::new(at, at),
        context: context.clone(),
        fix: None,
    }
}

fn sql_body(body: &Decoded, context: ContextView, params: &[String], out: &mut Vec<DmlItem>) {
    match pg_query::parse(&body.text, 0) {
        Ok(res) => {
            let map = |o: usize| body.at(o);
            let scope = Scope { map: &map, context, top_level: false, variables: params };
            let mut ignored = None;
            for raw in &res.protobuf.stmts {
                if let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                    extract(node, &body.text, &scope, out, &mut ignored);
                }
            }
        }
        Err(e) => {
            let detail = format!("the SQL body does not parse ({e}); only the statements in it that parse on their own, and the calls in the rest, were checked");
            out.push(unanalysable(detail, body.at(leading_ws(&body.text)), &context));
            standin::scan_calls(&body.text, &|o| body.at(o), &context, out);
        }
    }
}

struct Plpgsql<'a> {
    stmt: &'a str,
    body: &'a Decoded,
    context: ContextView,
    variables: Vec<String>,
    toks: Vec<Tok>,
    line_starts: Vec<usize>,
    out: &'a mut Vec<DmlItem>,
    /// Dynamic `EXECUTE`s of strings built at run time: (count, first position in the statement).
    dynamic: (usize, usize),
}

/// Where PL/pgSQL evaluates a string as a statement: (statement type, field).
const DYNAMIC: &[(&str, &str)] = &[
    ("PLpgSQL_stmt_dynexecute", "query"),
    ("PLpgSQL_stmt_dynfors", "query"),
    ("PLpgSQL_stmt_open", "dynquery"),
    ("PLpgSQL_stmt_return_query", "dynquery"),
];

impl<'a> Plpgsql<'a> {
    fn new(
        stmt: &'a str,
        body: &'a Decoded,
        context: ContextView,
        variables: Vec<String>,
        out: &'a mut Vec<DmlItem>,
    ) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(body.text.match_indices('\n').map(|(i, _)| i + 1));
        Plpgsql { stmt, body, context, variables, toks: tokens::scan(&body.text), line_starts, out, dynamic: (0, 0) }
    }

    fn run(mut self, node: &N) {
        // Types the parser cannot resolve without a catalog get a stand-in (same offsets).
        let parsed = ffi::parse_plpgsql(self.stmt).or_else(|e| match standin::standin(self.stmt, node, self.body) {
            Some(copy) => ffi::parse_plpgsql(&copy),
            None => Err(e),
        });
        let json = match parsed {
            Ok(j) => j,
            Err(e) => {
                let at = self.body.at(leading_ws(&self.body.text));
                let detail =
                    format!("the PL/pgSQL body does not parse ({e}); only the statements in it that parse on their own, and the calls in the rest, were checked");
                self.out.push(unanalysable(detail, at, &self.context));
                let body = self.body;
                standin::scan_calls(&body.text, &|o| body.at(o), &self.context, self.out);
                return;
            }
        };
        // Variables first: a variable named like a system column is not one.
        collect_refnames(&json, &mut self.variables);
        self.walk(&json, 1, "", "");
        if self.dynamic.0 > 0 {
            let at = self.dynamic.1;
            let mut fact = Fact::construct("dynamic_sql", None);
            if let Fact::Construct(c) = &mut fact {
                c.count = self.dynamic.0;
            }
            let end = at + tokens::word_end(self.stmt, at).saturating_sub(at);
            self.out.push(DmlItem { fact, span: Span::new(at, end), context: self.context.clone(), fix: None });
        }
    }

    fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(self.body.text.len())
    }

    fn walk(&mut self, v: &Value, line: usize, parent: &str, field: &str) {
        match v {
            Value::Object(m) => {
                for (k, inner) in m {
                    if k.starts_with("PLpgSQL_") {
                        let line = inner.get("lineno").and_then(Value::as_u64).map(|l| l as usize).unwrap_or(line);
                        match k.as_str() {
                            "PLpgSQL_expr" => {
                                if let Value::Object(e) = inner {
                                    self.expr(e, line, parent, field);
                                }
                                continue;
                            }
                            "PLpgSQL_stmt_fetch" => self.fetch(inner, line),
                            "PLpgSQL_var" => self.cursor_var(inner, line),
                            _ => {}
                        }
                        if let Value::Object(fields) = inner {
                            for (fk, fv) in fields {
                                self.walk(fv, line, k, fk);
                            }
                        }
                    } else {
                        self.walk(inner, line, parent, k);
                    }
                }
            }
            Value::Array(a) => {
                for x in a {
                    self.walk(x, line, parent, field);
                }
            }
            _ => {}
        }
    }

    /// Offsets of `q`'s tokens in the body, aligned from the start of `line`.
    fn align(&self, q: &str, line: usize) -> Vec<(usize, usize)> {
        let from = self.line_start(line);
        let mut j = self.toks.partition_point(|t| t.start < from);
        let mut pairs = Vec::new();
        for (n, qt) in tokens::scan(q).iter().enumerate() {
            let word = &q[qt.start..qt.end];
            // `PERFORM f(x)` reaches the parser as `SELECT f(x)`.
            if n == 0
                && word.eq_ignore_ascii_case("SELECT")
                && self.toks.get(j).is_some_and(|bt| self.body.text[bt.start..bt.end].eq_ignore_ascii_case("PERFORM"))
            {
                pairs.push((qt.start, self.toks[j].start));
                j += 1;
                continue;
            }
            let window = &self.toks[j.min(self.toks.len())..(j + 64).min(self.toks.len())];
            if let Some(k) = window.iter().position(|bt| &self.body.text[bt.start..bt.end] == word) {
                pairs.push((qt.start, window[k].start));
                j += k + 1;
            }
        }
        if pairs.is_empty() {
            pairs.push((0, from + (self.body.text.len() - from).min(leading_ws(&self.body.text[from..]))));
        }
        pairs
    }

    /// A statement offset for offset `o` of a query aligned by `pairs`.
    fn map(&self, pairs: &[(usize, usize)], o: usize) -> usize {
        let i = pairs.partition_point(|p| p.0 <= o);
        let (qs, bs) = if i == 0 { pairs[0] } else { pairs[i - 1] };
        let b = if o >= qs { bs + (o - qs) } else { bs };
        self.body.at(b.min(self.body.text.len()))
    }

    fn expr(&mut self, e: &Map<String, Value>, line: usize, parent: &str, field: &str) {
        let Some(q) = e.get("query").and_then(Value::as_str) else { return };
        let mode = e.get("parseMode").and_then(Value::as_i64).unwrap_or(0) as i32;
        let pairs = self.align(q, line);
        let dynamic = DYNAMIC.contains(&(parent, field));
        let parsed = match pg_query::parse(q, mode) {
            Ok(p) => p,
            Err(err) => {
                let at = self.map(&pairs, 0);
                let detail = format!("an embedded statement does not parse ({err}); it is not checked");
                self.out.push(unanalysable(detail, at, &self.context));
                return;
            }
        };
        let nodes: Vec<&N> =
            parsed.protobuf.stmts.iter().filter_map(|r| r.stmt.as_ref().and_then(|s| s.node.as_ref())).collect();
        for node in &nodes {
            let map = |o: usize| self.map(&pairs, o);
            let items = {
                let mut sink = Vec::new();
                let mut context = self.context.clone();
                context.dynamic = false;
                let scope = Scope { map: &map, context, top_level: false, variables: &self.variables };
                let mut ignored = None;
                extract(node, q, &scope, &mut sink, &mut ignored);
                sink
            };
            self.out.extend(items);
        }
        if !dynamic {
            return;
        }
        // EXECUTE of a string constant: lint the string; anything else is not analysable.
        let literal = nodes.first().and_then(|n| match n {
            N::SelectStmt(s) if s.target_list.len() == 1 => match s.target_list[0].node.as_ref() {
                Some(N::ResTarget(r)) => r.val.as_deref().and_then(string_const),
                _ => None,
            },
            _ => None,
        });
        let Some(lit_at) = literal else {
            let at = self.map(&pairs, 0);
            if self.dynamic.0 == 0 {
                self.dynamic.1 = at;
            }
            self.dynamic.0 += 1;
            return;
        };
        let Some(tok) = tokens::scan(q).into_iter().find(|t| t.start == lit_at) else { return };
        let Some(lit) = decode(&q[tok.start..tok.end], tok.start) else { return };
        match pg_query::parse(&lit.text, 0) {
            Ok(res) => {
                let map = |o: usize| self.map(&pairs, lit.at(o));
                let nodes: Vec<N> =
                    res.protobuf.stmts.into_iter().filter_map(|r| r.stmt.and_then(|s| s.node)).collect();
                let mut sink = Vec::new();
                let mut context = self.context.clone();
                context.dynamic = true;
                let scope = Scope { map: &map, context, top_level: false, variables: &[] };
                for node in &nodes {
                    let mut ignored = None;
                    extract(node, &lit.text, &scope, &mut sink, &mut ignored);
                }
                drop(scope);
                self.out.extend(sink);
            }
            Err(err) => {
                let at = self.map(&pairs, lit_at);
                let detail = format!("the EXECUTE string does not parse ({err}); it is not checked");
                self.out.push(unanalysable(detail, at, &self.context));
            }
        }
    }

    /// `FETCH`/`MOVE` in other directions than forward.
    fn fetch(&mut self, f: &Value, line: usize) {
        let direction = f.get("direction").and_then(Value::as_i64).unwrap_or(0);
        let count = f.get("how_many").and_then(Value::as_i64).unwrap_or(0);
        let is_move = f.get("is_move").and_then(Value::as_bool).unwrap_or(false);
        // PL/pgSQL's FetchDirection: FORWARD, BACKWARD, ABSOLUTE, RELATIVE.
        let dir = match direction {
            1 => "backward",
            2 => "absolute",
            3 => "relative",
            _ if count < 0 => "backward",
            _ => return,
        };
        let (at, construct, end) = self.fetch_words(line);
        let v = CursorView {
            kind: if is_move { "move" } else { "fetch" }.into(),
            scroll: false,
            direction: Some(dir.into()),
            count: Some(count),
            construct,
        };
        let (start, end) = (self.body.at(at), self.body.at(end));
        self.out.push(DmlItem {
            fact: Fact::Cursor(v),
            span: Span::new(start, end),
            context: self.context.clone(),
            fix: None,
        });
    }

    /// A PL/pgSQL `SCROLL CURSOR` variable.
    fn cursor_var(&mut self, v: &Value, line: usize) {
        let opts = v.get("cursor_options").and_then(Value::as_i64).unwrap_or(0);
        if opts & 0x0002 == 0 {
            return;
        }
        let from = self.line_start(line);
        let to = self.line_start(line + 1);
        let scroll = self
            .toks
            .iter()
            .find(|t| t.start >= from && t.start < to && self.body.text[t.start..t.end].eq_ignore_ascii_case("SCROLL"));
        let (s, e) = scroll.map(|t| (t.start, t.end)).unwrap_or((from, from));
        let view = CursorView {
            kind: "declare".into(),
            scroll: true,
            construct: "SCROLL CURSOR".into(),
            ..Default::default()
        };
        self.out.push(DmlItem {
            fact: Fact::Cursor(view),
            span: Span::new(self.body.at(s), self.body.at(e)),
            context: self.context.clone(),
            fix: None,
        });
    }

    /// `FETCH PRIOR`, `MOVE RELATIVE -2`, …, on `line`: where it starts, the words (uppercase,
    /// spaces collapsed) and where they end.
    fn fetch_words(&self, line: usize) -> (usize, String, usize) {
        let from = self.line_start(line);
        let to = self.line_start(line + 1);
        let toks: Vec<&Tok> = self.toks.iter().filter(|t| t.start >= from && t.start < to).take(5).collect();
        let Some(first) = toks.first() else { return (from, String::new(), from) };
        let mut last = first;
        for (i, t) in toks.iter().enumerate().skip(1) {
            let w = &self.body.text[t.start..t.end];
            let number = w == "-" || w.chars().all(|c| c.is_ascii_digit());
            if w.eq_ignore_ascii_case("FROM") || w.eq_ignore_ascii_case("IN") || w == ";" || (i >= 2 && !number) {
                break;
            }
            last = t;
        }
        let text =
            self.body.text[first.start..last.end].split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase();
        (first.start, text, last.end)
    }
}

fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The location of a string constant expression (also under a cast).
fn string_const(n: &protobuf::Node) -> Option<usize> {
    match n.node.as_ref()? {
        N::AConst(c) => matches!(c.val, Some(Val::Sval(_))).then_some(c.location.max(0) as usize),
        N::TypeCast(tc) => tc.arg.as_deref().and_then(string_const),
        _ => None,
    }
}

/// Every `refname` in the parse (variables, records, rows, cursor variables).
fn collect_refnames(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "refname" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_string());
                    }
                } else {
                    collect_refnames(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refnames(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_string_constants_with_a_byte_map() {
        let d = decode("$f$ab$f$", 10).unwrap();
        assert_eq!((d.text.as_str(), d.at(0), d.at(2)), ("ab", 13, 15));
        let d = decode("'it''s'", 0).unwrap();
        assert_eq!(d.text, "it's");
        assert_eq!(d.at(3), 5); // `s` after the doubled quote
        let d = decode("E'a\\nb'", 0).unwrap();
        assert_eq!(d.text, "a\nb");
        assert_eq!(d.at(2), 5);
    }
}

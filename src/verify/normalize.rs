//! Text normalizations applied to catalog definitions before two servers' versions are compared.
//!
//! Each normalization removes a spelling difference that does not change what the object does:
//! - [`index_def`]: ZNbaseDB (like YugabyteDB) stores B-tree indexes as `lsm` and GIN as `ybgin`, and
//!   `pg_get_indexdef` on it spells key columns `col HASH`, `(a, b) HASH` (hash-sharded column group),
//!   `col ASC` (range-sharded, PostgreSQL's default order) and may append `SPLIT INTO n TABLETS` /
//!   `SPLIT AT VALUES (…)`, and `WITH (colocation_id=…)` in colocated databases. All of these are
//!   mapped to PostgreSQL's spelling.
//! - [`trigger_def`]: PostgreSQL 11 prints `EXECUTE PROCEDURE`, 12+ prints `EXECUTE FUNCTION`.
//! - [`whitespace`]: runs of whitespace outside quotes collapse to one space (view and rule
//!   definitions are pretty-printed with line breaks and indentation that vary between versions).
//!
//! All scanning is quote-aware: nothing inside `'…'` literals or `"…"` identifiers is touched.

/// One character of `s` with its byte offset, parenthesis depth and whether it is inside quotes.
struct Scan<'a> {
    chars: std::str::CharIndices<'a>,
    depth: usize,
    quote: Option<char>,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan { chars: s.char_indices(), depth: 0, quote: None }
    }
}

#[derive(Clone, Copy)]
struct ScanItem {
    at: usize,
    ch: char,
    /// Depth before this character (an opening parenthesis reports the outer depth).
    depth: usize,
    /// True for quote characters and everything between them.
    quoted: bool,
}

impl Iterator for Scan<'_> {
    type Item = ScanItem;
    fn next(&mut self) -> Option<ScanItem> {
        let (at, ch) = self.chars.next()?;
        let depth = self.depth;
        let quoted = match self.quote {
            Some(q) => {
                if ch == q {
                    // A doubled quote re-opens immediately on the next character.
                    self.quote = None;
                }
                true
            }
            None => match ch {
                '\'' | '"' => {
                    self.quote = Some(ch);
                    true
                }
                '(' => {
                    self.depth += 1;
                    false
                }
                ')' => {
                    self.depth = self.depth.saturating_sub(1);
                    false
                }
                _ => false,
            },
        };
        let depth = if ch == ')' && !quoted { self.depth } else { depth };
        Some(ScanItem { at, ch, depth, quoted })
    }
}

/// Byte offset of the first occurrence of `pat` (which holds no quote characters) that starts
/// outside quotes at parenthesis depth `depth`.
fn find_at_depth(s: &str, pat: &str, depth: usize) -> Option<usize> {
    Scan::new(s).find(|it| !it.quoted && it.depth == depth && s[it.at..].starts_with(pat)).map(|it| it.at)
}

/// Byte offset just past the parenthesis that closes the one opening at `open`.
fn close_paren(s: &str, open: usize) -> Option<usize> {
    let start_depth = Scan::new(s).find(|it| it.at == open)?.depth;
    Scan::new(s).find(|it| it.at > open && !it.quoted && it.ch == ')' && it.depth == start_depth).map(|it| it.at + 1)
}

/// Split at commas outside quotes and parentheses; items are trimmed.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for it in Scan::new(s) {
        if it.ch == ',' && !it.quoted && it.depth == 0 {
            out.push(s[start..it.at].trim());
            start = it.at + 1;
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out
}

/// Collapse runs of whitespace outside quotes into one space; trim both ends.
pub fn whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for it in Scan::new(s) {
        if !it.quoted && it.ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(it.ch);
    }
    out
}

/// `EXECUTE PROCEDURE` (PostgreSQL 11) and `EXECUTE FUNCTION` (12+) mean the same.
pub fn trigger_def(def: &str) -> String {
    let def = whitespace(def);
    match find_at_depth(&def, " EXECUTE PROCEDURE ", 0) {
        Some(at) => format!("{} EXECUTE FUNCTION {}", &def[..at], &def[at + " EXECUTE PROCEDURE ".len()..]),
        None => def,
    }
}

/// Index access methods that are the same thing under another name on ZNbaseDB.
fn index_method(method: &str) -> &str {
    match method {
        "lsm" => "btree",
        "ybgin" => "gin",
        m => m,
    }
}

/// Map one key column of a ZNbaseDB index definition to PostgreSQL's spelling. A hash-sharded
/// column group `(a, b) HASH` becomes several items.
fn index_key_item(item: &str, out: &mut Vec<String>) {
    let mut item = item.trim();
    if let Some(rest) = item.strip_suffix(" HASH") {
        item = rest.trim_end();
        if item.starts_with('(') && close_paren(item, 0) == Some(item.len()) {
            let inner = &item[1..item.len() - 1];
            let parts = split_top_level(inner);
            if parts.len() > 1 {
                for p in parts {
                    index_key_item(p, out);
                }
                return;
            }
        }
        out.push(item.to_string());
        return;
    }
    // ASC and ASC NULLS LAST are PostgreSQL's defaults and never printed by it.
    if let Some(rest) = item.strip_suffix(" ASC NULLS LAST") {
        item = rest;
    } else if let Some(rest) = item.strip_suffix(" ASC NULLS FIRST") {
        out.push(format!("{} NULLS FIRST", rest.trim_end()));
        return;
    } else if let Some(rest) = item.strip_suffix(" ASC") {
        item = rest;
    } else if let Some(rest) = item.strip_suffix(" DESC NULLS FIRST") {
        // DESC implies NULLS FIRST.
        out.push(format!("{} DESC", rest.trim_end()));
        return;
    }
    out.push(item.trim_end().to_string());
}

/// Remove ZNbaseDB's storage placement from the text after an index's key list: tablet split
/// clauses and the `colocation_id` storage parameter of indexes in colocated databases.
fn strip_placement(rest: &str) -> String {
    let mut rest = rest.to_string();
    if let Some(at) = find_at_depth(&rest, " WITH (", 0) {
        let open = at + " WITH ".len();
        if let Some(close) = close_paren(&rest, open) {
            let kept: Vec<&str> = split_top_level(&rest[open + 1..close - 1])
                .into_iter()
                .filter(|o| !o.starts_with("colocation_id="))
                .collect();
            let with = if kept.is_empty() { String::new() } else { format!(" WITH ({})", kept.join(", ")) };
            rest.replace_range(at..close, &with);
        }
    }
    while let Some(at) = find_at_depth(&rest, " SPLIT INTO ", 0) {
        let after = &rest[at + " SPLIT INTO ".len()..];
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && after[digits..].starts_with(" TABLETS") {
            let end = at + " SPLIT INTO ".len() + digits + " TABLETS".len();
            rest.replace_range(at..end, "");
        } else {
            break;
        }
    }
    while let Some(at) = find_at_depth(&rest, " SPLIT AT VALUES (", 0) {
        let open = at + " SPLIT AT VALUES ".len();
        match close_paren(&rest, open) {
            Some(end) => rest.replace_range(at..end, ""),
            None => break,
        }
    }
    rest
}

/// Normalize a `pg_get_indexdef` text so that PostgreSQL's and ZNbaseDB's spellings of the same
/// index compare equal: `USING lsm` = `USING btree`, `USING ybgin` = `USING gin`, key columns
/// without ` HASH` / ` ASC`, `(a, b) HASH` spread into `a, b`, no `SPLIT …` clauses and no
/// `colocation_id` storage parameter.
pub fn index_def(def: &str) -> String {
    let def = whitespace(def);
    let Some(using) = find_at_depth(&def, " USING ", 0) else {
        return def;
    };
    let method_start = using + " USING ".len();
    let Some(method_len) = def[method_start..].find(' ') else {
        return def;
    };
    let method = &def[method_start..method_start + method_len];
    let open = method_start + method_len + 1;
    if !def[open..].starts_with('(') {
        return def;
    }
    let Some(close) = close_paren(&def, open) else {
        return def;
    };
    let mut keys = Vec::new();
    for item in split_top_level(&def[open + 1..close - 1]) {
        index_key_item(item, &mut keys);
    }
    format!("{} USING {} ({}){}", &def[..using], index_method(method), keys.join(", "), strip_placement(&def[close..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_method_lsm_is_btree() {
        assert_eq!(
            index_def("CREATE UNIQUE INDEX a_pkey ON public.a USING lsm (id HASH)"),
            "CREATE UNIQUE INDEX a_pkey ON public.a USING btree (id)"
        );
        assert_eq!(
            index_def("CREATE INDEX g ON public.a USING ybgin (doc)"),
            "CREATE INDEX g ON public.a USING gin (doc)"
        );
        assert_eq!(
            index_def("CREATE INDEX g ON public.a USING gist (doc)"),
            "CREATE INDEX g ON public.a USING gist (doc)"
        );
    }

    #[test]
    fn index_key_spellings() {
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm (a ASC, b DESC, c ASC NULLS LAST)"),
            "CREATE INDEX i ON public.t USING btree (a, b DESC, c)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm ((a, b) HASH, c ASC)"),
            "CREATE INDEX i ON public.t USING btree (a, b, c)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm (b DESC NULLS FIRST)"),
            "CREATE INDEX i ON public.t USING btree (b DESC)"
        );
        // An expression key keeps its parentheses, with or without HASH.
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm ((lower(email)) HASH)"),
            "CREATE INDEX i ON public.t USING btree ((lower(email)))"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING btree (lower(email), upper(x))"),
            "CREATE INDEX i ON public.t USING btree (lower(email), upper(x))"
        );
    }

    #[test]
    fn index_quoted_names_untouched() {
        let pg = r#"CREATE INDEX "i USING x" ON public."T ASC" USING btree ("a HASH", "b ASC")"#;
        assert_eq!(index_def(pg), pg);
        let yb = r#"CREATE INDEX "i USING x" ON public."T ASC" USING lsm ("a HASH" HASH, "b ASC" ASC)"#;
        assert_eq!(index_def(yb), pg);
    }

    #[test]
    fn index_tail_clauses_kept_split_dropped() {
        assert_eq!(
            index_def(
                "CREATE UNIQUE INDEX i ON public.t USING lsm (a HASH) INCLUDE (b) SPLIT INTO 3 TABLETS WHERE (a > 0)"
            ),
            "CREATE UNIQUE INDEX i ON public.t USING btree (a) INCLUDE (b) WHERE (a > 0)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm (a ASC) SPLIT AT VALUES ((10), (20))"),
            "CREATE INDEX i ON public.t USING btree (a)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING btree (a) WHERE (note = ' SPLIT INTO 3 TABLETS')"),
            "CREATE INDEX i ON public.t USING btree (a) WHERE (note = ' SPLIT INTO 3 TABLETS')"
        );
    }

    #[test]
    fn index_as_znbase_prints_it() {
        // Spellings of YugabyteDB's pg_get_indexdef (ysql_dump regression data).
        assert_eq!(
            index_def(
                "CREATE INDEX partial_idx ON public.tbl2 USING lsm (k ASC, v DESC) \
                 WITH (colocation_id=40001) WHERE ((k > 10) AND (k < 20) AND (v > 200))"
            ),
            "CREATE INDEX partial_idx ON public.tbl2 USING btree (k, v DESC) \
             WHERE ((k > 10) AND (k < 20) AND (v > 200))"
        );
        assert_eq!(
            index_def("CREATE UNIQUE INDEX tbl3_v_idx ON public.tbl3 USING lsm (v HASH) SPLIT INTO 3 TABLETS"),
            "CREATE UNIQUE INDEX tbl3_v_idx ON public.tbl3 USING btree (v)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm (a ASC NULLS FIRST, b DESC NULLS LAST)"),
            "CREATE INDEX i ON public.t USING btree (a NULLS FIRST, b DESC NULLS LAST)"
        );
        assert_eq!(
            index_def("CREATE INDEX i ON public.t USING lsm (a ASC) WITH (colocation_id=7, fillfactor=90)"),
            "CREATE INDEX i ON public.t USING btree (a) WITH (fillfactor=90)"
        );
    }

    #[test]
    fn index_real_differences_survive() {
        assert_ne!(
            index_def("CREATE INDEX i ON public.t USING btree (a)"),
            index_def("CREATE INDEX i ON public.t USING btree (a DESC)")
        );
        assert_ne!(
            index_def("CREATE INDEX i ON public.t USING btree (a, b)"),
            index_def("CREATE INDEX i ON public.t USING lsm (b HASH, a ASC)")
        );
        assert_ne!(
            index_def("CREATE UNIQUE INDEX i ON public.t USING btree (a)"),
            index_def("CREATE INDEX i ON public.t USING lsm (a HASH)")
        );
    }

    #[test]
    fn trigger_execute_procedure_is_function() {
        assert_eq!(
            trigger_def("CREATE TRIGGER t BEFORE UPDATE ON public.a FOR EACH ROW EXECUTE PROCEDURE public.f()"),
            "CREATE TRIGGER t BEFORE UPDATE ON public.a FOR EACH ROW EXECUTE FUNCTION public.f()"
        );
        let quoted = "CREATE TRIGGER \"x EXECUTE PROCEDURE y\" AFTER INSERT ON public.a FOR EACH ROW EXECUTE FUNCTION public.f()";
        assert_eq!(trigger_def(quoted), quoted);
    }

    #[test]
    fn whitespace_outside_quotes_only() {
        assert_eq!(
            whitespace("  SELECT a,\n    b\n   FROM t\n  WHERE c = 'x   y';  "),
            "SELECT a, b FROM t WHERE c = 'x   y';"
        );
        assert_eq!(whitespace("'it''s  ok'  x"), "'it''s  ok' x");
    }

    #[test]
    fn split_respects_nesting() {
        assert_eq!(split_top_level("a, f(b, c), 'x,y', \"p,q\""), vec!["a", "f(b, c)", "'x,y'", "\"p,q\""]);
    }
}

//! Stage 2: parse each scanned statement with PostgreSQL's own parser (`pg_query`).
//!
//! Statements parse independently, so they are parsed on all cores; results keep input order.

use pg_query::protobuf::node::Node as NodeEnum;
use rayon::prelude::*;

/// The parse of one statement: its top-level node, or why it failed.
#[derive(Debug, Clone)]
pub enum Parsed {
    Ok(Box<NodeEnum>),
    /// `offset` is relative to the statement text.
    Err {
        message: String,
        offset: usize,
    },
}

/// Parse every statement text; order is kept, work is spread over `rayon`'s pool.
pub fn parse_all(texts: &[&str]) -> Vec<Parsed> {
    texts.par_iter().map(|t| parse_one(t)).collect()
}

/// Stack that decoding a parse tree may need: `prost` decodes recursively with frames of tens of
/// KiB per nesting level (the `Node` oneof is large) up to its recursion limit of 100 levels, which
/// overflows rayon's default 2 MiB worker stacks on a deeply nested expression. With less than
/// [`PARSE_RED_ZONE`] left, the parse runs on a fresh [`PARSE_STACK`]-sized stack instead.
pub const PARSE_RED_ZONE: usize = 6 << 20;
pub const PARSE_STACK: usize = 16 << 20;

/// Statements longer than this are not parsed whole when a small part of them says everything
/// the compiler needs: a multi-row `INSERT … VALUES` is analysed from its first row (parse trees
/// cost about 100× the text: a 20 MB INSERT took 3 GB). Offsets in the tree stay valid, since
/// the part is a prefix of the statement; the statement is emitted whole, byte for byte.
pub const LARGE_STATEMENT: usize = 1 << 20;
/// Statements longer than this are not parsed at all (an `E002` error; kept as written).
pub const MAX_STATEMENT: usize = 64 << 20;

pub fn parse_one(text: &str) -> Parsed {
    if let Some(nul) = text.find('\0') {
        return Parsed::Err { message: "statement contains a NUL byte".into(), offset: nul };
    }
    if text.len() > LARGE_STATEMENT {
        if let Some(end) = first_values_row_end(text) {
            return parse_one(&text[..end]);
        }
        if text.len() > MAX_STATEMENT {
            return Parsed::Err {
                message: format!(
                    "the statement is {} MiB long, more than the {} MiB pg2znb analyses; it is kept as written",
                    text.len() >> 20,
                    MAX_STATEMENT >> 20
                ),
                offset: 0,
            };
        }
    }
    match stacker::maybe_grow(PARSE_RED_ZONE, PARSE_STACK, || pg_query::parse(text, 0)) {
        Ok(result) => {
            let mut stmts = result.protobuf.stmts.into_iter();
            match (stmts.next(), stmts.next()) {
                (Some(raw), None) => match raw.stmt.and_then(|s| s.node) {
                    Some(node) => Parsed::Ok(Box::new(node)),
                    None => Parsed::Err { message: "empty statement".into(), offset: 0 },
                },
                (None, _) => Parsed::Err { message: "empty statement".into(), offset: 0 },
                (Some(_), Some(second)) => Parsed::Err {
                    message: "the scanner passed two statements as one".into(),
                    offset: second.stmt_location.max(0) as usize,
                },
            }
        }
        Err(e) => {
            let message = match e {
                pg_query::Error::Parse(m) if m.starts_with("stack depth limit exceeded") => {
                    format!("{m}: the statement nests too deeply for PostgreSQL's parser (the server rejects it too)")
                }
                pg_query::Error::Parse(m) => m,
                // prost's message is the whole field path, one entry per level: keep it short.
                pg_query::Error::Decode(d) if d.to_string().contains("recursion limit") => {
                    "the statement nests too deeply to analyse (more than 100 levels in its parse tree); \
                     it is kept as written"
                        .to_string()
                }
                other => {
                    let m = other.to_string();
                    match m.char_indices().nth(300) {
                        Some((cut, _)) => format!("{}…", &m[..cut]),
                        None => m,
                    }
                }
            };
            let offset = error_offset(text, &message);
            Parsed::Err { message, offset }
        }
    }
}

/// For `INSERT … VALUES (…), (…), …`: the end of the first row, when it lies in the first 64 KiB.
fn first_values_row_end(text: &str) -> Option<usize> {
    let mut head_end = text.len().min(64 << 10);
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head = &text[..head_end];
    // PostgreSQL's scanner refuses a prefix that ends inside a literal, so try the prefixes that
    // end at a `)`, in order (a few: the first row ends early).
    for (at, _) in head.match_indices(')').take(64) {
        let prefix = &head[..=at];
        let Ok(tokens) = pg_query::scan_tokens(prefix) else { continue };
        let tok = |t: &pg_query::protobuf::ScanToken| prefix.get(t.start as usize..t.end as usize).unwrap_or("");
        if !tok(tokens.first()?).eq_ignore_ascii_case("insert") {
            return None;
        }
        let (mut depth, mut in_values, mut in_row) = (0usize, false, false);
        for t in &tokens {
            match tok(t) {
                "(" => {
                    depth += 1;
                    in_row |= in_values && depth == 1;
                }
                ")" => {
                    depth = depth.checked_sub(1)?;
                    if in_row && depth == 0 {
                        return Some(t.end as usize);
                    }
                }
                s if depth == 0 && s.eq_ignore_ascii_case("values") => in_values = true,
                _ => {}
            }
        }
    }
    None
}

/// pg_query's Rust binding drops the server's cursor position, so recover it from the
/// message: "at end of input" points at the end; "at or near \"tok\"" at the last occurrence
/// of that token whose prefix the grammar still accepts (every occurrence after the real error
/// has an invalid prefix, every one before it a valid one).
fn error_offset(text: &str, message: &str) -> usize {
    let end = text.trim_end().trim_end_matches(';').trim_end().len();
    if message.contains("at end of input") {
        return end;
    }
    let Some(near) = message.split("at or near \"").nth(1).and_then(|r| r.rsplit_once('"')).map(|(t, _)| t) else {
        return 0;
    };
    let Ok(tokens) = pg_query::scan_tokens(text) else {
        return text.find(near).unwrap_or(0);
    };
    let candidates: Vec<usize> = tokens
        .iter()
        .filter(|t| text.get(t.start as usize..t.end as usize) == Some(near))
        .map(|t| t.start as usize)
        .collect();
    let accepted = |start: usize| match pg_query::parse(&text[..start], 0) {
        Ok(_) => true,
        Err(pg_query::Error::Parse(m)) => m.contains("at end of input"),
        Err(_) => false,
    };
    // Prefix acceptance is monotone over the candidates: binary search for the last accepted.
    let (mut lo, mut hi) = (0, candidates.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if accepted(candidates[mid]) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    candidates.get(lo.saturating_sub(1)).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_statement() {
        assert!(matches!(parse_one("CREATE TABLE t (id int);"), Parsed::Ok(_)));
    }

    #[test]
    fn error_position_points_at_the_offending_token() {
        let sql = "CREATE TABLE t (id int, name text,, x int);";
        match parse_one(sql) {
            Parsed::Err { message, offset } => {
                assert!(message.contains("syntax error"), "{message}");
                assert_eq!(&sql[offset..offset + 1], ",");
                assert_eq!(offset, 34);
            }
            Parsed::Ok(_) => panic!("should not parse"),
        }
    }

    #[test]
    fn error_at_end_of_input() {
        let sql = "SELECT * FROM";
        match parse_one(sql) {
            Parsed::Err { offset, .. } => assert_eq!(offset, sql.len()),
            Parsed::Ok(_) => panic!(),
        }
    }

    #[test]
    fn a_huge_insert_is_analysed_from_its_first_row() {
        let rows: Vec<String> = (0..100_000).map(|i| format!("({i}, 'it''s (row) {i}')")).collect();
        let sql = format!("INSERT INTO public.t (id, v) VALUES {};", rows.join(",\n"));
        assert!(sql.len() > LARGE_STATEMENT);
        assert_eq!(first_values_row_end(&sql), Some("INSERT INTO public.t (id, v) VALUES (0, 'it''s (row) 0')".len()));
        let Parsed::Ok(node) = parse_one(&sql) else { panic!("parses") };
        assert!(matches!(node.as_ref(), NodeEnum::InsertStmt(_)));
        // Not an INSERT … VALUES: parsed whole below the hard limit.
        assert_eq!(first_values_row_end("SELECT 1"), None);
        assert_eq!(first_values_row_end("INSERT INTO t SELECT * FROM u"), None);
    }

    #[test]
    fn nul_byte_is_an_error_not_a_panic() {
        assert!(matches!(parse_one("SELECT 1\0;"), Parsed::Err { offset: 8, .. }));
    }

    #[test]
    fn order_is_kept_in_parallel() {
        let texts: Vec<String> = (0..200).map(|i| format!("SELECT {i};")).collect();
        let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
        let parsed = parse_all(&refs);
        assert_eq!(parsed.len(), 200);
        for (i, p) in parsed.iter().enumerate() {
            let Parsed::Ok(node) = p else { panic!() };
            let NodeEnum::SelectStmt(s) = node.as_ref() else { panic!() };
            let dbg = format!("{:?}", s.target_list);
            assert!(dbg.contains(&format!("ival: {i} ")) || dbg.contains(&format!("ival: {i}}}")), "{dbg}");
        }
    }
}

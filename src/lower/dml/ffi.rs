//! libpg_query's PL/pgSQL parser, called directly.
//!
//! `pg_query::parse_plpgsql` returns the parser's JSON decoded, but libpg_query 18.1 writes
//! invalid JSON for trigger functions (an extra `}` after each datum it does not describe, e.g.
//! `{}},`), and the crate then returns only the decoding error. This calls the same C function
//! (linked into the binary by the `pg_query` crate) to get the raw text, which `repair` fixes.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryPlpgsqlParseResult {
    plpgsql_funcs: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse_plpgsql(input: *const c_char) -> PgQueryPlpgsqlParseResult;
    fn pg_query_free_plpgsql_parse_result(result: PgQueryPlpgsqlParseResult);
}

/// The PL/pgSQL parse of a `CREATE FUNCTION` / `DO` statement as JSON, or the parser's error.
pub fn parse_plpgsql(stmt: &str) -> Result<serde_json::Value, String> {
    let input = CString::new(stmt).map_err(|_| "the statement contains a NUL byte".to_string())?;
    // SAFETY: the layout of the result struct matches libpg_query 18.1's `pg_query.h` (checked
    // against the crate's bindgen output); the returned strings are read before the result is
    // freed, and freed exactly once.
    let raw = unsafe {
        let result = pg_query_parse_plpgsql(input.as_ptr());
        let out = if !result.error.is_null() {
            Err(CStr::from_ptr((*result.error).message).to_string_lossy().into_owned())
        } else if result.plpgsql_funcs.is_null() {
            Err("no result".to_string())
        } else {
            Ok(CStr::from_ptr(result.plpgsql_funcs).to_string_lossy().into_owned())
        };
        pg_query_free_plpgsql_parse_result(result);
        out
    }?;
    match serde_json::from_str(&raw) {
        Ok(v) => Ok(v),
        Err(_) => {
            serde_json::from_str(&repair(&raw)).map_err(|e| format!("invalid JSON from the PL/pgSQL parser: {e}"))
        }
    }
}

/// Drop the stray `}` libpg_query writes after an empty datum object in a list: outside strings,
/// `,{}}` and `[{}}` become `,{}` and `[{}` (a list element cannot be followed by `}`).
fn repair(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut in_str = false;
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if (c == b',' || c == b'[') && b[i + 1..].starts_with(b"{}}") {
            out.push_str(&raw[last..i + 3]);
            i += 4;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&raw[last.min(raw.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_stray_braces_outside_strings_only() {
        assert_eq!(repair(r#"[{"a":1},{}},{}},{"s":",{}}"}]"#), r#"[{"a":1},{},{},{"s":",{}}"}]"#);
        assert_eq!(repair(r#"{"x":{}}"#), r#"{"x":{}}"#);
    }

    #[test]
    fn trigger_functions_parse() {
        let v = parse_plpgsql(
            "CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.x := 1;\n  RETURN NEW;\nEND $$;",
        )
        .unwrap();
        assert!(v.to_string().contains("NEW.x := 1"), "{v}");
    }
}

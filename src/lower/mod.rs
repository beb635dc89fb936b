//! Stage 3: build the IR from scanned pieces and their parse trees.

mod classify;
pub mod dml;
mod elements;
mod kind;
pub mod refs;
mod renames;
mod temp;

use crate::diagnostic::Diagnostic;
use pg_query::protobuf::node::Node as N;
use rayon::prelude::*;

use crate::ir::{Detail, Ir, Session, Stmt};
use crate::parse::Parsed;
use crate::scan::{PieceKind, Scan};
use crate::source::{FileId, SourceFile, Span};

pub use classify::constraint_view;

/// Statements parsed and lowered at a time: parse trees cost about 70 times their text, so a
/// file's trees are never all held at once; a chunk is enough work to spread over the cores.
pub const CHUNK: usize = 2048;

/// One statement of a chunk: its parse, DML facts and (for a parsed statement) what it defines
/// and needs, classified under the chunk's starting search_path.
struct Lowered {
    parsed: Parsed,
    facts: Option<Box<crate::ir::dml::DmlFacts>>,
    classified: Option<classify::Facts>,
}

/// Parse, extract and classify `texts` in parallel, assuming `schema` throughout; the caller
/// classifies again the statements that follow a change of `search_path` inside the chunk.
fn lower_chunk(texts: &[&str], schema: &str) -> Vec<Lowered> {
    let parsed = crate::parse::parse_all(texts);
    let facts = dml::facts_all(&parsed, texts);
    parsed
        .into_par_iter()
        .zip(facts)
        .zip(texts.par_iter())
        .map(|((parsed, facts), text)| {
            let classified = match &parsed {
                Parsed::Ok(node) => Some(classify::classify(node, schema, text)),
                Parsed::Err { .. } => None,
            };
            Lowered { parsed, facts, classified }
        })
        .collect()
}

/// Lower one file's pieces into `ir`, parsing its statements chunk by chunk ([`CHUNK`]).
pub fn lower_file(
    ir: &mut Ir,
    file: FileId,
    src: &SourceFile,
    scan: &Scan,
    diags: &mut Vec<Diagnostic>,
    progress: &dyn crate::progress::Progress,
) {
    for e in &scan.errors {
        diags.push(
            Diagnostic::error("E001", "scan", e.message.clone())
                .at(file, Span::new(e.offset, e.offset))
                .with_help("the rest of the file was still compiled; fix the input and run again"),
        );
    }
    let texts: Vec<&str> = scan.statements().map(|p| src.slice(p.span)).collect();
    let mut next_text = 0;
    let mut chunk = Vec::new().into_iter();
    // The search_path the current chunk was classified under.
    let mut chunk_schema = String::new();
    let first = ir.stmts.len();
    let mut schema = "public".to_string();
    let mut trivia_start = 0;
    let mut last_copy: Option<usize> = None;
    let mut temps = temp::Temps::default();
    for piece in &scan.pieces {
        let span = piece.span;
        let trivia = Span::new(trivia_start, span.start);
        match piece.kind {
            PieceKind::Comment | PieceKind::Whitespace => continue,
            PieceKind::Statement => {
                let mut st = Stmt::new(ir.stmts.len(), file, span, trivia, piece.kind);
                let text = src.slice(span);
                let mut elements = Vec::new();
                if chunk.len() == 0 && next_text < texts.len() {
                    let end = (next_text + CHUNK).min(texts.len());
                    chunk = lower_chunk(&texts[next_text..end], &schema).into_iter();
                    chunk_schema.clone_from(&schema);
                    progress.advance((end - next_text) as u64);
                    next_text = end;
                }
                let Lowered { parsed, facts, classified } = chunk.next().unwrap_or(Lowered {
                    parsed: Parsed::Err { message: "not parsed".into(), offset: 0 },
                    facts: None,
                    classified: None,
                });
                match parsed {
                    Parsed::Ok(node) => {
                        let mut f = match classified {
                            Some(f) if chunk_schema == schema => f,
                            _ => classify::classify(&node, &schema, text),
                        };
                        take_facts(&mut st, &node, &mut f, text, span);
                        st.is_data = f.is_data;
                        st.schema_elements = f.schema_elements;
                        st.session = f.session.unwrap_or(Session::None);
                        if st.schema_elements > 0 {
                            if let Some(s) = st.defines.iter().find(|d| d.kind == crate::ir::ObjKind::Schema) {
                                elements = elements::lower(&st, text, &s.name, st.schema_elements, st.id + 1);
                            }
                        }
                        st.dml = facts;
                        st.redefine = f.redefine;
                        temps.resolve(&mut st, &node, text, &schema);
                        if let Some(p) = f.search_path {
                            schema = p;
                        }
                        last_copy = f.copy_from_stdin.then_some(st.id);
                    }
                    Parsed::Err { message, offset } => {
                        st.kind = "unparsed".into();
                        st.parse_error = true;
                        let at = span.start + offset.min(span.len());
                        diags.push(
                            Diagnostic::error("E002", "parse", message)
                                .at(file, Span::new(at, at))
                                .with_label(file, span, "this statement moves to unsupported.sql as written")
                                .with_help("fix the statement, or remove it if the target does not need it"),
                        );
                        last_copy = None;
                    }
                }
                ir.stmts.push(st);
                ir.stmts.extend(elements);
            }
            PieceKind::Meta => {
                let mut st = Stmt::new(ir.stmts.len(), file, span, trivia, piece.kind);
                let text = src.slice(span).trim_start();
                let cmd = text.split_whitespace().next().unwrap_or("");
                st.kind = "psql_meta".into();
                last_copy = None;
                match cmd {
                    "\\connect" | "\\c" => {
                        // A new session: its temporary tables are gone.
                        temps = temp::Temps::default();
                        st.session = Session::Setting;
                    }
                    "\\set" | "\\unset" | "\\encoding" => st.session = Session::Setting,
                    "\\restrict" => st.session = Session::Restrict,
                    "\\unrestrict" => st.session = Session::Unrestrict,
                    "\\copy" => {
                        st.kind = "psql_copy".into();
                        st.is_data = true;
                        last_copy = Some(st.id);
                    }
                    _ => {}
                }
                ir.stmts.push(st);
            }
            PieceKind::CopyData => {
                let mut st = Stmt::new(ir.stmts.len(), file, span, trivia, piece.kind);
                st.kind = "copy_data".into();
                st.is_data = true;
                if let Some(c) = last_copy.take() {
                    ir.stmts[c].copy_data = Some(st.id);
                    st.object = ir.stmts[c].object.clone();
                }
                ir.stmts.push(st);
            }
        }
        trivia_start = span.end;
    }
    dml::sequence(ir, first, src);
}

/// What lowering can only decide once every file is lowered (which calls are built-ins).
pub fn finish(ir: &mut Ir) {
    dml::resolve(ir);
    renames::follow_table_renames(ir);
}

/// Move what every lowered statement (a piece's, or a CREATE SCHEMA element's) holds from its
/// classification into `st`: kind, names, commands, options, settings and detail (with where a
/// CREATE TABLE's element list closes). The rest of `f` is the caller's.
fn take_facts(st: &mut Stmt, node: &N, f: &mut classify::Facts, text: &str, span: Span) {
    st.kind = kind::kind_name(node);
    st.object = f.object.take();
    st.defines = std::mem::take(&mut f.defines);
    st.refs = std::mem::take(&mut f.refs);
    st.commands = std::mem::take(&mut f.commands);
    st.roles = std::mem::take(&mut f.roles);
    st.only = f.only;
    st.options = std::mem::take(&mut f.options);
    st.settings = std::mem::take(&mut f.settings);
    st.detail = std::mem::take(&mut f.detail);
    if let (Detail::CreateTable(t), N::CreateStmt(c)) = (&mut st.detail, node) {
        let loc = c.relation.as_ref().map(|r| r.location.max(0) as usize).unwrap_or(0);
        st.elements_close = elements_close(text, loc).map(|o| span.start + o);
        t.has_element_list = st.elements_close.is_some();
    }
}

/// Offset (relative to `text`) of the `)` closing a CREATE TABLE's element list, when the
/// relation name is directly followed by `(`.
fn elements_close(text: &str, relation_at: usize) -> Option<usize> {
    let tokens = pg_query::scan_tokens(text).ok()?;
    let mut it = tokens.iter().filter(|t| t.start as usize >= relation_at);
    // Skip the (possibly qualified) name: identifiers separated by dots.
    let mut expect_ident = true;
    let open = loop {
        let t = it.next()?;
        let s = text.get(t.start as usize..t.end as usize)?;
        if s == "(" && !expect_ident {
            break t;
        }
        let ident = s.starts_with('"') || s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        match (expect_ident, ident, s == ".") {
            (true, true, _) => expect_ident = false,
            (false, _, true) => expect_ident = true,
            _ => return None,
        }
    };
    let mut depth = 0usize;
    for t in tokens.iter().filter(|t| t.start >= open.start) {
        match text.get(t.start as usize..t.end as usize)? {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return Some(t.start as usize);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{elements_close, CHUNK};
    use crate::source::SourceFile;

    /// Statements are classified in parallel per chunk under the chunk's starting search_path;
    /// a `SET search_path` inside a chunk, or just before a chunk boundary, must still apply to
    /// every statement after it.
    #[test]
    fn search_path_changes_apply_inside_and_across_chunks() {
        let mut sql = String::new();
        for i in 0..CHUNK - 2 {
            sql.push_str(&format!("CREATE TABLE a{i} (id int);\n"));
        }
        sql.push_str("SET search_path = app;\nCREATE TABLE in_chunk (id int);\nCREATE TABLE next_chunk (id int);\n");
        sql.push_str("SET search_path = other;\nCREATE TABLE later (id int);\n");
        let pack = crate::rules::RulePack { targets: crate::rules::Targets::builtin(), rules: Vec::new() };
        let c = crate::compile::compile(vec![SourceFile::new("x.sql", sql)], &pack, &Default::default());
        let object = |name: &str| {
            c.ir.stmts
                .iter()
                .filter_map(|s| s.object.as_ref())
                .find(|o| o.name == name)
                .map(|o| o.schema.clone())
                .unwrap_or_else(|| panic!("{name} not lowered"))
        };
        assert_eq!(object("a0"), "public");
        assert_eq!(object("in_chunk"), "app");
        assert_eq!(object("next_chunk"), "app");
        assert_eq!(object("later"), "other");
    }

    #[test]
    fn finds_the_closing_paren_of_the_element_list() {
        let sql = "CREATE TABLE public.t (a int CHECK (a > 0), b text) PARTITION BY RANGE (a);";
        let at = elements_close(sql, 13).unwrap();
        assert_eq!(&sql[at..at + 3], ") P");
        assert_eq!(elements_close("CREATE TABLE p PARTITION OF t FOR VALUES IN (1);", 13), None);
        let q = "CREATE TABLE \"Odd\".\"T\" ();";
        assert_eq!(elements_close(q, 13), Some(24));
    }
}

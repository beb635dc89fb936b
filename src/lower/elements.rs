//! Elements of `CREATE SCHEMA s CREATE TABLE … CREATE VIEW …`: each becomes a statement of its
//! own in the IR (`Stmt::element_of`), so table, column, index and view rules see it and the
//! manifest lists its objects, while its text stays inside the CREATE SCHEMA that holds it.

use crate::ir::{Fate, Stmt, StmtId};
use crate::scan::PieceKind;
use crate::source::{FileId, Span};

use super::classify;

/// Byte ranges (relative to `text`) of the elements of a CREATE SCHEMA statement: each starts at
/// CREATE or GRANT outside parentheses after the leading `CREATE SCHEMA`, and ends with its last
/// token before the next (comments after it and `;` left out: a `;` written after the element must
/// not land in a `--` comment). `None` when the tokens do not give `count` elements.
pub fn spans(text: &str, count: usize) -> Option<Vec<Span>> {
    let tokens = pg_query::scan_tokens(text).ok()?;
    let mut depth = 0i32;
    let mut out: Vec<Span> = Vec::new();
    let mut last_end = 0;
    for (i, t) in tokens.iter().enumerate() {
        let (start, end) = (t.start as usize, t.end as usize);
        let s = text.get(start..end)?;
        if s.starts_with("--") || s.starts_with("/*") {
            continue;
        }
        if i >= 2 && depth == 0 && (s.eq_ignore_ascii_case("CREATE") || s.eq_ignore_ascii_case("GRANT")) {
            if let Some(prev) = out.last_mut() {
                prev.end = last_end;
            }
            out.push(Span::new(start, start));
        }
        match s {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        if s != ";" {
            last_end = end;
        }
    }
    if let Some(last) = out.last_mut() {
        last.end = last_end;
    }
    (out.len() == count && count > 0).then_some(out)
}

/// The element statements of CREATE SCHEMA `parent` (whose text is `text`, at `span` of `file`),
/// created in `schema`: each parsed on its own and classified there, merged into the parent.
/// Ids follow `first_id`.
pub fn lower(parent: &Stmt, text: &str, schema: &str, count: usize, first_id: StmtId) -> Vec<Stmt> {
    let Some(spans) = spans(text, count) else { return Vec::new() };
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let elem = &text[span.start..span.end];
        // All or none: an element moved on its own is cut out of the text between the others.
        let Ok(parsed) = pg_query::parse(elem, 0) else { return Vec::new() };
        let Some(node) =
            parsed.protobuf.stmts.first().and_then(|r| r.stmt.as_ref()).and_then(|n| n.node.as_ref()).cloned()
        else {
            return Vec::new();
        };
        let absolute = Span::new(parent.span.start + span.start, parent.span.start + span.end);
        out.push(element(parent.file, parent.id, first_id + out.len(), absolute, elem, &node, schema));
    }
    out
}

fn element(
    file: FileId,
    parent: StmtId,
    id: StmtId,
    span: Span,
    text: &str,
    node: &pg_query::protobuf::node::Node,
    schema: &str,
) -> Stmt {
    let mut st = Stmt::new(id, file, span, Span::new(span.start, span.start), PieceKind::Statement);
    let mut f = classify::classify(node, schema, text);
    super::take_facts(&mut st, node, &mut f, text, span);
    st.element_of = Some(parent);
    st.fate = Fate::Merged;
    st.merged_into = Some(parent);
    st
}

#[cfg(test)]
mod tests {
    use super::spans;

    #[test]
    fn elements_end_before_the_next_and_leave_out_the_semicolon() {
        let sql = "CREATE SCHEMA s\n  CREATE TABLE t (a int, CHECK (a > 0))\n  CREATE VIEW v AS SELECT a FROM t;";
        let got: Vec<&str> = spans(sql, 2).unwrap().iter().map(|s| &sql[s.start..s.end]).collect();
        assert_eq!(got, ["CREATE TABLE t (a int, CHECK (a > 0))", "CREATE VIEW v AS SELECT a FROM t"]);
        assert_eq!(spans(sql, 3), None);
        // A comment after an element is not part of it (the split's `;` goes before it).
        let sql =
            "CREATE SCHEMA s\n  CREATE TABLE t (a int) -- the table\n  CREATE VIEW v AS SELECT a FROM t -- the view\n;";
        let got: Vec<&str> = spans(sql, 2).unwrap().iter().map(|s| &sql[s.start..s.end]).collect();
        assert_eq!(got, ["CREATE TABLE t (a int)", "CREATE VIEW v AS SELECT a FROM t"]);
        assert_eq!(spans("CREATE SCHEMA s;", 0), None);
    }

    use crate::compile::compile;
    use crate::manifest::ObjectKind;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    fn run(sql: &str) -> crate::compile::Compilation {
        compile(vec![SourceFile::new("s.sql", sql)], &RulePack::builtin().unwrap(), &Default::default())
    }

    /// Tables created inside CREATE SCHEMA are tables: column rules see them (at the column),
    /// the manifest lists them and their columns, and an error moves the element (and what needs
    /// it) out of the CREATE SCHEMA, which still loads.
    #[test]
    fn element_tables_are_seen_by_table_and_column_rules() {
        let sql = "CREATE SCHEMA docs\n    CREATE TABLE page (id int PRIMARY KEY, body xml)\n    CREATE VIEW v AS SELECT id FROM page;\n\
                   CREATE TABLE public.other (id int PRIMARY KEY);\n";
        let c = run(sql);
        let d = c.diagnostics.iter().find(|d| d.code == "ZN401").expect("xml column found");
        let at = d.location.unwrap().span.start;
        assert_eq!(&sql[at..at + 8], "body xml", "{d:?}");
        let un = c.scripts.unsupported.as_deref().unwrap_or("");
        assert!(un.contains("CREATE TABLE page (id int PRIMARY KEY, body xml);"), "{un}");
        assert!(un.contains("CREATE VIEW v AS SELECT id FROM page;"), "{un}");
        assert!(
            c.scripts.pre_data.contains(
                "CREATE SCHEMA docs;
COMMIT;"
            ),
            "{}",
            c.scripts.pre_data
        );
        assert!(!c.scripts.pre_data.contains("page"), "{}", c.scripts.pre_data);
        c.check_invariants().unwrap();
        let page = c.ir.stmts.iter().find(|s| s.kind == "create_table" && s.element_of.is_some()).unwrap();
        assert_eq!(page.object.as_ref().unwrap().display(), "docs.page");
        assert_eq!(c.report.summary.kinds.get("create_table"), Some(&2));
    }

    #[test]
    fn the_manifest_counts_element_tables_and_their_columns() {
        let c = run("CREATE SCHEMA sales\n  CREATE TABLE orders (id int PRIMARY KEY, note text)\n  CREATE INDEX orders_note ON orders (note);\n");
        c.check_invariants().unwrap();
        let kinds: Vec<(ObjectKind, String)> = c
            .manifest
            .objects
            .iter()
            .filter(|o| o.schema.as_deref() == Some("sales"))
            .map(|o| (o.kind, o.name.clone()))
            .collect();
        assert!(kinds.contains(&(ObjectKind::Table, "orders".into())), "{kinds:?}");
        assert!(kinds.contains(&(ObjectKind::Column, "note".into())), "{kinds:?}");
        assert!(kinds.contains(&(ObjectKind::Index, "orders_note".into())), "{kinds:?}");
        assert!(!kinds.iter().any(|(k, _)| *k == ObjectKind::Other), "{kinds:?}");
    }

    /// A clause stripped inside an element survives the split into one statement each.
    #[test]
    fn a_rewrite_inside_an_element_stays_when_the_schema_is_split() {
        let c = run(
            "CREATE SCHEMA s\n  CREATE UNLOGGED TABLE t (id int PRIMARY KEY)\n  CREATE TABLE u (id int PRIMARY KEY);\n",
        );
        let pre = &c.scripts.pre_data;
        assert!(pre.contains("BEGIN;\nCREATE SCHEMA s;\n"), "{pre}");
        assert!(
            pre.contains("CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE u (id int PRIMARY KEY);\nCOMMIT;"),
            "{pre}"
        );
        assert!(!pre.contains("UNLOGGED"), "{pre}");
        assert!(c.diagnostics.iter().any(|d| d.code == "ZN201"), "{:?}", c.diagnostics);
        c.check_invariants().unwrap();
    }
}

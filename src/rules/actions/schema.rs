//! `split_schema_elements`: `CREATE SCHEMA s CREATE TABLE t … CREATE VIEW v …` becomes
//! `CREATE SCHEMA s;` and one statement per element. Inside CREATE SCHEMA, unqualified names
//! resolve in `s` first; the split statements run in a transaction whose local search_path puts
//! `s` first, so they resolve the same way and the session's search_path is untouched after it.
//!
//! `cut_moved_elements`: an element that left the scripts on its own (an error finding, or what
//! it needs moved) leaves the text of its CREATE SCHEMA, which still loads with the others.

use crate::ir::{Edit, Fate, Ir, StmtId};
use crate::source::{SourceFile, Span};

use super::generated::quote_ident;
use super::{ActionEnv, Applied};
use crate::rules::edit;

pub fn split_schema_elements(ir: &mut Ir, id: StmtId, a: &Applied, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    if stmt.kind != "create_schema" || stmt.schema_elements == 0 {
        return Err("not a CREATE SCHEMA with elements".into());
    }
    let layout = Layout::of(ir, id, env.files).ok_or("the schema has no name (CREATE SCHEMA AUTHORIZATION role)")?;
    if layout.elements.len() != stmt.schema_elements {
        return Err(format!("found {} elements of {}", layout.elements.len(), stmt.schema_elements));
    }
    // The elements are statements of their own (lowered with `Stmt::element_of`): the split
    // edits only the gaps between them, so what other rules change inside an element (edits
    // they put on this statement) stays.
    let mut edits = vec![Edit {
        span: Span::new(layout.base, layout.base),
        insert: format!(
            "-- pg2znb {}: CREATE SCHEMA with elements, one statement each; names resolve in {} first as before\n\
             BEGIN;\n",
            a.code, layout.schema
        ),
    }];
    let all: Vec<Span> = layout.elements.iter().map(|&(_, span)| span).collect();
    edits.extend(layout.gaps(&all));
    let s = &mut ir.stmts[id];
    s.edits.extend(edits);
    s.fate = Fate::Rewritten;
    s.add_code(a.code);
    Ok(true)
}

/// Where the text of a CREATE SCHEMA with elements splits.
struct Layout {
    schema: String,
    /// Where the statement starts, where its head (`CREATE SCHEMA s …`) ends and where it ends.
    base: usize,
    head_end: usize,
    end: usize,
    /// Its elements, in order, with their spans.
    elements: Vec<(StmtId, Span)>,
    /// The statement's text (from `base`).
    text: String,
}

impl Layout {
    fn of(ir: &Ir, id: StmtId, files: &[SourceFile]) -> Option<Layout> {
        let stmt = &ir.stmts[id];
        let schema = stmt.defines.iter().find(|d| d.kind == crate::ir::ObjKind::Schema)?.name.clone();
        let elements: Vec<(StmtId, Span)> =
            ir.stmts[id + 1..].iter().take_while(|e| e.element_of == Some(id)).map(|e| (e.id, e.span)).collect();
        let first = elements.first()?.1;
        let text = files[stmt.file].slice(stmt.span);
        let base = stmt.span.start;
        let head_end = base + code_end(&text[..first.start - base]);
        Some(Layout { schema, base, head_end, end: stmt.span.end, elements, text: text.to_string() })
    }

    /// The comments in `span` outside every element (between elements there is only space and
    /// comments), each after a space or, when a line break preceded it, on a line of its own:
    /// the split keeps them, as every untouched byte is kept.
    fn comments(&self, span: Span) -> String {
        let mut out = String::new();
        let mut at = span.start;
        let mut pieces = Vec::new();
        for &(_, e) in self.elements.iter().filter(|(_, e)| e.end > span.start && e.start < span.end) {
            pieces.push(Span::new(at, e.start.max(at)));
            at = e.end;
        }
        pieces.push(Span::new(at, span.end.max(at)));
        for (k, piece) in pieces.iter().enumerate() {
            let Some(text) = self.text.get(piece.start - self.base..piece.end - self.base) else { continue };
            let mut after = 0;
            for (i, (start, end)) in edit::comments(text).into_iter().enumerate() {
                let on_its_own_line = text[after..start].contains('\n') || (i == 0 && k > 0);
                out.push_str(if on_its_own_line { "\n" } else { " " });
                out.push_str(&text[start..end]);
                after = end;
            }
        }
        out
    }

    /// The split's edits between the head and `kept` (spans of elements, in order), between
    /// them, and after the last: each ends its statement; the first sets the search_path. The
    /// comments between elements stay, after the `;` that now ends the element before them.
    fn gaps(&self, kept: &[Span]) -> Vec<Edit> {
        let Some((first, last)) = kept.first().zip(kept.last()) else {
            let span = Span::new(self.head_end, self.end);
            return vec![Edit { span, insert: format!(";{}\nCOMMIT;", self.comments(span)) }];
        };
        let path = quote_ident(&self.schema).replace('\'', "''");
        let head = Span::new(self.head_end, first.start);
        let mut edits = vec![Edit {
            span: head,
            insert: format!(
                ";\nSELECT pg_catalog.set_config('search_path', CASE pg_catalog.current_setting('search_path') WHEN '' THEN '{path}' ELSE '{path}, ' || pg_catalog.current_setting('search_path') END, true);{}\n",
                self.comments(head)
            ),
        }];
        for pair in kept.windows(2) {
            let span = Span::new(pair[0].end, pair[1].start);
            edits.push(Edit { span, insert: format!(";{}\n", self.comments(span)) });
        }
        let tail = Span::new(last.end, self.end);
        edits.push(Edit { span: tail, insert: format!(";{}\nCOMMIT;", self.comments(tail)) });
        edits
    }
}

/// Where the SQL in `text` ends: after its last token that is not a comment (a comment after
/// the head of CREATE SCHEMA is not where its `;` goes).
fn code_end(text: &str) -> usize {
    edit::tokens(text).last().map_or_else(|| text.trim_end().len(), |t| t.end)
}

/// Take the elements that moved to `unsupported.sql` on their own out of the text of each
/// CREATE SCHEMA that still loads (after ordering, which moves what needs them). A split CREATE
/// SCHEMA is split again over the elements that stay; one that was not split loses each moved
/// element with the space before it. Either way the rest loads as before.
pub fn cut_moved_elements(ir: &mut Ir, files: &[SourceFile]) {
    for id in 0..ir.stmts.len() {
        let host = &ir.stmts[id];
        if host.fate == Fate::Dropped || ir.stmts.get(id + 1).is_none_or(|e| e.element_of != Some(id)) {
            continue;
        }
        let Some(layout) = Layout::of(ir, id, files).filter(|l| l.elements.len() == host.schema_elements) else {
            continue;
        };
        let moved = |e: StmtId| ir.stmts[e].fate == Fate::Dropped;
        if !layout.elements.iter().any(|&(e, _)| moved(e)) {
            continue;
        }
        let all: Vec<Span> = layout.elements.iter().map(|&(_, span)| span).collect();
        let kept: Vec<Span> = layout.elements.iter().filter(|&&(e, _)| !moved(e)).map(|&(_, span)| span).collect();
        let gone: Vec<Span> = layout.elements.iter().filter(|&&(e, _)| moved(e)).map(|&(_, span)| span).collect();
        let old = layout.gaps(&all);
        let split = old.iter().all(|e| host.edits.contains(e));
        let mut cut = Vec::new();
        if split {
            cut = layout.gaps(&kept);
        } else {
            for &(e, span) in &layout.elements {
                if moved(e) {
                    // The space before it goes with it; a comment before it stays, and so does the
                    // line break that ends a `--` one.
                    let before = &layout.text[..span.start - layout.base];
                    let trimmed = before.trim_end();
                    let space = &before[trimmed.len()..];
                    let line_comment = edit::comments(trimmed)
                        .last()
                        .is_some_and(|&(start, end)| end == trimmed.len() && trimmed[start..].starts_with("--"));
                    let insert = if line_comment && space.contains('\n') { "\n".to_string() } else { String::new() };
                    cut.push(Edit { span: Span::new(span.start - space.len(), span.end), insert });
                }
            }
        }
        let inside = |e: &Edit| gone.iter().any(|g| g.start <= e.span.start && e.span.end <= g.end);
        let h = &mut ir.stmts[id];
        h.edits.retain(|e| !(inside(e) || split && old.contains(e)));
        h.edits.extend(cut);
        if h.fate == Fate::Verbatim {
            h.fate = Fate::Rewritten;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::compile::{compile, Compilation};
    use crate::diagnostic::Severity;
    use crate::ir::Fate;
    use crate::rules::{ApplyOptions, RulePack};
    use crate::source::SourceFile;

    fn run_with(sql: &str, opts: &ApplyOptions) -> Compilation {
        let c = compile(vec![SourceFile::new("s.sql", sql)], &RulePack::builtin().unwrap(), opts);
        c.check_invariants().unwrap();
        c
    }

    fn run(sql: &str) -> Compilation {
        run_with(sql, &ApplyOptions::default())
    }

    const MIXED: &str = "CREATE SCHEMA s\n  CREATE TABLE a (x int)\n  CREATE TABLE b (y xml)\n  CREATE VIEW v AS SELECT * FROM a\n  CREATE VIEW vb AS SELECT * FROM b;\n\
                         CREATE VIEW public.w AS SELECT * FROM s.b;\nCREATE VIEW public.z AS SELECT * FROM s.a;\n";

    /// An element the target rejects leaves its CREATE SCHEMA alone, with what needs it (an
    /// element or a statement after it); the schema and the other elements load, split.
    #[test]
    fn an_element_with_an_error_moves_alone_with_what_needs_it() {
        let c = run(MIXED);
        let pre = &c.scripts.pre_data;
        assert!(
            pre.contains(
                "BEGIN;\nCREATE SCHEMA s;\nSELECT pg_catalog.set_config('search_path', CASE pg_catalog.current_setting('search_path') WHEN '' THEN 's' ELSE 's, ' || pg_catalog.current_setting('search_path') END, true);\n\
                 CREATE TABLE a (x int);\nCREATE VIEW v AS SELECT * FROM a;\nCOMMIT;\n"
            ),
            "{pre}"
        );
        assert!(pre.contains("CREATE VIEW public.z AS SELECT * FROM s.a;"), "{pre}");
        assert!(!pre.contains("xml") && !pre.contains(" vb ") && !pre.contains("public.w"), "{pre}");
        let un = c.scripts.unsupported.as_deref().unwrap();
        assert!(un.contains("-- from s.sql:3, an element of CREATE SCHEMA s (its unqualified names are in that schema)\nCREATE TABLE b (y xml);\n"), "{un}");
        assert!(un.contains("CREATE VIEW vb AS SELECT * FROM b;\n"), "{un}");
        assert!(un.contains("CREATE VIEW public.w AS SELECT * FROM s.b;\n"), "{un}");
        // One finding for the cause, one E102 for its two dependents (labelled).
        let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, "ZN401");
        let e102: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "E102").collect();
        assert_eq!(e102.len(), 1, "{e102:?}");
        assert_eq!(e102[0].labels.len(), 2, "{:?}", e102[0]);
        let fate = |kind: &str, name: &str| {
            c.ir.stmts
                .iter()
                .find(|s| s.kind == kind && s.object.as_ref().is_some_and(|o| o.name == name))
                .unwrap()
                .fate
        };
        assert_eq!(fate("create_table", "b"), Fate::Dropped);
        assert_eq!(fate("create_table", "a"), Fate::Merged);
        assert_eq!(fate("create_schema", "s"), Fate::Rewritten);
        // The manifest has the schema's tables that load, and says b is not loaded.
        assert!(c.manifest.objects.iter().any(|o| o.name == "a"));
        assert!(!c.manifest.objects.iter().any(|o| o.name == "b"));
        assert!(c.manifest.changes.iter().any(|ch| ch.name == "b"), "{:?}", c.manifest.changes);
    }

    /// Without the split (ZN216 ignored), the element is cut out of CREATE SCHEMA as written.
    #[test]
    fn an_unsplit_create_schema_loses_the_moved_element_only() {
        let opts = ApplyOptions { ignore: vec!["ZN216".into()], ..Default::default() };
        let c = run_with(MIXED, &opts);
        let pre = &c.scripts.pre_data;
        assert!(
            pre.contains("CREATE SCHEMA s\n  CREATE TABLE a (x int)\n  CREATE VIEW v AS SELECT * FROM a;\n"),
            "{pre}"
        );
        // Every element moved: the schema alone stays.
        let c = run_with("CREATE SCHEMA s\n  CREATE TABLE b (y xml)\n  CREATE VIEW vb AS SELECT * FROM b;\n", &opts);
        assert!(c.scripts.pre_data.contains("CREATE SCHEMA s;\n"), "{}", c.scripts.pre_data);
        let c = run("CREATE SCHEMA s\n  CREATE TABLE b (y xml)\n  CREATE VIEW vb AS SELECT * FROM b;\n");
        assert!(c.scripts.pre_data.contains("BEGIN;\nCREATE SCHEMA s;\nCOMMIT;\n"), "{}", c.scripts.pre_data);
    }

    /// Comments after elements stay out of them (no `;` is written into a `--` comment), and
    /// stay: split or cut, every comment between elements is still in the script.
    #[test]
    fn comments_after_elements_do_not_swallow_the_end_of_a_statement() {
        let sql = "CREATE SCHEMA s\n  CREATE TABLE a (x int) -- kept\n  CREATE TABLE b (y xml) -- moved\n;\n";
        let c = run(sql);
        assert!(
            c.scripts.pre_data.contains("CREATE TABLE a (x int); -- kept\n-- moved\nCOMMIT;\n"),
            "{}",
            c.scripts.pre_data
        );
        assert!(c.scripts.unsupported.as_deref().unwrap().contains("\nCREATE TABLE b (y xml);\n"));
        let c = run_with(sql, &ApplyOptions { ignore: vec!["ZN216".into()], ..Default::default() });
        assert!(
            c.scripts.pre_data.contains("CREATE SCHEMA s\n  CREATE TABLE a (x int) -- kept\n -- moved\n;\n"),
            "{}",
            c.scripts.pre_data
        );
    }

    /// Line and block comments before, between and after elements: the split keeps each, a
    /// comment on its own line on a line of its own.
    #[test]
    fn the_split_keeps_every_comment_between_elements() {
        let c = run("CREATE SCHEMA s /* head */\n  -- the first table\n  CREATE TABLE a (x int) -- after a\n  \
                     /* block /* nested */ still */ CREATE VIEW v AS SELECT x FROM a\n  -- the end\n;\n");
        let pre = &c.scripts.pre_data;
        assert!(
            pre.contains(
                ", true); /* head */\n-- the first table\nCREATE TABLE a (x int); -- after a\n\
                              /* block /* nested */ still */\nCREATE VIEW v AS SELECT x FROM a;\n-- the end\nCOMMIT;"
            ),
            "{pre}"
        );
    }

    /// pg_dump's ALTER TABLE ONLY … ADD CONSTRAINT and hand-written ADD PRIMARY KEY, with the
    /// table named qualified or through search_path, fold into tables created inside CREATE
    /// SCHEMA (written qualified or not there).
    #[test]
    fn primary_keys_fold_into_tables_created_inside_create_schema() {
        let c = run("CREATE SCHEMA s\n  CREATE TABLE t (\n    id int NOT NULL,\n    n text\n  )\n  CREATE TABLE s.u (id int NOT NULL)\n  CREATE TABLE w (id int NOT NULL);\n\
                     ALTER TABLE ONLY s.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\
                     ALTER TABLE s.u ADD PRIMARY KEY (id);\n\
                     SET search_path = s, public;\nALTER TABLE w ADD PRIMARY KEY (id);\n");
        let pre = &c.scripts.pre_data;
        assert!(
            pre.contains(
                "CREATE TABLE t (\n    id int NOT NULL,\n    n text,\n    CONSTRAINT t_pkey PRIMARY KEY (id)\n  );\n"
            ),
            "{pre}"
        );
        assert!(pre.contains("CREATE TABLE s.u (id int NOT NULL, PRIMARY KEY (id));\n"), "{pre}");
        assert!(pre.contains("CREATE TABLE w (id int NOT NULL, PRIMARY KEY (id));\nCOMMIT;"), "{pre}");
        assert!(!pre.contains("ALTER TABLE"), "{pre}");
        assert!(!c.diagnostics.iter().any(|d| d.code == "ZN101" && d.severity > Severity::Info), "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics.iter().filter(|d| d.code == "ZN101").count(), 3);
    }

    /// A key folded into an element's table that moves goes with it, as written.
    #[test]
    fn a_key_folded_into_a_moved_element_moves_with_it() {
        let c =
            run("CREATE SCHEMA s\n  CREATE TABLE a (id int NOT NULL)\n  CREATE TABLE b (id int NOT NULL, y xml);\n\
                     ALTER TABLE ONLY s.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n\
                     ALTER TABLE ONLY s.b ADD CONSTRAINT b_pkey PRIMARY KEY (id);\n");
        let pre = &c.scripts.pre_data;
        assert!(
            pre.contains("CREATE TABLE a (id int NOT NULL, CONSTRAINT a_pkey PRIMARY KEY (id));\nCOMMIT;"),
            "{pre}"
        );
        assert!(!pre.contains("b_pkey") && !pre.contains("xml"), "{pre}");
        let un = c.scripts.unsupported.as_deref().unwrap();
        assert!(un.contains("CREATE TABLE b (id int NOT NULL, y xml);\n"), "{un}");
        assert!(un.contains("ALTER TABLE ONLY s.b ADD CONSTRAINT b_pkey PRIMARY KEY (id);\n"), "{un}");
        // The whole CREATE SCHEMA moves when its own head fails: the folded keys go with it.
        let c =
            run("CREATE SCHEMA s\n  CREATE TABLE a (id int NOT NULL)\n  CREATE TABLE b (id int NOT NULL, y xml);\n\
                     CREATE SCHEMA s\n  CREATE TABLE c (id int NOT NULL);\n\
                     ALTER TABLE ONLY s.c ADD CONSTRAINT c_pkey PRIMARY KEY (id);\n");
        assert!(!c.scripts.pre_data.contains("c_pkey"), "{}", c.scripts.pre_data);
    }
}

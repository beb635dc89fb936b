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
        let head_end = base + text[..first.start - base].trim_end().len();
        Some(Layout { schema, base, head_end, end: stmt.span.end, elements })
    }

    /// The split's edits between the head and `kept` (spans of elements, in order), between
    /// them, and after the last: each ends its statement; the first sets the search_path.
    fn gaps(&self, kept: &[Span]) -> Vec<Edit> {
        let Some((first, last)) = kept.first().zip(kept.last()) else {
            return vec![Edit { span: Span::new(self.head_end, self.end), insert: ";\nCOMMIT;".into() }];
        };
        let path = quote_ident(&self.schema).replace('\'', "''");
        let mut edits = vec![Edit {
            span: Span::new(self.head_end, first.start),
            insert: format!(
                ";\nSELECT pg_catalog.set_config('search_path', CASE pg_catalog.current_setting('search_path') WHEN '' THEN '{path}' ELSE '{path}, ' || pg_catalog.current_setting('search_path') END, true);\n"
            ),
        }];
        for pair in kept.windows(2) {
            edits.push(Edit { span: Span::new(pair[0].end, pair[1].start), insert: ";\n".into() });
        }
        edits.push(Edit { span: Span::new(last.end, self.end), insert: ";\nCOMMIT;".into() });
        edits
    }
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
            for (k, &(e, span)) in layout.elements.iter().enumerate() {
                if moved(e) {
                    let from = if k == 0 { layout.head_end } else { all[k - 1].end };
                    cut.push(Edit { span: Span::new(from, span.end), insert: String::new() });
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

    /// Comments after elements stay out of them: no `;` is written into a `--` comment.
    #[test]
    fn comments_after_elements_do_not_swallow_the_end_of_a_statement() {
        let sql = "CREATE SCHEMA s\n  CREATE TABLE a (x int) -- kept\n  CREATE TABLE b (y xml) -- moved\n;\n";
        let c = run(sql);
        assert!(c.scripts.pre_data.contains("CREATE TABLE a (x int);\nCOMMIT;\n"), "{}", c.scripts.pre_data);
        assert!(c.scripts.unsupported.as_deref().unwrap().contains("\nCREATE TABLE b (y xml);\n"));
        let c = run_with(sql, &ApplyOptions { ignore: vec!["ZN216".into()], ..Default::default() });
        assert!(
            c.scripts.pre_data.contains("CREATE SCHEMA s\n  CREATE TABLE a (x int) -- moved\n;\n"),
            "{}",
            c.scripts.pre_data
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

//! Issue 2 acceptance over ../shared/corpus: every schema file compiles without a panic, every
//! statement has exactly one fate and phase, output is deterministic, keys are inline and
//! nothing deferred is left in pre-data.

mod support;

use pg2znb::ir::{Detail, Fate, Phase};
use pg2znb::scan::PieceKind;
use support::corpus::{corpus_dir, sql_files, SCHEMA_FILES};

fn check_conservation(name: &str, c: &pg2znb::compile::Compilation) {
    let s = &c.report.summary;
    assert_eq!(s.fates.values().sum::<usize>(), s.input_statements, "{name}: fates add up");
    assert_eq!(s.phases.values().sum::<usize>(), s.input_statements, "{name}: phases add up");
    // One IR statement per meaningful scanned piece, nothing more, nothing less.
    let pieces: usize = c
        .files
        .iter()
        .map(|f| {
            pg2znb::scan::scan(&f.text)
                .pieces
                .iter()
                .filter(|p| matches!(p.kind, PieceKind::Statement | PieceKind::CopyData | PieceKind::Meta))
                .count()
        })
        .sum();
    // Elements of `CREATE SCHEMA s CREATE TABLE …` are statements of their own inside its piece.
    let elements = c.ir.stmts.iter().filter(|s| s.element_of.is_some()).count();
    assert_eq!(pieces + elements, s.input_statements, "{name}: one statement record per piece and schema element");
    // Every emitted statement appears in exactly one script's order; merged ones inside their target.
    let mut seen = vec![0usize; c.ir.stmts.len()];
    for p in Phase::ALL {
        for &id in c.order.phase(p) {
            seen[id] += 1;
            assert_eq!(c.ir.stmts[id].phase, p, "{name}: statement {id} is listed in its own phase");
        }
    }
    for st in &c.ir.stmts {
        let expected = match st.fate {
            Fate::Verbatim | Fate::Rewritten if st.piece != PieceKind::CopyData => 1,
            _ => 0,
        };
        assert_eq!(seen[st.id], expected, "{name}: statement {} ({}) emitted {} times", st.id, st.kind, seen[st.id]);
        if let Some(host) = st.element_of {
            // Part of its CREATE SCHEMA's text: merged into it, or moved with it; or moved to
            // unsupported.sql on its own (then it says why, below).
            let h = c.ir.stmts[host].fate;
            let alone = st.fate == Fate::Dropped && h != Fate::Dropped && st.unsupported.is_some();
            assert!(
                st.fate == Fate::Merged && h != Fate::Dropped
                    || st.fate == Fate::Dropped && h == Fate::Dropped
                    || alone,
                "{name}: element {} is {:?} in a {h:?} CREATE SCHEMA",
                st.id,
                st.fate
            );
            if !alone {
                continue;
            }
        }
        if st.fate == Fate::Merged {
            let into = st.merged_into.expect("merged statements name their target");
            // Into a table created inside CREATE SCHEMA: into the CREATE SCHEMA's text.
            let into = c.ir.stmts[into].element_of.unwrap_or(into);
            assert_eq!(c.ir.stmts[into].fate, Fate::Rewritten, "{name}: merged into a rewritten statement");
        }
        if st.fate == Fate::Dropped {
            // A COPY data block is explained by its COPY statement's diagnostic; `\unrestrict` by
            // a label of the `\restrict` finding.
            let explained_by = c.ir.stmts.iter().find(|s| s.copy_data == Some(st.id)).unwrap_or(st);
            // A finding inside the statement, or one labelled at it (a key folded into a table
            // that moved), says why.
            let at = |file: usize, span: pg2znb::source::Span| {
                file == explained_by.file && explained_by.span.start <= span.start && span.end <= explained_by.span.end
            };
            assert!(
                c.diagnostics.iter().any(|d| d.location.is_some_and(|l| at(l.file, l.span))
                    || d.labels.iter().any(|l| at(l.location.file, l.location.span))),
                "{name}: a dropped statement has a diagnostic saying why"
            );
        }
    }
}

/// Acceptance 4: primary keys inline; no FK, trigger or ALTER-added CHECK/UNIQUE in pre-data.
fn check_default_policy(name: &str, c: &pg2znb::compile::Compilation) {
    for st in &c.ir.stmts {
        match &st.detail {
            // Folded, unless the table is not in the input (then it must say so).
            Detail::AddConstraint { constraint, single_command: true, .. }
                if constraint.kind == "primary_key" && st.fate != Fate::Merged =>
            {
                assert!(
                    c.diagnostics.iter().any(|d| d.code == "ZN101" && d.location.is_some_and(|l| l.span == st.span)),
                    "{name}: primary key at byte {} neither folded nor explained",
                    st.span.start
                );
            }
            Detail::AddConstraint { constraint, single_command: true, .. } if constraint.kind == "primary_key" => {}
            Detail::AddConstraint { constraint, single_command: true, .. }
                if matches!(constraint.kind.as_str(), "foreign_key" | "check" | "unique") =>
            {
                assert_eq!(
                    st.phase,
                    Phase::PostData,
                    "{name}: {} {:?} must be in post-data",
                    constraint.kind,
                    constraint.name
                );
            }
            Detail::CreateTrigger(t) => {
                assert_eq!(st.phase, Phase::PostData, "{name}: trigger {} in post-data", t.name)
            }
            _ => {}
        }
    }
    // The only triggers in pre-data are those that compute former generated columns (ZN206
    // stored, ZN240 virtual): they must exist before the data loads.
    let generated = c
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code.as_str(), "ZN206" | "ZN240") && d.fix.as_ref().is_some_and(|f| f.applied))
        .count();
    assert_eq!(c.scripts.pre_data.matches("\nCREATE TRIGGER ").count(), generated, "{name}: triggers in pre-data");
}

#[test]
fn schema_files_compile_and_conserve_every_statement() {
    let Some(dir) = corpus_dir() else { return };
    for rel in SCHEMA_FILES {
        let path = dir.join(rel);
        let c = support::compile::compile_file(&path);
        check_conservation(rel, &c);
        check_default_policy(rel, &c);
        let again = support::compile::compile_file(&path);
        assert_eq!(c.scripts, again.scripts, "{rel}: two runs give the same scripts");
        assert_eq!(
            serde_json::to_string(&c.report).unwrap(),
            serde_json::to_string(&again.report).unwrap(),
            "{rel}: two runs give the same report"
        );
    }
}

#[test]
fn every_corpus_file_compiles_without_a_panic() {
    let Some(dir) = corpus_dir() else { return };
    let mut count = 0;
    for path in sql_files(&dir) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let c = pg2znb::compile::compile(
            vec![pg2znb::source::SourceFile::new(name.clone(), text)],
            &pg2znb::rules::RulePack::builtin().unwrap(),
            &Default::default(),
        );
        check_conservation(&name, &c);
        count += 1;
    }
    assert!(count > 100, "expected the whole corpus, compiled {count} files");
}

#[test]
fn pagila_primary_keys_are_inside_create_table() {
    let Some(dir) = corpus_dir() else { return };
    let c = support::compile::compile_file(&dir.join("pagila/pagila-schema-a8bdd3e.sql"));
    let pre = &c.scripts.pre_data;
    for t in
        ["actor", "address", "category", "city", "country", "customer", "film", "inventory", "rental", "staff", "store"]
    {
        let create = pre.find(&format!("CREATE TABLE public.{t} (")).unwrap_or_else(|| panic!("CREATE TABLE {t}"));
        let end = create + pre[create..].find(");").unwrap();
        assert!(
            pre[create..end].contains(&format!("CONSTRAINT {t}_pkey PRIMARY KEY")),
            "{t}_pkey inside CREATE TABLE {t}"
        );
    }
    assert!(!c.scripts.post_data.contains("PRIMARY KEY"));
}

//! Issue 3 acceptance over the whole rule pack: statements reported as unsupported are exactly the
//! ones in unsupported.sql; a newer target version reports strictly fewer findings, and none from
//! rules whose limitation it no longer has.

mod support;

use std::path::Path;

use pg2znb::compile::Compilation;
use pg2znb::ir::Fate;
use pg2znb::rules::{ApplyOptions, RulePack};

fn unsupported_matches_findings(name: &str, c: &Compilation) {
    let pack = RulePack::builtin().unwrap();
    let dropping: Vec<&str> =
        pack.rules.iter().filter(|r| r.action == Some(pg2znb::rules::Action::Drop)).map(|r| r.code.as_str()).collect();
    let text = c.scripts.unsupported.clone().unwrap_or_default();
    for s in &c.ir.stmts {
        let f = &c.files[s.file];
        // A finding inside the statement (or labelled at it) by a rule that drops, a cascade
        // (E102), or an error nothing fixed (error findings never stay in the scripts).
        // (Inside an element of CREATE SCHEMA that moved alone: that element's finding.)
        let inside = |t: &pg2znb::ir::Stmt, file: usize, span: pg2znb::source::Span| {
            file == t.file && t.span.start <= span.start && span.end <= t.span.end
        };
        let within = |file: usize, span: pg2znb::source::Span| {
            inside(s, file, span)
                && !c
                    .ir
                    .stmts
                    .iter()
                    .any(|e| e.element_of == Some(s.id) && e.unsupported.is_some() && inside(e, file, span))
        };
        let reported = c.diagnostics.iter().any(|d| {
            let here = d.location.is_some_and(|l| within(l.file, l.span))
                || d.labels.iter().any(|l| l.location.file == s.file && l.location.span == s.span);
            let applied = d.fix.as_ref().is_some_and(|fx| fx.applied);
            here && (((dropping.contains(&d.code.as_str()) || d.code == "E102")
                && d.fix.as_ref().is_none_or(|fx| fx.applied))
                || (d.severity == pg2znb::diagnostic::Severity::Error && !applied))
        });
        let in_file = s.unsupported.is_some();
        if s.piece == pg2znb::scan::PieceKind::CopyData || s.element_of.is_some() && s.unsupported.is_none() {
            continue; // travels with its COPY, or is part of its CREATE SCHEMA's text
        }
        assert_eq!(
            in_file,
            reported,
            "{name}: statement at line {} ({}) unsupported={in_file} reported={reported}",
            f.line_col(s.span.start).0,
            s.kind
        );
        if in_file {
            assert_eq!(s.fate, Fate::Dropped);
            assert!(text.contains(f.slice(s.span)), "{name}: unsupported.sql holds the statement verbatim");
        }
    }
}

#[test]
fn unsupported_sql_holds_exactly_the_unsupported_statements() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/lifted-limitations.sql");
    unsupported_matches_findings("fixture", &support::compile::compile_file(&fixture));
    let Some(dir) = support::corpus::corpus_dir() else { return };
    for rel in support::corpus::SCHEMA_FILES {
        unsupported_matches_findings(rel, &support::compile::compile_file(&dir.join(rel)));
    }
}

fn findings(path: &Path, target: &str) -> Compilation {
    support::compile::compile_with(path, &ApplyOptions { target: target.into(), ..Default::default() })
}

/// Findings that are about the target (rule codes), not about the input (E…).
fn rule_findings(c: &Compilation) -> usize {
    c.diagnostics.iter().filter(|d| d.code.starts_with("ZN")).count()
}

#[test]
fn newer_targets_report_fewer_findings_and_none_for_lifted_limitations() {
    let pack = RulePack::builtin().unwrap();
    let newest = "2025.1";
    let newest_ix = pack.targets.index(newest).unwrap();
    let lifted: Vec<&str> =
        pack.rules.iter().filter(|r| r.until.is_some_and(|u| u <= newest_ix)).map(|r| r.code.as_str()).collect();
    let mut inputs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/lifted-limitations.sql")];
    if let Some(dir) = support::corpus::corpus_dir() {
        inputs.extend(support::corpus::SCHEMA_FILES.iter().map(|r| dir.join(r)));
    }
    for path in &inputs {
        let old = findings(path, "2.6");
        let new = findings(path, newest);
        for d in &new.diagnostics {
            assert!(
                !lifted.contains(&d.code.as_str()),
                "{}: {} fires on {newest}: {}",
                path.display(),
                d.code,
                d.message
            );
        }
        let fired_lifted = old.diagnostics.iter().any(|d| lifted.contains(&d.code.as_str()));
        if fired_lifted {
            assert!(
                rule_findings(&new) < rule_findings(&old),
                "{}: {newest} should report fewer findings",
                path.display()
            );
        } else {
            assert!(rule_findings(&new) <= rule_findings(&old), "{}", path.display());
        }
    }
    // The fixture exercises lifted limitations, so the comparison is strict there.
    let f = &inputs[0];
    assert!(rule_findings(&findings(f, newest)) < rule_findings(&findings(f, "2.6")));
}

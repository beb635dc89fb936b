//! Issue 4, acceptance 1: the corpus query sets lint without a crash; pg-utils-dba-queries yields
//! system-column and xid-function findings at the right line:col (snapshot); the JOB queries
//! yield nothing at error severity.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use pg2znb::diagnostic::Severity;
use pg2znb::lint::{lint, LintOptions, LintResult};
use pg2znb::rules::RulePack;
use pg2znb::source::SourceFile;
use support::corpus::{corpus_dir, sql_files};

const SETS: &[&str] = &["coder/queries", "job-imdb-queries", "pg-utils-dba-queries", "sqlc-examples"];

fn lint_set(corpus: &Path, set: &str) -> LintResult {
    let dir = corpus.join(set);
    let files: Vec<SourceFile> = sql_files(&dir)
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(corpus).unwrap().to_string_lossy().into_owned();
            SourceFile::new(name, String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned())
        })
        .collect();
    let pack = RulePack::builtin().unwrap();
    lint(files, Vec::new(), &pack, &LintOptions::default())
}

fn counts(r: &LintResult) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for d in &r.diagnostics {
        *m.entry(d.code.clone()).or_insert(0) += 1;
    }
    m
}

#[test]
fn corpus_query_sets_lint_without_a_crash() {
    let Some(corpus) = corpus_dir() else { return };
    for set in SETS {
        let r = lint_set(&corpus, set);
        assert!(r.inputs > 0, "{set}: no files");
        if *set == "coder/queries" {
            assert_eq!(r.inputs, 78, "coder/queries has 78 query files");
        }
        eprintln!("{set}: {} files, {} statements, findings {:?}", r.inputs, r.statements, counts(&r));
    }
}

#[test]
fn pg_utils_dba_queries_system_columns_and_xid_functions() {
    let Some(corpus) = corpus_dir() else { return };
    let r = lint_set(&corpus, "pg-utils-dba-queries");
    let listing: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "ZN803" || d.code == "ZN804")
        .map(|d| {
            let l = d.location.unwrap();
            let (line, col) = r.files[l.file].line_col(l.span.start);
            format!("{}:{line}:{col} {} {}", r.files[l.file].name, d.code, d.message)
        })
        .collect();
    assert!(listing.iter().any(|l| l.contains(" ZN803 ")), "a system column finding: {listing:#?}");
    assert!(listing.iter().any(|l| l.contains(" ZN804 ")), "an xid function finding: {listing:#?}");
    insta::assert_snapshot!(listing.join("\n"));
}

#[test]
fn job_queries_have_no_error_findings() {
    let Some(corpus) = corpus_dir() else { return };
    let r = lint_set(&corpus, "job-imdb-queries");
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {} {:?}", d.code, d.message, d.location))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(r.inputs >= 113);
}

/// `PG2ZNB_LINT_SETS=pg-regress cargo test --test lint_corpus show_findings -- --ignored --nocapture`
#[test]
#[ignore = "prints every finding; run by hand"]
fn show_findings() {
    let Some(corpus) = corpus_dir() else { return };
    let sets = std::env::var("PG2ZNB_LINT_SETS").unwrap_or_else(|_| SETS.join(","));
    for set in sets.split(',') {
        let r = lint_set(&corpus, set);
        for d in &r.diagnostics {
            let l = d.location.unwrap();
            let (line, col) = r.files[l.file].line_col(l.span.start);
            eprintln!("{}:{line}:{col} {} {}", r.files[l.file].name, d.code, d.message);
        }
    }
}

/// Robustness: every `.sql` file of the corpus (schemas, pg-regress's grammar corners) lints
/// without a panic, one file at a time.
#[test]
fn every_corpus_file_lints_without_a_panic() {
    let Some(corpus) = corpus_dir() else { return };
    let pack = RulePack::builtin().unwrap();
    let mut crashed = Vec::new();
    for p in sql_files(&corpus) {
        let name = p.strip_prefix(&corpus).unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let file = SourceFile::new(name.clone(), text);
        let ok = std::panic::catch_unwind(|| lint(vec![file], Vec::new(), &pack, &LintOptions::default()));
        if ok.is_err() {
            crashed.push(name);
        }
    }
    assert!(crashed.is_empty(), "lint panicked on: {crashed:#?}");
}

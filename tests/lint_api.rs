//! The lint library entry point: sqlc and psql syntax, suppression comments, fixes, queries
//! ranked by calls, parse errors.

use pg2znb::diagnostic::{Diagnostic, Severity};
use pg2znb::lint::{lint, LintOptions, LintResult, Query};
use pg2znb::rules::{ApplyOptions, RulePack};
use pg2znb::source::SourceFile;

fn run(files: &[(&str, &str)], queries: Vec<Query>, opts: &LintOptions) -> LintResult {
    let pack = RulePack::builtin().unwrap();
    let files = files.iter().map(|(n, t)| SourceFile::new(*n, *t)).collect();
    lint(files, queries, &pack, opts)
}

fn listing(r: &LintResult) -> Vec<String> {
    r.diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let l = d.location.unwrap();
            let (line, col) = r.files[l.file].line_col(l.span.start);
            format!("{}:{line}:{col} {}", r.files[l.file].name, d.code)
        })
        .collect()
}

#[test]
fn sqlc_queries_parse_and_positions_stay_in_the_original() {
    let sql = "-- name: LockJob :one\nSELECT pg_try_advisory_lock(@job_id), sqlc.arg(name)::text, xmin\nFROM jobs WHERE id = @id;\n";
    let r = run(&[("q.sql", sql)], Vec::new(), &LintOptions::default());
    assert_eq!(listing(&r), ["q.sql:2:8 ZN801", "q.sql:2:61 ZN803"]);
    assert_eq!(&*r.files[0].text, sql, "the original text is kept for rendering");
}

#[test]
fn suppressions_before_a_statement_inside_a_body_and_file_wide() {
    let sql = "\
-- pg2znb: ignore ZN801 -- the lock is only advisory here
SELECT pg_advisory_lock(1), xmin FROM t;
SELECT pg_advisory_lock(2);
CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- pg2znb: ignore system-column
    PERFORM xmin FROM t;
    PERFORM ctid FROM t;
END $$;
-- pg2znb: ignore ZN999, ZN804
SELECT 1;
";
    let r = run(&[("s.sql", sql)], Vec::new(), &LintOptions::default());
    assert_eq!(
        listing(&r),
        ["s.sql:2:29 ZN803", "s.sql:3:8 ZN801", "s.sql:8:13 ZN803", "s.sql:10:19 E201", "s.sql:10:26 E202"],
        "{:#?}",
        r.diagnostics
    );
    let e201 = r.diagnostics.iter().find(|d| d.code == "E201").unwrap();
    assert_eq!(e201.severity, Severity::Warning);
    assert!(e201.message.contains("ZN999"));

    let wide = "SELECT xmin FROM t;\n-- pg2znb: ignore-file ZN803\nSELECT ctid FROM t;\n";
    let r = run(&[("w.sql", wide)], Vec::new(), &LintOptions::default());
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
}

#[test]
fn fixes_apply_only_with_fix_and_unsafe_ones_only_with_unsafe_fixes() {
    let schema = "CREATE TABLE public.docs (id int PRIMARY KEY, body jsonb, extra jsonb);\n";
    let queries = "SELECT body['a'] FROM public.docs;\nSELECT x.attrs['k'] FROM other.t x;\n";
    let files = [("schema.sql", schema), ("q.sql", queries)];

    let r = run(&files, Vec::new(), &LintOptions::default());
    assert!(r.fixed.is_none());
    let fix = r.diagnostics.iter().find(|d| d.code == "ZN829").unwrap().fix.clone().unwrap();
    assert!(fix.safe && !fix.applied);

    let opts = LintOptions { fix: true, ..Default::default() };
    let r = run(&files, Vec::new(), &opts);
    assert_eq!(
        r.fixed.as_deref(),
        Some(&[(1, "SELECT (body -> 'a') FROM public.docs;\nSELECT x.attrs['k'] FROM other.t x;\n".to_string())][..])
    );
    let unsafe_fix = r.diagnostics.iter().find(|d| d.code == "ZN830").unwrap().fix.clone().unwrap();
    assert!(!unsafe_fix.safe && !unsafe_fix.applied);

    let opts = LintOptions { fix: true, apply: ApplyOptions { unsafe_fixes: true, ..Default::default() } };
    let r = run(&files, Vec::new(), &opts);
    assert_eq!(
        r.fixed.clone().unwrap()[0].1,
        "SELECT (body -> 'a') FROM public.docs;\nSELECT (x.attrs -> 'k') FROM other.t x;\n"
    );
    // Each change: where, for which finding, the text before and after.
    let changes: Vec<(usize, usize, String, &str, &str)> =
        r.applied.iter().map(|a| (a.file, a.line, a.codes.join(","), a.before.as_str(), a.after.as_str())).collect();
    assert_eq!(
        changes,
        [
            (1, 1, "ZN829".to_string(), "body['a']", "(body -> 'a')"),
            (1, 2, "ZN830".to_string(), "x.attrs['k']", "(x.attrs -> 'k')")
        ]
    );
    // Fixed findings no longer count.
    assert_eq!(r.remaining().count(), 0);
    assert!(!r.has_errors());
}

#[test]
fn merge_with_sqlc_parameters_is_not_rewritten() {
    let sql = "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, @v);\n";
    let opts = LintOptions { fix: true, apply: ApplyOptions { unsafe_fixes: true, ..Default::default() } };
    let r = run(&[("m.sql", sql)], Vec::new(), &opts);
    assert_eq!(r.fixed.as_deref(), Some(&[][..]));
    let d = r.diagnostics.iter().find(|d| d.code == "ZN820").unwrap();
    assert!(!d.fix.as_ref().unwrap().applied);
    assert!(d.help.as_deref().unwrap().contains("sqlc or psql parameters"), "{:?}", d.help);
}

#[test]
fn queries_are_ranked_by_calls() {
    let q = |text: &str, calls: Option<u64>, origin: &str| Query { text: text.into(), calls, origin: origin.into() };
    let queries = vec![
        q("SELECT xmin FROM t WHERE id = $1", Some(10), "pgss:1"),
        q("SELECT 1", Some(1_000_000), "pgss:2"),
        q("SELECT txid_current()", Some(5000), "pgss:3"),
        q("LISTEN jobs", None, "pgss:4"),
    ];
    let r = run(&[], queries, &LintOptions::default());
    assert_eq!(r.inputs, 0);
    let ranked: Vec<(&str, Option<u64>, Vec<String>)> =
        r.queries.iter().map(|q| (q.origin.as_str(), q.calls, q.codes.clone())).collect();
    assert_eq!(
        ranked,
        [
            ("pgss:3", Some(5000), vec!["ZN804".to_string()]),
            ("pgss:1", Some(10), vec!["ZN803".to_string()]),
            ("pgss:4", None, vec!["ZN807".to_string()]),
        ]
    );
    assert_eq!(r.files[r.queries[0].file].name, "pgss:3");
}

#[test]
fn parse_errors_are_e002_with_their_position() {
    let r = run(&[("bad.sql", "SELECT 1;\nSELECT * FROM WHERE;\n")], Vec::new(), &LintOptions::default());
    assert_eq!(listing(&r), ["bad.sql:2:15 E002"]);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn only_application_rules_run() {
    // pg_dump's separate primary key is a compile rewrite (ZN101), not a lint finding.
    let sql = "CREATE TABLE t (id int);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n";
    let r = run(&[("schema.sql", sql)], Vec::new(), &LintOptions::default());
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.statements, 2);
}

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
fn schema_rules_report_in_files_with_ddl_and_rewrite_nothing() {
    // An xml column is an error wherever it is declared; compile's rewrites (the folded primary
    // key, UNLOGGED removed) are reported, not made, and load order (post-data) is not lint's.
    let sql = "CREATE TABLE t (id int, doc xml);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\
               CREATE UNLOGGED TABLE u (id int PRIMARY KEY);\nALTER TABLE u ADD CONSTRAINT u_fk FOREIGN KEY (id) REFERENCES t (id);\n";
    let opts = LintOptions { fix: true, ..LintOptions::default() };
    let r = run(&[("schema.sql", sql)], Vec::new(), &opts);
    assert_eq!(
        listing(&r),
        ["schema.sql:1:25 ZN401", "schema.sql:2:1 ZN101", "schema.sql:3:1 ZN201"],
        "{:#?}",
        r.diagnostics
    );
    assert!(r.diagnostics.iter().all(|d| d.fix.is_none()), "{:#?}", r.diagnostics);
    let folded = r.diagnostics.iter().find(|d| d.code == "ZN101").unwrap();
    let help = folded.help.as_deref().unwrap();
    assert!(help.ends_with("`pg2znb compile` makes this change in its scripts; lint only reports it."), "{help}");
    assert_eq!(r.fixed, Some(Vec::new()));
    assert_eq!(r.exit_code(), 1);
    assert_eq!(r.statements, 4);
}

#[test]
fn gen_random_uuid_needs_pgcrypto_before_2_25_unless_the_input_creates_it() {
    let sql = "SELECT gen_random_uuid();\nINSERT INTO t (id) VALUES (pg_catalog.gen_random_uuid());\n";
    let r = run(&[("q.sql", sql)], Vec::new(), &LintOptions::default());
    assert_eq!(listing(&r), ["q.sql:1:8 ZN613", "q.sql:2:28 ZN613"]);
    let d = &r.diagnostics[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "gen_random_uuid() is not built into PostgreSQL 11.2, the SQL layer of ZNbaseDB 2.6: the database needs the pgcrypto extension, which provides it"
    );
    assert!(d.help.as_deref().unwrap().contains("CREATE EXTENSION IF NOT EXISTS pgcrypto;"), "{d:?}");
    assert!(d.fix.is_none());

    let created = format!("CREATE EXTENSION IF NOT EXISTS pgcrypto;\n{sql}");
    assert!(run(&[("q.sql", &created)], Vec::new(), &LintOptions::default()).diagnostics.is_empty());
    let newer = LintOptions {
        apply: ApplyOptions { target: "2.25".into(), ..ApplyOptions::default() },
        ..LintOptions::default()
    };
    assert!(run(&[("q.sql", sql)], Vec::new(), &newer).diagnostics.is_empty());
}

#[test]
fn skip_locked_is_flagged_under_serializable_only() {
    let sql = "\
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT id FROM jobs LIMIT 1 FOR UPDATE SKIP LOCKED;
COMMIT;
SELECT id FROM jobs LIMIT 1 FOR UPDATE SKIP LOCKED;
SELECT id FROM jobs LIMIT 1 FOR UPDATE NOWAIT;
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT id FROM jobs LIMIT 1 FOR SHARE SKIP LOCKED;
";
    let r = run(&[("q.sql", sql)], Vec::new(), &LintOptions::default());
    // ZN814 is SERIALIZABLE's own warning; ZN815 (no waiting) is not about SKIP LOCKED or NOWAIT.
    assert_eq!(
        listing(&r),
        ["q.sql:1:1 ZN814", "q.sql:2:29 ZN834", "q.sql:6:1 ZN814", "q.sql:7:29 ZN834"],
        "{:#?}",
        r.diagnostics
    );
    let d = r.diagnostics.iter().find(|d| d.code == "ZN834").unwrap();
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.starts_with("FOR UPDATE SKIP LOCKED in a SERIALIZABLE transaction"), "{}", d.message);
}

#[test]
fn scan_and_parse_errors_and_blank_files_speak_of_lint() {
    let r = run(
        &[("bad.sql", "SELECT 1;\nSELECT * FROM WHERE;\nSELECT 'open;\n"), ("empty.sql", "-- nothing\n")],
        Vec::new(),
        &LintOptions::default(),
    );
    let texts: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{} {} {:?}", d.message, d.help.as_deref().unwrap_or(""), d.labels))
        .collect();
    for t in &texts {
        for compile_word in ["compile", "pre-data", "unsupported.sql", "pg_dump", "-f "] {
            assert!(!t.contains(compile_word), "`{compile_word}` in a lint finding: {t}");
        }
    }
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code.as_str()).collect();
    // The unterminated quote is a scan error, and its statement does not parse either.
    assert_eq!(codes, ["E002", "E001", "E002", "E003"], "{texts:#?}");
}

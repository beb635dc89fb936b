//! Reading pg_stat_statements exports (`fixtures/pgss/`, made by real PostgreSQL; see its README).

use std::path::{Path, PathBuf};

use pg2znb::pgss::{self, PgssError, PgssFormat};
use pg2znb::render::format::Queries;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pgss").join(name)
}

const MULTILINE: &str = "SELECT a.name AS \"Customer, \"\"full\"\" name\",\n       count(o.id) AS n\n  FROM accounts a\n  LEFT JOIN orders o ON o.account_id = a.id\n WHERE a.created_at > now() - interval $1\n   AND a.name <> $2\n GROUP BY a.name\n ORDER BY n DESC";

#[test]
fn csv_export_with_a_multiline_quoted_query() {
    let path = fixture("export.csv");
    let qs = pgss::read(&path).unwrap();
    let name = path.display().to_string();
    let got: Vec<(&str, Option<u64>)> = qs.iter().map(|q| (q.query.as_str(), q.calls)).collect();
    assert_eq!(
        got,
        [
            ("SELECT id, email FROM accounts WHERE email = $1", Some(3)),
            ("UPDATE orders SET note = $1 WHERE id = $2", Some(2)),
            ("INSERT INTO accounts (email, name) VALUES ($1, $2), ($3, $4)", Some(1)),
            (MULTILINE, Some(1)),
        ]
    );
    // Origins name the line of the export, as an editor shows it (the header is line 1).
    assert_eq!(qs[0].origin, format!("{name}:line 2"));
    assert_eq!(qs[3].origin, format!("{name}:line 5"));
    // Lines of the export where each query starts: the header is line 1.
    assert_eq!(qs.iter().map(|q| q.line).collect::<Vec<_>>(), [2, 3, 4, 5]);
    assert!(qs.iter().all(|q| q.format == PgssFormat::Csv && q.queryid.is_none()));
}

#[test]
fn csv_export_with_queryid_first() {
    let qs = pgss::read(&fixture("export-queryid.csv")).unwrap();
    assert_eq!(qs.len(), 4);
    assert_eq!(qs[0].queryid.as_deref(), Some("1283319973470385896"));
    assert_eq!(qs[3].queryid.as_deref(), Some("-1248802713146018902"));
    assert_eq!(qs[3].query, MULTILINE);
    assert_eq!((qs[3].calls, qs[3].line), (Some(1), 5));
}

#[test]
fn json_lines_export_raw_and_through_copy_text() {
    for file in ["export.jsonl", "export-copy.jsonl"] {
        let path = fixture(file);
        let qs = pgss::read(&path).unwrap();
        let got: Vec<(&str, Option<u64>)> = qs.iter().map(|q| (q.query.as_str(), q.calls)).collect();
        assert_eq!(got.len(), 4, "{file}");
        assert_eq!(got[0], ("SELECT id, email FROM accounts WHERE email = $1", Some(3)), "{file}");
        assert_eq!(got[3], (MULTILINE, Some(1)), "{file}: COPY text escapes undone");
        assert_eq!(qs[3].origin, format!("{}:line 4", path.display()));
        assert_eq!(qs[3].line, 4);
        assert_eq!(qs[0].queryid.as_deref(), Some("1283319973470385896"));
        assert!(qs.iter().all(|q| q.format == PgssFormat::JsonLines));
    }
}

#[test]
fn shape_is_detected_by_extension_then_content() {
    assert_eq!(pgss::detect("x.csv", "{"), PgssFormat::Csv);
    assert_eq!(pgss::detect("x.ndjson", "query"), PgssFormat::JsonLines);
    assert_eq!(pgss::detect("x.txt", "  {\"query\": \"select 1\"}"), PgssFormat::JsonLines);
    assert_eq!(pgss::detect("-", "query,calls\n"), PgssFormat::Csv);
    let qs = pgss::parse("stdin", "{\"query\": \"select $1\", \"calls\": \"12\"}\n\n{\"query\": \"select 2\"}\n", None)
        .unwrap();
    assert_eq!((qs[0].calls, qs[1].calls, qs[1].line), (Some(12), None, 3));
}

fn error(name: &str, text: &str) -> String {
    match pgss::parse(name, text, None) {
        Err(e @ PgssError::Invalid { .. }) => e.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn errors_name_the_file_and_line() {
    let e = error("x.csv", "queryid,calls\n1,2\n");
    assert!(e.starts_with("x.csv:1: no `query` column in the header (found: queryid, calls)"), "{e}");
    let e = error("x.csv", "query,calls\n\"select 1\",3\n\"select\n2\",4,5\n");
    assert!(e.starts_with("x.csv:3: bad CSV: a row has 3 fields where the header has 2"), "{e}");
    let e = error("x.csv", "query,calls\nselect 1,many\n");
    assert_eq!(e, "x.csv:2: `calls` is `many`, not a count");
    let e = error("x.jsonl", "{\"query\": \"select 1\"}\n{\"query\": \"select 2\",}\n");
    assert!(e.starts_with("x.jsonl:2:"), "{e}");
    assert!(e.contains("bad JSON line"), "{e}");
    let e = error("x.jsonl", "{\"calls\": 3}\n");
    assert_eq!(e, "x.jsonl:1: the object has no `query` field");
    let e = error("x.json", "[{\"query\": \"select 1\"}]");
    assert!(e.starts_with("x.json:1: a JSON array"), "{e}");
    let e = pgss::read(&fixture("missing.csv")).unwrap_err().to_string();
    assert!(e.ends_with("missing.csv: no such file or directory"), "{e}");
}

#[test]
fn queries_become_sources_with_origins_and_hidden_rows_are_counted() {
    let mut qs = pgss::read(&fixture("export.csv")).unwrap();
    qs.push(pgss::parse("y.csv", "query,calls\n<insufficient privilege>,9\n", None).unwrap().remove(0));
    assert!(qs[4].is_hidden());
    let mut files = vec![pg2znb::source::SourceFile::new("schema.sql", "SELECT 1;")];
    let mut queries = Queries::new();
    let hidden = pgss::append_sources(&qs, &mut files, &mut queries);
    assert_eq!(hidden, 1);
    assert_eq!(files.len(), 5);
    assert_eq!(files[4].name, qs[3].origin);
    assert_eq!(&*files[4].text, MULTILINE);
    let o = &queries[&4];
    assert_eq!((o.calls, o.line, o.multiline), (Some(1), 5, true));
    assert_eq!(o.export_lines(2, 3), (6, 7));
    assert!(!queries.contains_key(&0));
}

fn lint(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).current_dir(cwd).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (o.status.code().unwrap_or(-1), text(&o.stdout), text(&o.stderr))
}

#[test]
fn the_cli_says_a_missing_export_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = lint(&["lint", "--pgss", "nope.csv"], dir.path());
    assert_eq!(code, 2);
    assert_eq!(err, "pg2znb: error: nope.csv: no such file or directory\n");
}

#[test]
fn human_output_names_export_lines_and_call_counts_most_called_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "query,calls\n\"SELECT xmin\n  FROM t\",3\n\"SELECT pg_advisory_lock($1)\",1200\n",
    )
    .unwrap();
    let (code, out, err) = lint(&["lint", "--pgss", "p.csv"], dir.path());
    assert_eq!(code, 1, "{err}");
    // The advisory lock query starts on line 4 of the file (the first query spans lines 2-3).
    let lock = out.find("(1200 calls)").unwrap_or_else(|| panic!("{out}"));
    let xmin = out.find("(3 calls)").unwrap_or_else(|| panic!("{out}"));
    assert!(lock < xmin, "most called first: {out}");
    assert!(out.contains("╭─[p.csv:line 4:1:8]"), "{out}");
    assert!(out.contains("╭─[p.csv:line 2:1:8]"), "{out}");
    assert!(!out.contains(":row "), "{out}");
}

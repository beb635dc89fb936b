//! `pg2znb bench` (issue 6): one run measures the floor, compile and lint on the same inputs and
//! reports them as a table and as JSON. Figures are not asserted (timings are not tests); the
//! shape of the report and the consistency of its numbers are.

use std::process::Command;

fn pg2znb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).output().expect("run pg2znb")
}

#[test]
fn bench_reports_floor_compile_and_lint_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("bench.json");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pagila/pagila-schema-a8bdd3e.sql");
    let o = pg2znb(&[
        "bench",
        fixture,
        "--synth",
        "20,40",
        "--queries",
        "200",
        "--repeat",
        "1",
        "--format",
        "json",
        "-o",
        json_path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report,
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&json_path).unwrap()).unwrap()
    );
    let schemas = report["schemas"].as_array().unwrap();
    assert_eq!(schemas.len(), 3);
    assert_eq!(schemas[1]["name"], "synthetic 20 tables");
    for s in schemas {
        assert!(s["statements"].as_u64().unwrap() > 100, "{s}");
        let (floor, compile) = (s["floor"]["wall_ms"].as_f64().unwrap(), s["compile"]["wall_ms"].as_f64().unwrap());
        assert!(floor > 0.0 && compile > 0.0);
        assert!((s["ratio"].as_f64().unwrap() - compile / floor).abs() < 1e-6);
        assert!(s["compile"]["peak_rss"].as_u64().unwrap() > 0);
        assert!(s["compile"]["stages_ms"]["rules"].as_f64().is_some());
    }
    let lint = report["lint"].as_array().unwrap();
    assert_eq!(lint[0]["statements"], 200);
    assert_eq!(report["scaling"][0]["size"], 2.0);
    let targets: Vec<&str> =
        report["targets"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(targets.iter().any(|t| t.starts_with("compile/floor on synthetic 40 tables")), "{targets:?}");
    assert!(targets.iter().any(|t| t.starts_with("peak memory / input")), "{targets:?}");
}

#[test]
fn bench_prints_tables_for_humans() {
    let o = pg2znb(&["bench", "--synth", "10", "--queries", "50", "--repeat", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for header in ["floor ms", "compile ms", "ratio", "MB/s", "stmts/s", "compile stages (ms)", "lint", "targets"] {
        assert!(out.contains(header), "{header} missing:\n{out}");
    }
}

#[test]
fn bench_without_inputs_or_with_a_missing_file_is_a_usage_error() {
    let o = pg2znb(&["bench", "--queries", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to measure"));
    let o = pg2znb(&["bench", "/no/such/file.sql"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
}

#[test]
fn synth_writes_the_same_bytes_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.sql"), dir.path().join("b.sql"));
    for p in [&a, &b] {
        let o = pg2znb(&["synth", "--tables", "15", "--seed", "7", "-o", p.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    assert!(text.contains("CREATE TABLE"));
    let q = dir.path().join("q.sql");
    assert!(pg2znb(&["synth", "--queries", "30", "-o", q.to_str().unwrap()]).status.success());
    assert_eq!(std::fs::read_to_string(&q).unwrap().matches(";\n").count(), 30);
}

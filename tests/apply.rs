//! `pg2znb apply`: compiled scripts applied statement by statement on real PostgreSQL 15 and 11
//! servers, with their records in the target's `pg2znb` schema: a full round trip checked by
//! `verify --rows checksum`, resuming after SIGKILL, failing statements with and without
//! `--continue-on-error`, a transient error retried on a new connection, passwords never shown.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use pg2znb::verify::RowMode;
use support::cli::{bin, scalar, text};
use support::pg::{Engine, PgServer};
use support::roundtrip;

fn apply(script: &Path, target: &str, extra: &[&str]) -> Output {
    bin().arg("apply").arg(script).args(["--target", target]).args(extra).output().expect("run pg2znb apply")
}

fn spawn_apply(script: &Path, target: &str) -> Child {
    bin()
        .arg("apply")
        .arg(script)
        .args(["--target", target])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pg2znb apply")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

fn full_dump() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/full-dump.sql")
}

/// Compile the fixture for `engine`, apply the three scripts to a new database there, verify with
/// row checksums against the source (loaded with psql on PostgreSQL 15); a second run skips all.
fn round_trip(engine: Engine, version: &str) {
    let Some(src) = PgServer::shared() else { return };
    let Some(tgt) = PgServer::shared_engine(engine) else { return };
    let (src_db, tgt_db) = (format!("apply_src_{version}"), format!("apply_tgt_{version}").replace('.', "_"));
    let src_db = src_db.replace('.', "_");
    src.create_db(&src_db);
    src.psql_file(&src_db, &full_dump()).unwrap();
    let c = roundtrip::compile(&full_dump(), &["--target-version", version]);
    tgt.create_db(&tgt_db);
    let url = tgt.url(&tgt_db);
    let mut total = 0;
    let mut per_script = Vec::new();
    for script in ["pre-data.sql", "data.sql", "post-data.sql"] {
        let path = c.path(script);
        if !path.exists() {
            continue;
        }
        let o = apply(&path, &url, &["--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{script} on {engine:?}: {}", text(&o));
        let r = json(&o);
        assert_eq!(r["failed"], 0);
        assert_eq!(r["skipped"], 0);
        total += r["applied"].as_u64().unwrap();
        per_script.push((script, r["applied"].as_u64().unwrap()));
        assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("{script}: applied ")), "{}", text(&o));
    }
    assert!(total >= 6, "{total}");
    let report = roundtrip::compare(src, &src_db, tgt, &tgt_db, &c, RowMode::Checksum);
    assert_eq!(report.exit_code(), 0, "{engine:?}: {}", report.render_human());
    assert!(report.matched.get("row_checksum").copied().unwrap_or(0) >= 1);
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.tags"), "3");

    // Again: everything is skipped, nothing runs twice.
    for (script, applied) in per_script {
        let o = apply(&c.path(script), &url, &["--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let r = json(&o);
        let got = (r["applied"].as_u64(), r["skipped"].as_u64(), r["failed"].as_u64());
        assert_eq!(got, (Some(0), Some(applied), Some(0)), "{script}: {}", text(&o));
    }
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.tags"), "3");
    let n: u64 = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.applied").parse().unwrap();
    assert_eq!(n, total);
}

#[test]
fn full_dump_round_trip_pg15() {
    round_trip(Engine::Pg15, "2025.1");
}

#[test]
fn full_dump_round_trip_pg11() {
    round_trip(Engine::Pg11, "2.20");
}

/// 1000 tables, each created then filled (INSERT or COPY): 2000 recorded statements.
fn many_statements(tables: usize) -> String {
    let mut s =
        String::from("SET client_min_messages = warning;\nSELECT pg_catalog.set_config('search_path', '', false);\n");
    for i in 0..tables {
        let rows = i % 7 + 1;
        s.push_str(&format!("CREATE TABLE public.k{i} (id int PRIMARY KEY, v text);\n"));
        if i % 5 == 0 {
            s.push_str(&format!("COPY public.k{i} (id, v) FROM stdin;\n"));
            for r in 1..=rows {
                s.push_str(&format!("{r}\trow {r}\n"));
            }
            s.push_str("\\.\n");
        } else {
            s.push_str(&format!(
                "INSERT INTO public.k{i} SELECT g, 'row ' || g FROM pg_catalog.generate_series(1, {rows}) g;\n"
            ));
        }
    }
    s
}

#[test]
fn killed_run_resumes_exactly_once() {
    let Some(s) = PgServer::shared() else { return };
    let tables = 1000;
    let dir = tempfile::tempdir().unwrap();
    let script = write(dir.path(), "many.sql", &many_statements(tables));
    s.create_db("apply_kill");
    let url = s.url("apply_kill");
    let mut child = spawn_apply(&script, &url);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut before_kill = 0;
    let mut watcher = s.client("apply_kill");
    while Instant::now() < deadline {
        // An error until apply has created the table.
        let n: i64 = watcher.query_one("SELECT count(*) FROM pg2znb.applied", &[]).map(|r| r.get(0)).unwrap_or(0);
        if n >= 100 {
            before_kill = n;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none(), "apply finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(before_kill >= 100, "{before_kill}");
    let recorded: u64 = scalar(s, "apply_kill", "SELECT count(*) FROM pg2znb.applied").parse().unwrap();
    assert!(recorded < 2 * tables as u64, "the kill came too late: {recorded}");

    let o = apply(&script, &url, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["skipped"].as_u64(), Some(recorded), "{}", text(&o));
    assert_eq!(r["applied"].as_u64(), Some(2 * tables as u64 - recorded));
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!("skipped {recorded}")), "{}", text(&o));

    // Every table once, every row once.
    let n = scalar(
        s,
        "apply_kill",
        "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename ~ '^k[0-9]+$'",
    );
    assert_eq!(n, tables.to_string());
    let mut counts = String::from("SELECT ");
    for i in 0..tables {
        if i > 0 {
            counts.push_str(" + ");
        }
        counts.push_str(&format!("(SELECT CASE WHEN count(*) = {} THEN 0 ELSE 1 END FROM public.k{i})", i % 7 + 1));
    }
    assert_eq!(scalar(s, "apply_kill", &counts), "0", "a table has missing or duplicated rows");
    assert_eq!(scalar(s, "apply_kill", "SELECT count(*) FROM pg2znb.applied"), (2 * tables).to_string());
}

const FAILING: &str = "CREATE TABLE public.a (id int PRIMARY KEY);\nINSERT INTO public.a VALUES (1);\n\
INSERT INTO public.a\n  VALUES (1);\nCREATE TABLE public.b (id int);\n";

#[test]
fn failing_statement_stops_or_is_recorded() {
    let Some(s) = PgServer::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = write(dir.path(), "fail.sql", FAILING);

    s.create_db("apply_fail");
    let url = s.url("apply_fail");
    let o = apply(&script, &url, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for part in ["fail.sql:3:", "INSERT INTO public.a", "duplicate key", "SQLSTATE 23505", "run the same command again"]
    {
        assert!(err.contains(part), "{part} missing in: {err}");
    }
    let r = json(&o);
    assert_eq!((r["applied"].as_u64(), r["failed"].as_u64(), r["retries"].as_u64()), (Some(2), Some(1), Some(0)));
    assert_eq!(r["stopped"]["sqlstate"], "23505");
    assert_eq!(scalar(s, "apply_fail", "SELECT pg_catalog.to_regclass('public.b') IS NULL"), "t");
    assert_eq!(
        s.query("apply_fail", "SELECT statement, line, sqlstate FROM pg2znb.failed"),
        [[Some("3".into()), Some("3".into()), Some("23505".into())]]
    );
    // A re-run resumes at the failing statement (and fails there again).
    let o = apply(&script, &url, &["--format", "json"]);
    let r = json(&o);
    assert_eq!((r["skipped"].as_u64(), r["applied"].as_u64(), r["failed"].as_u64()), (Some(2), Some(0), Some(1)));

    s.create_db("apply_fail_go_on");
    let url = s.url("apply_fail_go_on");
    let o = apply(&script, &url, &["--format", "json", "--continue-on-error"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    assert_eq!((r["applied"].as_u64(), r["failed"].as_u64()), (Some(3), Some(1)), "{}", text(&o));
    assert!(r["stopped"].is_null());
    assert_eq!(scalar(s, "apply_fail_go_on", "SELECT pg_catalog.to_regclass('public.b') IS NOT NULL"), "t");
    assert_eq!(scalar(s, "apply_fail_go_on", "SELECT count(*) FROM pg2znb.failed WHERE statement = 3"), "1");
    assert!(String::from_utf8_lossy(&o.stderr).contains("applied 3, skipped 0, failed 1"), "{}", text(&o));
}

#[test]
fn transient_error_is_retried_on_a_new_connection() {
    let Some(s) = PgServer::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        dir.path(),
        "sleepy.sql",
        "CREATE SCHEMA s;\nSET search_path = s;\nCREATE TABLE t (id int);\nSELECT pg_sleep(3);\n\
         INSERT INTO t VALUES (1);\n",
    );
    s.create_db("apply_retry");
    let url = s.url("apply_retry");
    let child = spawn_apply(&script, &url);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut killed = false;
    while Instant::now() < deadline && !killed {
        let rows = s.query(
            "postgres",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'apply_retry' \
             AND application_name = 'pg2znb apply' AND query LIKE 'SELECT pg_sleep%'",
        );
        killed = rows.iter().any(|r| r[0].as_deref() == Some("t"));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(killed, "never saw the apply session sleeping");
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("sleepy.sql:4: transient error, retrying"), "{err}");
    assert!(err.contains("terminating connection") || err.contains("connection closed"), "{err}");
    assert!(err.contains("applied 4, skipped 0, failed 0 (1 session setting, 1 retry)"), "{err}");
    // The unqualified INSERT after the reconnection found s.t: the search_path was replayed.
    assert_eq!(scalar(s, "apply_retry", "SELECT count(*) FROM s.t"), "1");
    assert_eq!(scalar(s, "apply_retry", "SELECT count(*) FROM pg2znb.applied"), "4");
}

#[test]
fn passwords_never_appear() {
    let Some(s) = PgServer::shared() else { return };
    let password = "Sup3r-Secret-pw";
    s.create_password_role(password);
    s.exec("postgres", &format!("CREATE DATABASE apply_pw OWNER {}", support::pg::PASSWORD_ROLE));
    let dir = tempfile::tempdir().unwrap();
    let script = write(dir.path(), "pw.sql", "CREATE TABLE public.p (id int);\nSELECT 1/0;\n");

    let o = apply(&script, &s.password_url("apply_pw", password), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("22012"), "{}", text(&o));
    assert!(!text(&o).contains(password), "{}", text(&o));

    let wrong = "Wr0ng-pw-shown?";
    let o = apply(&script, &s.password_url("apply_pw", wrong), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("password authentication failed"), "{}", text(&o));
    assert!(!text(&o).contains(wrong), "{}", text(&o));

    // PGPASSWORD too.
    let o = bin()
        .arg("apply")
        .arg(&script)
        .args(["--target", &format!("postgresql://{}@127.0.0.1:{}/apply_pw", support::pg::PASSWORD_ROLE, s.port())])
        .env("PGPASSWORD", password)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!text(&o).contains(password));
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipped 1"), "{}", text(&o));
}

#[test]
fn meta_commands_are_refused_and_changed_scripts_noticed() {
    let Some(s) = PgServer::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    s.create_db("apply_meta");
    let url = s.url("apply_meta");
    let script = write(dir.path(), "meta.sql", "\\restrict abc\nCREATE TABLE public.m (id int);\n\\connect other\n");
    let o = apply(&script, &url, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("meta.sql:3: psql meta-command `\\connect other`"), "{}", text(&o));
    assert_eq!(scalar(s, "apply_meta", "SELECT pg_catalog.to_regclass('public.m') IS NULL"), "t");

    let script = write(dir.path(), "meta.sql", "\\restrict abc\nCREATE TABLE public.m (id int);\n\\unrestrict abc\n");
    let o = apply(&script, &url, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let script = write(dir.path(), "meta.sql", "CREATE TABLE public.m2 (id int);\n");
    let o = apply(&script, &url, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("another meta.sql"), "{}", text(&o));
}

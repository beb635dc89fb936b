//! `pg2znb migrate`: whole migrations between real servers (PostgreSQL 15 source, PostgreSQL 15
//! and 11 targets): exit 0 with row checksums equal, a re-run that does nothing, a SIGKILL during
//! the copy or pre-data resumed without duplicate rows or statements, a Ctrl-C that stops cleanly
//! and resumes, awkward values round-tripping, passwords never shown, `migrate status`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::awkward::AWKWARD;
use support::cli::{bin, migrate, migrate_cmd, scalar, text};
use support::pg::{Engine, PgServer};

fn status(workdir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(workdir.join("status.json")).unwrap()).unwrap()
}

fn states(workdir: &Path) -> Vec<(String, String)> {
    status(workdir)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["state"].as_str().unwrap().to_string()))
        .collect()
}

fn full_dump() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/full-dump.sql")
}

/// A fresh source database on PostgreSQL 15 loaded from `file`, and a fresh target database.
fn databases(tgt: &PgServer, name: &str, file: Option<&Path>) -> (&'static PgServer, String, String) {
    let src = PgServer::shared_engine(Engine::Pg15).expect("PostgreSQL 15");
    let (src_db, tgt_db) = (format!("{name}_src"), format!("{name}_tgt"));
    src.create_db(&src_db);
    if let Some(f) = file {
        src.psql_file(&src_db, f).unwrap();
    }
    tgt.create_db(&tgt_db);
    (src, src_db, tgt_db)
}

/// Migrate `file`, check exit 0 and checksums, then run again: nothing happens, exit 0.
fn round_trip(engine: Engine, version: &str, name: &str, file: &Path) {
    let Some(tgt) = PgServer::shared_engine(engine) else { return };
    if PgServer::shared_engine(Engine::Pg15).is_none() {
        return;
    }
    let (src, src_db, tgt_db) = databases(tgt, name, Some(file));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let o = migrate(&s_url, &t_url, &work, &["--target-version", version, "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{engine:?}: {}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 unexpected"), "{err}");
    assert!(work.join("schema.sql").is_file() && work.join("compiled/pre-data.sql").is_file());
    for (step, state) in states(&work) {
        assert_eq!(state, "done", "{step}: {}", text(&o));
    }
    let copied = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied");
    assert!(copied.parse::<u32>().unwrap() >= 1, "{copied}");
    let applied = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.applied");

    // Checked independently of migrate's own verify too.
    let o = bin()
        .args(["verify", "--source", &s_url, "--target", &t_url, "--rows", "checksum", "--manifest"])
        .arg(work.join("compiled/manifest.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The manifest records the source it was compiled from, and verify recognises it.
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"), "{}", text(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("compiled/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["source"]["database"], src_db.as_str(), "{}", manifest["source"]);

    // A finished migrate run again does nothing.
    let o = migrate(&s_url, &t_url, &work, &["--target-version", version]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("copy: done in an earlier run, skipped"), "{}", text(&o));
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied"), copied);
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.applied"), applied);

    let o = bin().args(["migrate", "status", "-w"]).arg(&work).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for step in ["prepare", "snapshot", "schema", "pre-data", "copy", "sequences", "finalize", "verify"] {
        assert!(out.lines().any(|l| l.starts_with(step)), "{step}: {out}");
    }
}

#[test]
fn full_dump_pg15_to_pg15() {
    round_trip(Engine::Pg15, "2025.1", "mig_full15", &full_dump());
}

#[test]
fn full_dump_pg15_to_pg11() {
    round_trip(Engine::Pg11, "2.6", "mig_full11", &full_dump());
}

#[test]
fn pagila_pg15_to_pg11() {
    let Some(dir) = support::corpus::corpus_dir() else { return };
    round_trip(Engine::Pg11, "2.6", "mig_pagila11", &dir.join("pgdump15-generated/pagila-full-pgdump15.sql"));
}

fn awkward(engine: Engine, version: &str, name: &str) {
    let Some(tgt) = PgServer::shared_engine(engine) else { return };
    if PgServer::shared_engine(Engine::Pg15).is_none() {
        return;
    }
    let (src, src_db, tgt_db) = databases(tgt, name, None);
    src.exec(&src_db, AWKWARD);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let o = migrate(&src.url(&src_db), &tgt.url(&tgt_db), &work, &["--target-version", version]);
    assert_eq!(o.status.code(), Some(0), "{engine:?}: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 unexpected"), "{}", text(&o));
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.awkward"), "9");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.no_key"), "5");
    // Leaf partitions copied once each, the partitioned parent not at all.
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.parted"), "300");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM ONLY public.parted_low"), "99");
    let keys = "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM pg2znb.copied WHERE table_name LIKE 'public.parted%'";
    assert_eq!(scalar(tgt, &tgt_db, keys), "public.parted_high,public.parted_low");
    let lens = "SELECT string_agg(coalesce(len::text, '-'), ',' ORDER BY id) FROM public.awkward";
    assert_eq!(scalar(tgt, &tgt_db, lens), scalar(src, &src_db, lens));
    // The sequences continue where the source's stand.
    assert_eq!(scalar(tgt, &tgt_db, "SELECT nextval('public.counter')"), "12");
    tgt.exec(&tgt_db, "INSERT INTO public.awkward (t) VALUES ('next')");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT max(id) FROM public.awkward"), "10");
}

#[test]
fn awkward_values_pg15() {
    awkward(Engine::Pg15, "2025.1", "mig_awk15");
}

#[test]
fn awkward_values_pg11() {
    awkward(Engine::Pg11, "2.6", "mig_awk11");
}

#[test]
fn killed_copy_resumes_without_duplicates() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let tables = 400;
    let Started { tgt_db, _dir, work, s_url, t_url, mut child } =
        start_many_tables(tgt, "mig_kill", tables, "2025.1", false);
    let before = wait_for_count(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied", 1);
    assert!(child.try_wait().unwrap().is_none(), "migrate finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(before >= 1);
    let recorded: i64 = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied").parse().unwrap();
    assert!(recorded < tables as i64, "the kill came too late: {recorded}");
    assert!(states(&work).contains(&("copy".into(), "running".into())), "{:?}", states(&work));

    let o = migrate(&s_url, &t_url, &work, &["--target-version", "2025.1", "--jobs", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("schema: done in an earlier run, skipped"), "{err}");
    assert!(err.contains(&format!("{recorded} recorded by an earlier run")), "{err}");
    assert!(err.contains("0 unexpected"), "{err}");
    assert_eq!(many_tables_wrong(tgt, &tgt_db, tables), "0", "a table has missing or duplicated rows");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied"), tables.to_string());
}

/// `n` small tables (`k0`…), table `i` holding `i % 7 + 1` rows: a migration with many statements
/// and many copy units, so a signal can land in the middle of either.
fn many_tables(n: usize) -> String {
    let mut sql = String::new();
    for i in 0..n {
        sql.push_str(&format!(
            "CREATE TABLE public.k{i} (id int PRIMARY KEY, v text);\n\
             INSERT INTO public.k{i} SELECT g, 'row ' || g FROM generate_series(1, {}) g;\n",
            i % 7 + 1
        ));
    }
    sql
}

/// 0 when every `k{i}` holds exactly its rows (none missing, none twice).
fn many_tables_wrong(tgt: &PgServer, db: &str, n: usize) -> String {
    let parts: Vec<String> = (0..n)
        .map(|i| format!("(SELECT CASE WHEN count(*) = {} THEN 0 ELSE 1 END FROM public.k{i})", i % 7 + 1))
        .collect();
    scalar(tgt, db, &format!("SELECT {}", parts.join(" + ")))
}

/// Poll `sql` (a count) on the target until it reaches `min` (an error counts 0: the table may
/// not exist yet); its last value.
fn wait_for_count(tgt: &PgServer, db: &str, sql: &str, min: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut watcher = tgt.client(db);
    let mut n = 0;
    while Instant::now() < deadline && n < min {
        n = watcher.query_one(sql, &[]).map(|r| r.get(0)).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(2));
    }
    n
}

/// A migration of [`many_tables`] started in the background: its target database, work
/// directory, URLs and process. `capture`: its output is piped, for a test that reads it after
/// stopping the process (else dropped: an unread pipe could fill and stall it).
struct Started {
    tgt_db: String,
    _dir: tempfile::TempDir,
    work: PathBuf,
    s_url: String,
    t_url: String,
    child: std::process::Child,
}

fn start_many_tables(tgt: &PgServer, name: &str, tables: usize, version: &str, capture: bool) -> Started {
    let (src, src_db, tgt_db) = databases(tgt, name, None);
    src.exec(&src_db, &many_tables(tables));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let child = migrate_cmd(&s_url, &t_url, &work, &["--target-version", version, "--jobs", "1"])
        .stdout(if capture { Stdio::piped() } else { Stdio::null() })
        .stderr(if capture { Stdio::piped() } else { Stdio::null() })
        .spawn()
        .unwrap();
    Started { tgt_db, _dir: dir, work, s_url, t_url, child }
}

#[test]
fn killed_pre_data_resumes_without_redoing_statements() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg11) else { return };
    let tables = 300;
    let Started { tgt_db, _dir, work, s_url, t_url, mut child } =
        start_many_tables(tgt, "mig_kill_pre", tables, "2.6", false);
    let before = wait_for_count(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.applied", 20);
    assert!(child.try_wait().unwrap().is_none(), "migrate finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(before >= 20);
    assert!(states(&work).contains(&("pre-data".into(), "running".into())), "{:?}", states(&work));
    let applied: i64 = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.applied").parse().unwrap();
    let made: i64 =
        scalar(tgt, &tgt_db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'").parse().unwrap();
    assert!(made < tables as i64, "the kill came after pre-data: {made} tables");

    let o = migrate(&s_url, &t_url, &work, &["--target-version", "2.6", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = text(&o);
    // The statements recorded before the kill are skipped, not run again (a second CREATE TABLE
    // would fail), and everything arrives once.
    let line = err.lines().find(|l| l.contains("pre-data.sql: applied")).unwrap_or_default();
    let skipped: i64 =
        line.split("skipped ").nth(1).and_then(|r| r.split(',').next()).and_then(|n| n.parse().ok()).unwrap_or(-1);
    assert!(skipped >= applied, "{applied} recorded, {skipped} skipped: {line}");
    assert!(err.contains("0 unexpected"), "{err}");
    assert_eq!(many_tables_wrong(tgt, &tgt_db, tables), "0", "a table has missing or duplicated rows");
    assert_eq!(
        scalar(tgt, &tgt_db, "SELECT count(*) - count(DISTINCT (script_sha256, statement)) FROM pg2znb.applied"),
        "0"
    );
}

#[test]
fn interrupted_migrate_stops_cleanly_and_resumes() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let tables = 400;
    let Started { tgt_db, _dir, work, s_url, t_url, child } = start_many_tables(tgt, "mig_int", tables, "2025.1", true);
    let before = wait_for_count(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied", 1);
    assert!(before >= 1);
    // Ctrl-C, as a terminal sends it.
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("migrate interrupted during copy"), "{err}");
    assert!(err.contains("Run the same command again to continue"), "{err}");
    assert!(states(&work).contains(&("copy".into(), "interrupted".into())), "{:?}", states(&work));
    let shown = bin().args(["migrate", "status", "-w"]).arg(&work).output().unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("interrupted"), "{}", text(&shown));
    let recorded: i64 = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied").parse().unwrap();
    assert!(recorded < tables as i64, "the interrupt came too late: {recorded}");

    let o = migrate(&s_url, &t_url, &work, &["--target-version", "2025.1", "--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains(&format!("{recorded} recorded by an earlier run")), "{err}");
    assert!(err.contains("0 unexpected"), "{err}");
    assert_eq!(many_tables_wrong(tgt, &tgt_db, tables), "0", "a table has missing or duplicated rows");
}

#[test]
fn passwords_never_appear_and_pg_dump_is_required() {
    let Some(s) = PgServer::shared_engine(Engine::Pg15) else { return };
    let password = "Mig-S3cret-pw";
    s.create_password_role(password);
    let role = support::pg::PASSWORD_ROLE;
    s.exec("postgres", &format!("CREATE DATABASE mig_pw OWNER {role}"));
    s.create_db("mig_pw_tgt");
    let mut c = s.client("mig_pw");
    c.batch_execute(&format!(
        "SET ROLE {role}; CREATE TABLE public.p (id serial PRIMARY KEY, v text); INSERT INTO public.p (v) VALUES ('x'), ('y')"
    ))
    .unwrap();
    drop(c);
    let dir = tempfile::tempdir().unwrap();

    // Without pg_dump on PATH: a clear error, exit 2.
    let work = dir.path().join("nodump");
    let o = migrate_cmd(&s.password_url("mig_pw", password), &s.url("mig_pw_tgt"), &work, &[])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("pg_dump not found on PATH"), "{}", text(&o));

    let work = dir.path().join("work");
    let o = migrate(&s.password_url("mig_pw", password), &s.url("mig_pw_tgt"), &work, &["--target-version", "2025.1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains(password), "{}", text(&o));
    let status = std::fs::read_to_string(work.join("status.json")).unwrap();
    assert!(!status.contains(password), "{status}");
    assert_eq!(scalar(s, "mig_pw_tgt", "SELECT string_agg(v, ',' ORDER BY id) FROM public.p"), "x,y");

    // A wrong password: exit 2, not shown.
    let wrong = "Wr0ng-mig-pw";
    let o = migrate(&s.password_url("mig_pw", wrong), &s.url("mig_pw_tgt"), &dir.path().join("w2"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("password authentication failed"), "{}", text(&o));
    assert!(!text(&o).contains(wrong), "{}", text(&o));
}

/// The source role can only read (USAGE and SELECT; PostgreSQL 15 grants no CREATE on public):
/// migrate succeeds, and the source holds nothing of pg2znb afterwards.
#[test]
fn a_select_only_source_role_is_enough() {
    let Some(s) = PgServer::shared_engine(Engine::Pg15) else { return };
    let password = "Mig-S3cret-pw"; // the role is created once per server: one password in this file
    s.create_password_role(password);
    let role = support::pg::PASSWORD_ROLE;
    s.create_db("mig_ro_src");
    s.exec(
        "mig_ro_src",
        &format!(
            "CREATE TABLE public.p (id serial PRIMARY KEY, v text); INSERT INTO public.p (v) SELECT 'v' || g FROM generate_series(1, 500) g; \
             CREATE TABLE public.h (a text); INSERT INTO public.h SELECT 'h' || g FROM generate_series(1, 300) g; \
             GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};"
        ),
    );
    let denied = s.try_exec("mig_ro_src", &format!("SET ROLE {role}; CREATE TABLE public.x (i int)"));
    assert!(denied.is_err(), "the role can write: the test proves nothing");
    s.create_db("mig_ro_tgt");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let o = migrate(
        &s.password_url("mig_ro_src", password),
        &s.url("mig_ro_tgt"),
        &work,
        &["--target-version", "2025.1", "--no-owner", "--no-privileges"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("0 unexpected"), "{}", text(&o));
    assert!(!text(&o).contains(password), "{}", text(&o));
    assert_eq!(scalar(s, "mig_ro_tgt", "SELECT count(*) FROM public.p"), "500");
    assert_eq!(scalar(s, "mig_ro_src", "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'pg2znb'"), "0");
}

/// A workload inserts, updates and deletes on the source while migrate runs: the target equals the
/// source as of the snapshot (verify reads the source in it, and says so), while the source as it
/// is afterwards differs — the writes happened after the snapshot.
#[test]
fn writes_during_the_migration_are_not_in_the_target_and_not_differences() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let (src, src_db, tgt_db) = databases(tgt, "mig_writes", None);
    let mut setup = String::from("CREATE TABLE public.hot (id bigint PRIMARY KEY, v text NOT NULL);\n");
    setup.push_str("INSERT INTO public.hot SELECT g, 'v' || g FROM generate_series(1, 20000) g;\n");
    // Many tables, so the copy takes a while and the workload overlaps it.
    for i in 0..150 {
        setup.push_str(&format!("CREATE TABLE public.t{i} (id int PRIMARY KEY, v text); INSERT INTO public.t{i} SELECT g, md5(g::text) FROM generate_series(1, 200) g;\n"));
    }
    src.exec(&src_db, &setup);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let child = migrate_cmd(&s_url, &t_url, &work, &["--target-version", "2025.1", "--jobs", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The workload: until migrate is done (bounded), one write of each kind at a time.
    let mut writes = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut client = src.client(&src_db);
    let pid = child.id();
    while Instant::now() < deadline && std::path::Path::new(&format!("/proc/{pid}")).exists() {
        let n = 20001 + writes;
        client
            .batch_execute(&format!(
                "INSERT INTO public.hot VALUES ({n}, 'new'); UPDATE public.hot SET v = 'changed' WHERE id = {}; \
                 DELETE FROM public.hot WHERE id = {};",
                writes % 10000 + 1,
                writes % 10000 + 10001
            ))
            .unwrap();
        writes += 1;
        // A zombie child still has its /proc entry: stop once its output is closed.
        if std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z ")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 unexpected") && err.contains("in the snapshot the data was copied from"), "{err}");
    assert!(writes > 10, "the workload ran {writes} times only");
    // The summary says the source changed after the snapshot, and where; so does migrate status.
    assert!(err.contains("the source changed after the snapshot (1 table written: public.hot); the target equals the source as of the snapshot"), "{err}");
    let o = bin().args(["migrate", "status", "-w"]).arg(&work).output().unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("the source changed after the snapshot (1 table written: public.hot)"),
        "{}",
        text(&o)
    );
    // The source changed after the snapshot: compared as it is now, the target differs.
    let o = bin()
        .args(["verify", "--source", &s_url, "--target", &t_url, "--rows", "checksum", "--manifest"])
        .arg(work.join("compiled/manifest.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("public.hot"), "{}", text(&o));
}

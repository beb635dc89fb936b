//! `pg2znb migrate`'s copy by ranges, between real servers (PostgreSQL 15 source, PostgreSQL 15
//! and 11 targets): tables split by integer key and by ctid copy exactly; a SIGKILL mid-copy of
//! split tables resumes on the stored plan without duplicates or gaps; a row the target rejects
//! stops the copy naming table, range and message, or is stashed in `errors/`; `--join` shares one
//! migration between two processes; nothing ZNbaseDB-specific is sent to PostgreSQL.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::cli::{bin, migrate, migrate_cmd, scalar, text};
use support::pg::{Engine, PgServer};

/// A fresh source database on PostgreSQL 15 holding `sql` (analysed, so reltuples is known), and
/// a fresh target database on `engine`.
fn databases(engine: Engine, name: &str, sql: &str) -> Option<(&'static PgServer, &'static PgServer, String, String)> {
    databases_with(engine, name, sql, "")
}

/// As [`databases`], the target database created with `options` (`CREATE DATABASE name options`).
fn databases_with(
    engine: Engine,
    name: &str,
    sql: &str,
    options: &str,
) -> Option<(&'static PgServer, &'static PgServer, String, String)> {
    let tgt = PgServer::shared_engine(engine)?;
    let src = PgServer::shared_engine(Engine::Pg15)?;
    let (src_db, tgt_db) = (format!("{name}_src"), format!("{name}_tgt"));
    src.create_db(&src_db);
    src.exec(&src_db, sql);
    src.exec(&src_db, "ANALYZE");
    tgt.exec("postgres", &format!("CREATE DATABASE \"{tgt_db}\" {options}"));
    Some((src, tgt, src_db, tgt_db))
}

/// A table with an integer primary key and one without any key (duplicate rows included).
fn two_tables(rows: u32) -> String {
    format!(
        "CREATE TABLE public.keyed (id bigint PRIMARY KEY, v text, n numeric);\n\
         INSERT INTO public.keyed SELECT g * 3 - 100, md5(g::text) || E'\\t\\n', g / 7.0 FROM generate_series(1, {rows}) g;\n\
         CREATE TABLE public.heap (a text, b int);\n\
         INSERT INTO public.heap SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 'r' || (g % 500) END, g % 500 FROM generate_series(1, {rows}) g;\n"
    )
}

/// The plan stored in the target: (table, range, kind, lower, upper), in order.
fn plan(tgt: &PgServer, db: &str) -> Vec<Vec<Option<String>>> {
    tgt.query(
        db,
        "SELECT table_name, range_id::text, kind, lower::text, upper::text FROM pg2znb.ranges ORDER BY table_name, range_id",
    )
}

fn split_copy(engine: Engine, version: &str, name: &str) {
    let Some((src, tgt, src_db, tgt_db)) = databases(engine, name, &two_tables(20_000)) else { return };
    // Every statement this target database receives is logged: nothing ZNbaseDB-specific may be.
    tgt.exec("postgres", &format!("ALTER DATABASE {tgt_db} SET log_statement = 'all'"));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let o = migrate(&s_url, &t_url, &work, &["--target-version", version, "--jobs", "3", "--split-rows", "3000"]);
    assert_eq!(o.status.code(), Some(0), "{engine:?}: {}", text(&o));
    assert!(text(&o).contains("0 unexpected"), "{}", text(&o));
    let kinds =
        tgt.query(&tgt_db, "SELECT table_name, kind, count(*)::text FROM pg2znb.ranges GROUP BY 1, 2 ORDER BY 1");
    assert_eq!(kinds[0][0].as_deref(), Some("public.heap"));
    assert_eq!(kinds[0][1].as_deref(), Some("ctid"), "{kinds:?}");
    assert_eq!(kinds[1][1].as_deref(), Some("key"), "{kinds:?}");
    for k in &kinds {
        let n: u32 = k[2].as_deref().unwrap().parse().unwrap();
        assert!((5..=8).contains(&n), "20000 rows in ranges of about 3000: {kinds:?}");
    }
    assert_eq!(
        scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied"),
        scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.ranges")
    );
    assert_eq!(scalar(tgt, &tgt_db, "SELECT sum(rows) FROM pg2znb.copied WHERE table_name = 'public.heap'"), "20000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.heap"), "20000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(DISTINCT id) FROM public.keyed"), "20000");
    // Checked independently of migrate's own verify too.
    let o = bin()
        .args(["verify", "--source", &s_url, "--target", &t_url, "--rows", "checksum", "--manifest"])
        .arg(work.join("compiled/manifest.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // status.json says how each table went.
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("status.json")).unwrap()).unwrap();
    let tables = status["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 2, "{status}");
    for t in tables {
        assert_eq!(t["state"], "done", "{t}");
        assert_eq!(t["ranges"], t["done_ranges"], "{t}");
    }
    let log = tgt.log();
    let ours: Vec<&str> = log.lines().filter(|l| l.contains("COPY \"public\".\"heap\"")).collect();
    assert!(!ours.is_empty(), "log_statement shows the COPY statements");
    assert!(ours.iter().all(|l| l.ends_with("FROM STDIN")), "{ours:?}");
    assert!(
        !log.contains("ROWS_PER_TRANSACTION") && !log.contains("yb_servers"),
        "ZNbaseDB-specific SQL sent to PostgreSQL"
    );
}

#[test]
fn split_tables_copy_exactly_pg15() {
    split_copy(Engine::Pg15, "2025.1", "rng_split15");
}

#[test]
fn split_tables_copy_exactly_pg11() {
    split_copy(Engine::Pg11, "2.6", "rng_split11");
}

#[test]
fn killed_split_copy_resumes_on_the_same_plan() {
    let Some((src, tgt, src_db, tgt_db)) = databases(Engine::Pg11, "rng_kill", &two_tables(150_000)) else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let args = ["--target-version", "2.6", "--jobs", "1", "--split-rows", "2000"];
    let mut child =
        migrate_cmd(&s_url, &t_url, &work, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut watcher = tgt.client(&tgt_db);
    while Instant::now() < deadline {
        // An error until migrate has created the table.
        let n: i64 = watcher.query_one("SELECT count(*) FROM pg2znb.copied", &[]).map(|r| r.get(0)).unwrap_or(0);
        if n >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "migrate finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = plan(tgt, &tgt_db);
    let recorded: usize = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied").parse().unwrap();
    assert!(recorded >= 2 && recorded < before.len(), "{recorded} of {} ranges", before.len());

    // The re-run uses more workers and other split options: the stored plan wins.
    let o = migrate(&s_url, &t_url, &work, &["--target-version", "2.6", "--jobs", "3", "--split-rows", "50000"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("the ranges planned by the first run are reused"), "{err}");
    assert!(err.contains(&format!("{recorded} recorded by an earlier run")), "{err}");
    assert!(err.contains("0 unexpected"), "{err}");
    assert_eq!(plan(tgt, &tgt_db), before);
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied").parse::<usize>().unwrap(), before.len());
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.heap"), "150000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.keyed"), "150000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(DISTINCT id) FROM public.keyed"), "150000");
}

/// One source row holds a character the target database's encoding (LATIN1) cannot: the target
/// rejects it (SQLSTATE 22P05) as it would any row it cannot store.
const REJECTED_SOURCE: &str = "CREATE TABLE public.chk (id int PRIMARY KEY, v text);\n\
    INSERT INTO public.chk SELECT g, CASE WHEN g = 2500 THEN 'smile \u{1F600}' ELSE 'v' || g END FROM generate_series(1, 5000) g;\n\
    CREATE TABLE public.fine (id int PRIMARY KEY, v text);\n\
    INSERT INTO public.fine SELECT g, 'f' || g FROM generate_series(1, 3000) g;\n";

fn rejecting(engine: Engine, name: &str) -> Option<(&'static PgServer, &'static PgServer, String, String)> {
    databases_with(engine, name, REJECTED_SOURCE, "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
}

#[test]
fn rejected_row_aborts_naming_table_range_and_message() {
    let Some((src, tgt, src_db, tgt_db)) = rejecting(Engine::Pg15, "rng_abort") else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let o = migrate(
        &src.url(&src_db),
        &tgt.url(&tgt_db),
        &work,
        &["--target-version", "2025.1", "--jobs", "2", "--split-rows", "1000"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    // prepare said so before the copy.
    assert!(err.contains("is encoded LATIN1, the source UTF8"), "{err}");
    let line = err.lines().find(|l| l.contains("error:")).unwrap_or_default();
    // The range holding id 2500, with its bounds, the server's message and the row's line.
    let bounds = tgt.query(&tgt_db, "SELECT range_id::text, lower::text, upper::text FROM pg2znb.ranges WHERE table_name = 'public.chk' AND lower <= 2500 AND upper > 2500");
    let (id, lo, hi) = (bounds[0][0].clone().unwrap(), bounds[0][1].clone().unwrap(), bounds[0][2].clone().unwrap());
    assert!(line.contains(&format!("public.chk range {id} (\"id\" >= {lo} AND \"id\" < {hi})")), "{line}");
    assert!(line.contains("has no equivalent in encoding \"LATIN1\""), "{line}");
    let row_line = 2500 - lo.parse::<i32>().unwrap() + 1;
    assert!(line.contains(&format!("CONTEXT: COPY chk, line {row_line}")), "{line}");
    assert!(line.contains("--on-error stash"), "{line}");
    // Nothing of that range committed.
    assert_eq!(scalar(tgt, &tgt_db, &format!("SELECT count(*) FROM public.chk WHERE id >= {lo} AND id < {hi}")), "0");
    assert_eq!(
        scalar(
            tgt,
            &tgt_db,
            &format!("SELECT count(*) FROM pg2znb.copied WHERE table_name = 'public.chk' AND range_id = {id}")
        ),
        "0"
    );
}

#[test]
fn rejected_range_is_stashed_and_the_rest_copied() {
    let Some((src, tgt, src_db, tgt_db)) = rejecting(Engine::Pg11, "rng_stash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let o = migrate(
        &src.url(&src_db),
        &tgt.url(&tgt_db),
        &work,
        &["--target-version", "2.6", "--jobs", "2", "--split-rows", "1000", "--on-error", "stash"],
    );
    // The copy finishes; verify finds the stashed rows missing.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("1 stashed in"), "{err}");
    let stashed = tgt
        .query(&tgt_db, "SELECT range_id::text, lower::text, upper::text FROM pg2znb.ranges WHERE state = 'stashed'");
    assert_eq!(stashed.len(), 1, "{stashed:?}");
    let (id, lo, hi) = (stashed[0][0].clone().unwrap(), stashed[0][1].clone().unwrap(), stashed[0][2].clone().unwrap());
    let (lo_n, hi_n): (i32, i32) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert!(lo_n <= 2500 && hi_n > 2500);
    // Everything else is there.
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.fine"), "3000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.chk").parse::<i32>().unwrap(), 5000 - (hi_n - lo_n));
    // errors/ holds the range's rows and the message.
    let rows = std::fs::read_to_string(work.join(format!("errors/public.chk.{id}.copy"))).unwrap();
    assert_eq!(rows.lines().count() as i32, hi_n - lo_n);
    assert!(rows.lines().any(|l| l == "2500\tsmile \u{1F600}"), "{rows}");
    let why = std::fs::read_to_string(work.join(format!("errors/public.chk.{id}.txt"))).unwrap();
    assert!(why.contains("has no equivalent in encoding") && why.contains("\\copy") && why.contains(&lo), "{why}");
    // Replaying it once the row is fixed (here: the character the target cannot hold replaced)
    // loads exactly.
    let fixed = rows.replace('\u{1F600}', ":)");
    let mut c = tgt.client(&tgt_db);
    let mut w = c.copy_in("COPY public.chk (id, v) FROM STDIN").unwrap();
    std::io::Write::write_all(&mut w, fixed.as_bytes()).unwrap();
    w.finish().unwrap();
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.chk"), "5000");
}

#[test]
fn join_shares_one_migration() {
    let mut sql = two_tables(60_000);
    sql.push_str("CREATE TABLE public.more (id int PRIMARY KEY, v text);\nINSERT INTO public.more SELECT g, repeat('m', g % 50) FROM generate_series(1, 60000) g;\n");
    let Some((src, tgt, src_db, tgt_db)) = databases(Engine::Pg15, "rng_join", &sql) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (work1, work2) = (dir.path().join("w1"), dir.path().join("w2"));
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let first =
        migrate_cmd(&s_url, &t_url, &work1, &["--target-version", "2025.1", "--jobs", "1", "--split-rows", "500"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    // The joiner waits for the plan itself.
    let second = migrate(&s_url, &t_url, &work2, &["--join", "--jobs", "2"]);
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(text(&first).contains("0 unexpected"), "{}", text(&first));
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work2.join("status.json")).unwrap()).unwrap();
    let detail =
        status["steps"].as_array().unwrap().iter().find(|s| s["name"] == "copy").unwrap()["detail"].to_string();
    let joined: usize =
        detail.split(": ").nth(1).and_then(|d| d.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(joined >= 1, "the joined process copied no range: {detail}");
    let ranges: usize = scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.ranges").parse().unwrap();
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg2znb.copied").parse::<usize>().unwrap(), ranges);
    assert!(joined < ranges, "the first process copied nothing: {detail}");
    for t in ["keyed", "heap", "more"] {
        assert_eq!(scalar(tgt, &tgt_db, &format!("SELECT count(*) FROM public.{t}")), "60000", "{t}");
    }
    let o = bin()
        .args(["verify", "--source", &s_url, "--target", &t_url, "--rows", "checksum", "--manifest"])
        .arg(work1.join("compiled/manifest.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The target's backend copying a range is terminated (57P01, as a node restart would): the range
/// is rolled back and retried on a new connection, and the copy finishes exactly.
#[test]
fn terminated_connection_is_retried() {
    let Some((src, tgt, src_db, tgt_db)) = databases(Engine::Pg15, "rng_retry", &two_tables(150_000)) else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let child =
        migrate_cmd(&s_url, &t_url, &work, &["--target-version", "2025.1", "--jobs", "1", "--split-rows", "2000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut watcher = tgt.client("postgres");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut killed = 0i64;
    while killed == 0 && Instant::now() < deadline {
        killed = watcher
            .query_one(
                "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity \
                 WHERE datname = $1 AND query LIKE 'COPY %FROM STDIN%' AND state = 'active'",
                &[&tgt_db],
            )
            .map(|r| r.get(0))
            .unwrap_or(0);
        std::thread::sleep(Duration::from_millis(5));
    }
    let o = child.wait_with_output().unwrap();
    assert!(killed >= 1, "no COPY was caught running: {}", text(&o));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    // The retry names its cause: the server's message ("terminating connection due to
    // administrator command"), or the broken connection when the client was still sending rows.
    let retry = out.lines().find(|l| l.contains("transient error, retrying on a new connection")).unwrap_or_default();
    let cause = retry.split_once("): ").map(|(_, m)| m.trim()).unwrap_or_default();
    assert!(!cause.is_empty(), "{out}");
    assert!(out.contains("retried"), "{out}");
    assert!(out.contains("0 unexpected"), "{out}");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.heap"), "150000");
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(DISTINCT id) FROM public.keyed"), "150000");
}

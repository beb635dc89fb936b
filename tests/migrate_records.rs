//! `pg2znb migrate` into a target whose role cannot create the `pg2znb` schema (no CREATE on the
//! database): the completion records go to `WORKDIR/records`, nothing of pg2znb's is left in the
//! target, and a redo after a kill between a commit and its record replaces instead of doubling
//! (the crash window is reproduced by removing the records a kill would have lost).

mod support;

use std::path::Path;

use support::cli::{migrate, scalar, text};
use support::pg::{Engine, PgServer};

const ROLE: &str = "records_only";

/// A source with a split table (integer key), a table without a key and a sequence; a target
/// database where `ROLE` may create in `public` only.
fn setup(s: &PgServer, name: &str) -> (String, String) {
    let (src_db, tgt_db) = (format!("{name}_src"), format!("{name}_tgt"));
    s.create_db(&src_db);
    s.exec(
        &src_db,
        "CREATE TABLE public.items (id serial PRIMARY KEY, v text); \
         INSERT INTO public.items (v) SELECT 'v' || g FROM generate_series(1, 3000) g; \
         CREATE TABLE public.nokey (v text); INSERT INTO public.nokey SELECT 'n' || g FROM generate_series(1, 700) g; \
         CREATE INDEX items_v ON public.items (v); ANALYZE;",
    );
    s.create_role(ROLE);
    s.create_db(&tgt_db);
    s.exec(&tgt_db, &format!("GRANT USAGE, CREATE ON SCHEMA public TO {ROLE}"));
    (s.url(&src_db), format!("postgresql://{ROLE}@127.0.0.1:{}/{tgt_db}?sslmode=disable", s.port()))
}

fn edit_status(work: &Path, pending: &[&str]) {
    let path = work.join("status.json");
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for step in v["steps"].as_array_mut().unwrap() {
        if pending.contains(&step["name"].as_str().unwrap()) {
            step["state"] = "pending".into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Drop the lines of `file` that contain `needle` (what a kill after the commit would have lost).
fn forget(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains(needle)).collect();
    let dropped = text.lines().count() - kept.len();
    std::fs::write(file, kept.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    dropped
}

#[test]
fn records_go_to_the_work_directory_and_a_redo_replaces_rows() {
    let Some(s) = PgServer::shared_engine(Engine::Pg15) else { return };
    let (src, tgt) = setup(s, "mig_records");
    let denied = s.try_exec("mig_records_tgt", &format!("SET ROLE {ROLE}; CREATE SCHEMA x"));
    assert!(denied.is_err(), "the role can create schemas: the test proves nothing");
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let args = [
        "--jobs",
        "2",
        "--split-rows",
        "1000",
        "--no-owner",
        "--no-privileges",
        "--defer",
        "fks,checks,uniques,triggers,indexes",
    ];
    let o = migrate(&src, &tgt, &work, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("cannot create the pg2znb schema") && out.contains("records are kept in"), "{out}");
    assert!(out.contains("0 unexpected"), "{out}");
    let q = "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'pg2znb'";
    assert_eq!(scalar(s, "mig_records_tgt", q), "0", "nothing of pg2znb's in the target");
    let log = work.join("records/copied.log");
    let lines = std::fs::read_to_string(&log).unwrap();
    assert_eq!(lines.lines().filter(|l| l.contains("public.items")).count(), 3, "items in 3 key ranges: {lines}");
    assert_eq!(lines.lines().filter(|l| l.contains("public.nokey")).count(), 1, "a table without a key whole: {lines}");
    assert!(work.join("records/copy-plan.json").is_file());
    let post = std::fs::read_dir(work.join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("applied-"))
        .collect::<Vec<_>>();
    assert_eq!(post.len(), 2, "pre-data and post-data records: {post:?}");

    // A kill after a range's commit and before its record, and after the index's commit and
    // before its record: the records are lost, the rows and the index are in the target.
    assert_eq!(forget(&log, "\"range\":1"), 1);
    assert_eq!(forget(&log, "public.nokey"), 1);
    let post_log = post
        .iter()
        .find(|p| std::fs::read_to_string(p).unwrap().lines().count() <= 4)
        .expect("post-data's log (one index)")
        .clone();
    assert_eq!(forget(&post_log, "done"), 1);
    edit_status(&work, &["copy", "sequences", "finalize", "verify"]);
    let o = migrate(&src, &tgt, &work, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("resuming"), "{out}");
    assert!(out.contains("2 copied") && out.contains("2 recorded by an earlier run"), "{out}");
    assert!(out.contains("had committed before the run stopped"), "{out}");
    assert!(out.contains("0 unexpected"), "{out}");
    assert_eq!(scalar(s, "mig_records_tgt", "SELECT count(*) FROM public.items"), "3000");
    assert_eq!(scalar(s, "mig_records_tgt", "SELECT count(*) FROM public.nokey"), "700");
    assert_eq!(scalar(s, "mig_records_tgt", "SELECT count(DISTINCT v) FROM public.nokey"), "700");
    let next = scalar(s, "mig_records_tgt", "SELECT nextval('public.items_id_seq')");
    assert_eq!(next, "3001", "the sequence is past its column");
}

/// SIGKILL mid-copy with the records in the work directory: the re-run copies what is not
/// recorded, and no row is doubled or lost.
#[test]
fn killed_copy_with_records_in_the_work_directory_resumes_exactly() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let Some(s) = PgServer::shared_engine(Engine::Pg15) else { return };
    let (src, tgt) = setup(s, "mig_records_kill");
    // A row trigger that sleeps, kept in pre-data (triggers not deferred): the copy takes seconds.
    s.exec(
        "mig_records_kill_src",
        "CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql AS \
           $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$; \
         CREATE TRIGGER items_slow BEFORE INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.slow();",
    );
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let args = ["--jobs", "1", "--split-rows", "500", "--no-owner", "--no-privileges", "--defer", "fks,checks,uniques"];
    let mut child = support::cli::migrate_cmd(&src, &tgt, &work, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = work.join("records/copied.log");
    let deadline = Instant::now() + Duration::from_secs(120);
    let items = |t: &str| t.lines().filter(|l| l.contains("public.items")).count();
    while Instant::now() < deadline && items(&std::fs::read_to_string(&log).unwrap_or_default()) < 1 {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none(), "migrate finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = std::fs::read_to_string(&log).unwrap().lines().count();
    assert!((1..7).contains(&before), "the kill came too late: {before} of 7 ranges recorded");

    let o = migrate(&src, &tgt, &work, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("0 unexpected"), "{out}");
    assert!(out.contains(&format!("{before} recorded by an earlier run")), "{out}");
    assert_eq!(scalar(s, "mig_records_kill_tgt", "SELECT count(*) FROM public.items"), "3000");
    assert_eq!(scalar(s, "mig_records_kill_tgt", "SELECT count(*) FROM public.nokey"), "700");
    assert_eq!(scalar(s, "mig_records_kill_tgt", "SELECT count(DISTINCT v) FROM public.nokey"), "700");
}

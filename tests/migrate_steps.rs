//! `pg2znb migrate`'s prepare and finalize steps between real servers (PostgreSQL 15 source,
//! PostgreSQL 15 and 11 targets): post-data run in parallel in dependency order, a SIGKILL during
//! finalize resumed without redoing work, `--continue-on-error`, and prepare's refusals (a foreign
//! target, an old or missing pg_dump, an engine mismatch, too few connections) and its creating a
//! missing target database.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::cli::{bin, migrate, migrate_cmd, scalar, text};
use support::pg::{Engine, PgServer};

fn state_of(workdir: &Path, step: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workdir.join("status.json")).unwrap()).unwrap();
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == step)
        .map(|s| s["state"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Every category deferred: indexes, keys, foreign keys and the rest run in finalize.
const DEFER_ALL: [&str; 2] = ["--defer", "fks,checks,uniques,triggers,indexes"];

/// Tables a, c, d with an index each that takes `rows` × 10 ms to build (an IMMUTABLE function
/// that sleeps), b with a foreign key to a's unique key (both in post-data when deferred), and a comment on that foreign key.
fn slow_schema(rows: usize) -> String {
    format!(
        "CREATE FUNCTION public.slow(v int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS \
           $$ BEGIN PERFORM pg_sleep(0.01); RETURN v; END $$;\n\
         CREATE TABLE public.a (id int PRIMARY KEY, v int CONSTRAINT a_v_key UNIQUE);\n\
         CREATE TABLE public.b (id int PRIMARY KEY, a_id int CONSTRAINT b_a_fk REFERENCES public.a (v), v int);\n\
         CREATE TABLE public.c (id int PRIMARY KEY, v int);\n\
         CREATE TABLE public.d (id int PRIMARY KEY, v int);\n\
         INSERT INTO public.a SELECT g, g FROM generate_series(1, {rows}) g;\n\
         INSERT INTO public.b SELECT g, g, g FROM generate_series(1, {rows}) g;\n\
         INSERT INTO public.c SELECT g, g FROM generate_series(1, {rows}) g;\n\
         INSERT INTO public.d SELECT g, g FROM generate_series(1, {rows}) g;\n\
         CREATE INDEX a_slow ON public.a (public.slow(v));\n\
         CREATE INDEX c_slow ON public.c (public.slow(v));\n\
         CREATE INDEX d_slow ON public.d (public.slow(v));\n\
         COMMENT ON CONSTRAINT b_a_fk ON public.b IS 'b needs a';\n"
    )
}

/// A fresh PostgreSQL 15 source database loaded with `sql`, and the name of a fresh target database.
fn databases(tgt: &PgServer, name: &str, sql: &str) -> (&'static PgServer, String, String) {
    let src = PgServer::shared_engine(Engine::Pg15).expect("PostgreSQL 15");
    let (src_db, tgt_db) = (format!("{name}_src"), format!("{name}_tgt"));
    src.create_db(&src_db);
    src.exec(&src_db, sql);
    tgt.create_db(&tgt_db);
    (src, src_db, tgt_db)
}

/// post-data.sql's statements as apply numbers them (from 1, session statements included), for
/// the simple scripts these tests compile: a statement ends with the line that ends with `;`.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in script.lines() {
        if cur.is_empty() && (line.trim().is_empty() || line.starts_with("--")) {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// The number of the statement that contains `needle`.
fn number_of(script: &str, needle: &str) -> usize {
    statements(script).iter().position(|s| s.contains(needle)).unwrap_or_else(|| panic!("{needle} not in {script}")) + 1
}

/// (started, finished) of a recorded post-data statement, as seconds since the epoch.
fn interval(tgt: &PgServer, db: &str, n: usize) -> (f64, f64) {
    let row = &tgt.query(
        db,
        &format!(
            "SELECT extract(epoch FROM applied_at), extract(epoch FROM finished_at) FROM pg2znb.applied \
             WHERE script_name = 'post-data.sql' AND statement = {n}"
        ),
    )[0];
    let f = |v: &Option<String>| v.as_deref().unwrap().parse::<f64>().unwrap();
    (f(&row[0]), f(&row[1]))
}

fn parallel_and_ordered(engine: Engine, name: &str) {
    let Some(tgt) = PgServer::shared_engine(engine) else { return };
    let (src, src_db, tgt_db) = databases(tgt, name, &slow_schema(40));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let o = migrate(&src.url(&src_db), &tgt.url(&tgt_db), &work, &[&DEFER_ALL[..], &["--jobs", "3"]].concat());
    assert_eq!(o.status.code(), Some(0), "{engine:?}: {}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 unexpected"), "{err}");
    assert!(work.join("finalize-plan.json").is_file());
    let post = std::fs::read_to_string(work.join("compiled/post-data.sql")).unwrap();
    // Independent indexes of different tables ran at the same time.
    let (a0, a1) = interval(tgt, &tgt_db, number_of(&post, "INDEX a_slow"));
    let (c0, c1) = interval(tgt, &tgt_db, number_of(&post, "INDEX c_slow"));
    let (d0, d1) = interval(tgt, &tgt_db, number_of(&post, "INDEX d_slow"));
    assert!(a1 - a0 > 0.3 && c1 - c0 > 0.3, "the slow indexes were not slow: {a0} {a1} {c0} {c1}");
    let overlap = |(s0, s1): (f64, f64), (t0, t1): (f64, f64)| s0 < t1 && t0 < s1;
    assert!(
        overlap((a0, a1), (c0, c1)) || overlap((a0, a1), (d0, d1)) || overlap((c0, c1), (d0, d1)),
        "no two slow indexes overlapped: a {a0}-{a1}, c {c0}-{c1}, d {d0}-{d1}\n{post}"
    );
    assert!(err.contains("up to 2 at once") || err.contains("up to 3 at once"), "{err}");
    // The foreign key started after the key it needs had committed; the comment after the key.
    let (_, pk1) = interval(tgt, &tgt_db, number_of(&post, "a_v_key UNIQUE"));
    let (fk0, fk1) = interval(tgt, &tgt_db, number_of(&post, "b_a_fk FOREIGN KEY"));
    let (cm0, _) = interval(tgt, &tgt_db, number_of(&post, "COMMENT ON CONSTRAINT b_a_fk"));
    assert!(fk0 >= pk1, "the foreign key started at {fk0}, before its key finished at {pk1}");
    assert!(cm0 >= fk1, "the comment started at {cm0}, before its constraint finished at {fk1}");
    // Everything is there.
    let q = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'";
    assert_eq!(scalar(tgt, &tgt_db, q), scalar(src, &src_db, q));
    let q = "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace";
    assert_eq!(scalar(tgt, &tgt_db, q), scalar(src, &src_db, q));
    // The summary names every step with its state and timing.
    let o = bin().args(["migrate", "status", "-w"]).arg(&work).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    for step in ["prepare", "snapshot", "schema", "pre-data", "copy", "sequences", "finalize", "verify"] {
        assert!(out.lines().any(|l| l.starts_with(step) && l.contains("done")), "{step}: {out}");
    }
    assert!(out.contains("the source did not change after the snapshot"), "{out}");
}

#[test]
fn finalize_runs_independent_statements_together_and_dependents_after_pg15() {
    parallel_and_ordered(Engine::Pg15, "fin_par15");
}

#[test]
fn finalize_runs_independent_statements_together_and_dependents_after_pg11() {
    parallel_and_ordered(Engine::Pg11, "fin_par11");
}

/// Finalize starts with the copy: the index of a table whose rows are in is built while a slow
/// table (a row trigger that sleeps, kept in pre-data) still copies; a statement that calls a
/// function waits for the whole copy.
#[test]
fn finalize_builds_a_copied_table_s_index_while_other_tables_copy() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let sql = "CREATE TABLE public.big (id int PRIMARY KEY, pad text);\n\
         CREATE TABLE public.small (id int PRIMARY KEY, v int);\n\
         INSERT INTO public.big SELECT g, repeat('x', 1000) FROM generate_series(1, 200) g;\n\
         INSERT INTO public.small SELECT g, g FROM generate_series(1, 10) g;\n\
         CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql AS \
           $$ BEGIN PERFORM pg_sleep(0.01); RETURN NEW; END $$;\n\
         CREATE FUNCTION public.same(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v';\n\
         CREATE TRIGGER big_slow BEFORE INSERT ON public.big FOR EACH ROW EXECUTE FUNCTION public.slow();\n\
         CREATE INDEX small_v ON public.small (v);\n\
         CREATE INDEX small_same ON public.small (public.same(v));\n";
    let (src, src_db, tgt_db) = databases(tgt, "fin_early", sql);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let args = ["--defer", "fks,checks,uniques,indexes", "--jobs", "2"];
    let o = migrate(&src.url(&src_db), &tgt.url(&tgt_db), &work, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("0 unexpected"), "{err}");
    assert!(err.contains("finalize: running, started with the copy"), "{err}");
    assert!(err.contains("; 1 while the copy ran"), "{err}");
    let post = std::fs::read_to_string(work.join("compiled/post-data.sql")).unwrap();
    let (_, plain) = interval(tgt, &tgt_db, number_of(&post, "INDEX small_v"));
    let (called, _) = interval(tgt, &tgt_db, number_of(&post, "INDEX small_same"));
    let big_done: f64 = scalar(
        tgt,
        &tgt_db,
        "SELECT extract(epoch FROM max(finished_at)) FROM pg2znb.copied WHERE table_name = 'public.big'",
    )
    .parse()
    .unwrap();
    assert!(plain < big_done, "small_v finished at {plain}, after big's copy at {big_done}");
    assert!(
        called >= big_done,
        "small_same (calls a function) started at {called}, before big's copy ended at {big_done}"
    );
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM public.big"), "200");
}

#[test]
fn killed_finalize_resumes_without_redoing_work() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let (src, src_db, tgt_db) = databases(tgt, "fin_kill", &slow_schema(100));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let args = [&DEFER_ALL[..], &["--jobs", "2"]].concat();
    let mut child =
        migrate_cmd(&s_url, &t_url, &work, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut watcher = tgt.client(&tgt_db);
    let deadline = Instant::now() + Duration::from_secs(120);
    let count = "SELECT count(*) FROM pg2znb.applied WHERE script_name = 'post-data.sql'";
    while Instant::now() < deadline {
        let n: i64 = watcher.query_one(count, &[]).map(|r| r.get(0)).unwrap_or(0);
        if n >= 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none(), "migrate finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(state_of(&work, "finalize"), "running");
    let before: i64 = scalar(tgt, &tgt_db, count).parse().unwrap();
    let post = std::fs::read_to_string(work.join("compiled/post-data.sql")).unwrap();
    let all = statements(&post)
        .iter()
        .filter(|s| {
            !s.starts_with("SET ") && !s.starts_with("RESET ") && !s.starts_with("SELECT pg_catalog.set_config")
        })
        .count() as i64;
    assert!(before >= 1 && before < all, "the kill came too late: {before} of {all}");

    let o = migrate(&s_url, &t_url, &work, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("prepare: ") && err.contains("resuming"), "{err}");
    assert!(err.contains(&format!("applied {}, {before} recorded by an earlier run", all - before)), "{err}");
    assert!(err.contains("0 unexpected"), "{err}");
    // Each statement recorded once; every index and constraint there.
    assert_eq!(scalar(tgt, &tgt_db, count), all.to_string());
    let q = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'";
    assert_eq!(scalar(tgt, &tgt_db, q), scalar(src, &src_db, q));
    let q = "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace";
    assert_eq!(scalar(tgt, &tgt_db, q), scalar(src, &src_db, q));
}

/// A foreign key the data violates (rows written with triggers off on the source): without
/// --continue-on-error the step stops at it with its position and the server's message; with it,
/// everything else is applied, the comment that needs the key is skipped and listed.
#[test]
fn a_failing_constraint_stops_finalize_or_is_recorded_with_continue_on_error() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let mut sql = slow_schema(20);
    sql.push_str("SET session_replication_role = replica; INSERT INTO public.b VALUES (1000, 999, 0); RESET session_replication_role;\n");
    let (src, src_db, tgt_db) = databases(tgt, "fin_err", &sql);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let args = [&DEFER_ALL[..], &["--jobs", "2"]].concat();
    let o = migrate(&s_url, &t_url, &work, &args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let post = std::fs::read_to_string(work.join("compiled/post-data.sql")).unwrap();
    let fk = number_of(&post, "b_a_fk FOREIGN KEY");
    let lines: Vec<&str> = post.lines().collect();
    let line = (0..lines.len() - 1)
        .find(|&i| lines[i].contains("ALTER TABLE ONLY public.b") && lines[i + 1].contains("b_a_fk FOREIGN KEY"))
        .expect("the foreign key's statement")
        + 1;
    assert!(err.contains(&format!("post-data.sql:{line}: statement {fk} failed")), "{err}");
    assert!(err.contains("violates foreign key constraint") && err.contains("SQLSTATE 23503"), "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    assert_eq!(state_of(&work, "finalize"), "failed");
    assert!(err.contains("finalize") && err.contains("failed"), "the summary table: {err}");

    let o = migrate(&s_url, &t_url, &work, &[&args[..], &["--continue-on-error"]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("statement {fk} failed")), "{err}");
    let comment = number_of(&post, "COMMENT ON CONSTRAINT b_a_fk");
    assert!(
        err.contains("skipped because they need a failed statement")
            && err.contains(&format!("(needs statement {fk})")),
        "{err}"
    );
    assert!(err.contains("COMMENT ON CONSTRAINT b_a_fk"), "{err}");
    // Everything else is in.
    let indexes = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'";
    assert_eq!(scalar(tgt, &tgt_db, indexes), scalar(src, &src_db, indexes));
    let recorded = format!(
        "SELECT count(*) FROM pg2znb.applied WHERE script_name = 'post-data.sql' AND statement IN ({fk}, {comment})"
    );
    assert_eq!(scalar(tgt, &tgt_db, &recorded), "0");
    let failed = scalar(
        tgt,
        &tgt_db,
        &format!("SELECT string_agg(DISTINCT sqlstate, ',') FROM pg2znb.failed WHERE statement = {fk}"),
    );
    assert_eq!(failed, "23503");

    // Fixed on the target, the same command finishes the step (verify then finds the row it lacks).
    tgt.exec(&tgt_db, "DELETE FROM public.b WHERE id = 1000");
    let o = migrate(&s_url, &t_url, &work, &args);
    assert_eq!(state_of(&work, "finalize"), "done", "{}", text(&o));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(scalar(tgt, &tgt_db, "SELECT count(*) FROM pg_constraint WHERE conname = 'b_a_fk'"), "1");
    assert_eq!(
        scalar(
            tgt,
            &tgt_db,
            "SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint WHERE conname = 'b_a_fk'"
        ),
        "b needs a"
    );
}

#[test]
fn prepare_refuses_a_target_with_other_objects_or_another_run() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    let (src, src_db, tgt_db) =
        databases(tgt, "prep_foreign", "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1);");
    tgt.exec(&tgt_db, "CREATE TABLE public.theirs (x int); CREATE VIEW public.their_view AS SELECT 1 AS one;");
    let dir = tempfile::tempdir().unwrap();
    let (s_url, t_url) = (src.url(&src_db), tgt.url(&tgt_db));
    let o = migrate(&s_url, &t_url, &dir.path().join("w1"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("is not empty: table public.theirs, view public.their_view"), "{err}");
    assert!(err.contains("drop these objects, or create a new database"), "{err}");
    assert_eq!(
        scalar(tgt, &tgt_db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'pg2znb'"),
        "0",
        "prepare wrote to a target it refused"
    );

    // A target another run migrated: refused, naming that run's work directory.
    tgt.exec(&tgt_db, "DROP TABLE public.theirs; DROP VIEW public.their_view;");
    let o = migrate(&s_url, &t_url, &dir.path().join("w2"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = migrate(&s_url, &t_url, &dir.path().join("w3"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let w2 = std::fs::canonicalize(dir.path().join("w2")).unwrap();
    assert!(
        text(&o).contains("holds another migration") && text(&o).contains(&format!("-w {}", w2.display())),
        "{}",
        text(&o)
    );
    // Its own run is accepted.
    let o = migrate(&s_url, &t_url, &dir.path().join("w2"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("resuming"), "{}", text(&o));
}

#[test]
fn prepare_checks_pg_dump_engine_and_connections_and_creates_the_database() {
    let Some(tgt11) = PgServer::shared_engine(Engine::Pg11) else { return };
    let (src, src_db, tgt_db) =
        databases(tgt11, "prep_checks", "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1);");
    let dir = tempfile::tempdir().unwrap();
    let (s_url, t_url) = (src.url(&src_db), tgt11.url(&tgt_db));

    let o = migrate(&s_url, &t_url, &dir.path().join("a"), &["--pg-dump", "/nonexistent/pg_dump"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("/nonexistent/pg_dump not found") && text(&o).contains("--pg-dump PATH"), "{}", text(&o));

    // No PostgreSQL 11 client is installed here: a program that answers --version as its pg_dump does.
    let old = dir.path().join("pg_dump");
    std::fs::write(&old, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n").unwrap();
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = migrate(&s_url, &t_url, &dir.path().join("b"), &["--pg-dump", old.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("is pg_dump 11.") && err.contains("older than the source server (PostgreSQL 15."), "{err}");
    assert!(err.contains("postgresql-client-15"), "{err}");

    // A 2025.x compile (PostgreSQL 15 engine) for a PostgreSQL 11 server.
    let o = migrate(&s_url, &t_url, &dir.path().join("c"), &["--target-version", "2025.1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    assert!(
        err.contains("--target-version 2025.1") && err.contains("PostgreSQL 15") && err.contains("runs PostgreSQL 11."),
        "{err}"
    );
    assert!(err.contains("--target-version auto (here: 2024.2)"), "{err}");

    let o = migrate(&s_url, &t_url, &dir.path().join("d"), &["--jobs", "5000"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--jobs 5000 needs") && text(&o).contains("run with --jobs"), "{}", text(&o));

    // A target database that does not exist is created; the compile target comes from the server.
    let missing = tgt11.url("prep_created_tgt");
    let o = migrate(&s_url, &missing, &dir.path().join("e"), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("created database prep_created_tgt"), "{}", text(&o));
    assert!(text(&o).contains("compiling for 2024.2 (from the target's version())"), "{}", text(&o));
    assert_eq!(scalar(tgt11, "prep_created_tgt", "SELECT count(*) FROM public.t"), "1");
}

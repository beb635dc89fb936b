//! `pg2znb export` and `pg2znb import` between real servers (PostgreSQL 15 source, PostgreSQL 15
//! and 11 targets): pagila and the awkward values exported and imported equal the source by row
//! checksums; a user's CSV loads exactly as PostgreSQL's own COPY loads it; a failed batch fixed
//! and a SIGKILLed import resume without duplicates; stash loads everything else and its replay
//! command works; a re-run export keeps finished files and redoes a `.part`; a SELECT-only source
//! role is enough and no password is ever shown.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::awkward::AWKWARD;
use support::cli::{bin, scalar, text};
use support::pg::{Engine, PgServer};

fn export(src: &str, dir: &Path, extra: &[&str]) -> Output {
    bin().args(["export", "--source", src, "-o"]).arg(dir).args(extra).output().expect("run pg2znb export")
}

fn import_dir(dir: &Path, tgt: &str, extra: &[&str]) -> Output {
    bin().arg("import").arg(dir).args(["--target", tgt]).args(extra).output().expect("run pg2znb import")
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("export.json")).unwrap()).unwrap()
}

fn sha256(path: &Path) -> String {
    openssl::sha::sha256(&std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The target's schema as migrate makes it: `pg_dump --schema-only` of the source, compiled for
/// `version`, pre-data applied. Returns the compiled directory.
fn prepare(src: &PgServer, src_db: &str, tgt_url: &str, version: &str, work: &Path) -> PathBuf {
    std::fs::create_dir_all(work).unwrap();
    let schema = work.join("schema.sql");
    let o = Command::new(src.bin_path("pg_dump"))
        .args(["--schema-only", "-f"])
        .arg(&schema)
        .args(["-d", &src.url(src_db)])
        .output()
        .unwrap();
    assert!(o.status.success(), "pg_dump: {}", text(&o));
    let compiled = work.join("compiled");
    let o = bin()
        .arg("compile")
        .arg(&schema)
        .arg("-o")
        .arg(&compiled)
        .args(["--target-version", version])
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "compile: {}", text(&o));
    apply(&compiled.join("pre-data.sql"), tgt_url);
    compiled
}

fn apply(script: &Path, tgt_url: &str) {
    let o = bin().arg("apply").arg(script).args(["--target", tgt_url]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "apply {}: {}", script.display(), text(&o));
}

/// Post-data, then `verify --rows checksum` with the manifest: exit 0.
fn finish_and_verify(src_url: &str, tgt_url: &str, compiled: &Path) {
    apply(&compiled.join("post-data.sql"), tgt_url);
    let o = bin()
        .args(["verify", "--source", src_url, "--target", tgt_url, "--rows", "checksum", "--manifest"])
        .arg(compiled.join("manifest.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "verify: {}", text(&o));
}

fn servers() -> Option<(&'static PgServer, &'static PgServer)> {
    Some((PgServer::shared_engine(Engine::Pg15)?, PgServer::shared_engine(Engine::Pg11)?))
}

#[test]
fn pagila_exported_then_imported_into_pg15_and_pg11_equals_the_source() {
    let Some(corpus) = support::corpus::corpus_dir() else { return };
    let Some((src, pg11)) = servers() else { return };
    src.create_db("ei_pagila_src");
    src.psql_file("ei_pagila_src", &corpus.join("pgdump15-generated/pagila-full-pgdump15.sql")).unwrap();
    let s_url = src.url("ei_pagila_src");
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&s_url, &exp, &["--jobs", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let m = manifest(&exp);
    assert_eq!(m["format"], 1);
    assert_eq!(m["database"], "ei_pagila_src");
    let tables = m["tables"].as_array().unwrap();
    assert!(tables.len() >= 15, "{}", tables.len());
    for t in tables {
        assert_eq!(t["state"], "done");
        let file = exp.join(t["file"].as_str().unwrap());
        assert_eq!(t["sha256"].as_str().unwrap(), sha256(&file), "{file:?}");
        assert_eq!(t["bytes"].as_u64().unwrap(), std::fs::metadata(&file).unwrap().len());
        let q = format!(
            "SELECT count(*) FROM ONLY \"{}\".\"{}\"",
            t["schema"].as_str().unwrap(),
            t["name"].as_str().unwrap()
        );
        assert_eq!(t["rows"].as_u64().unwrap().to_string(), scalar(src, "ei_pagila_src", &q), "{q}");
    }
    let rental = tables.iter().find(|t| t["name"] == "rental").unwrap();
    assert!(rental["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "rental_date" && c["type"] == "timestamp with time zone"));
    assert!(m["sequences"].as_array().unwrap().iter().any(|s| s["name"] == "actor_actor_id_seq"));

    for (tgt, version, db) in [(src, "2025.1", "ei_pagila_tgt15"), (pg11, "2.6", "ei_pagila_tgt11")] {
        tgt.create_db(db);
        let t_url = tgt.url(db);
        let compiled = prepare(src, "ei_pagila_src", &t_url, version, &dir.path().join(db));
        let o = import_dir(&exp, &t_url, &["--jobs", "2", "--batch-rows", "3000"]);
        assert_eq!(o.status.code(), Some(0), "{version}: {}", text(&o));
        assert!(text(&o).contains("0 recorded by an earlier run"), "{}", text(&o));
        finish_and_verify(&s_url, &t_url, &compiled);
        let seq = "SELECT last_value FROM public.actor_actor_id_seq";
        assert_eq!(scalar(tgt, db, seq), scalar(src, "ei_pagila_src", seq));
        // Again: every batch is recorded, nothing loads twice.
        let batches = scalar(tgt, db, "SELECT count(*) FROM pg2znb.imported");
        let o = import_dir(&exp, &t_url, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert!(
            text(&o).contains(&format!(": 0 rows, 0.0 MB in 0 batches ({batches} recorded by an earlier run)")),
            "{}",
            text(&o)
        );
        let rental = "SELECT count(*) FROM public.rental";
        assert_eq!(scalar(tgt, db, rental), scalar(src, "ei_pagila_src", rental));
    }
}

#[test]
fn awkward_values_round_trip_in_csv_to_pg15_and_text_to_pg11() {
    let Some((src, pg11)) = servers() else { return };
    src.create_db("ei_awk_src");
    src.exec("ei_awk_src", AWKWARD);
    let s_url = src.url("ei_awk_src");
    let dir = tempfile::tempdir().unwrap();
    for (format, tgt, version, db) in [("csv", src, "2025.1", "ei_awk_tgt15"), ("text", pg11, "2.6", "ei_awk_tgt11")] {
        let exp = dir.path().join(format);
        let o = export(&s_url, &exp, &["--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        assert_eq!(manifest(&exp)["copy_format"], format);
        tgt.create_db(db);
        let t_url = tgt.url(db);
        let compiled = prepare(src, "ei_awk_src", &t_url, version, &dir.path().join(db));
        // Batches of 2 rows: boundaries fall between quoted newlines and `\.` lines.
        let o = import_dir(&exp, &t_url, &["--batch-rows", "2", "--jobs", "3"]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", text(&o));
        finish_and_verify(&s_url, &t_url, &compiled);
        assert_eq!(scalar(tgt, db, "SELECT count(*) FROM public.awkward"), "9");
        assert_eq!(scalar(tgt, db, "SELECT count(*) FROM public.parted"), "300");
        assert_eq!(scalar(tgt, db, "SELECT count(*) FROM public.no_key"), "5");
        let awkward_batches = "SELECT count(*) FROM pg2znb.imported WHERE table_name = 'public.awkward'";
        assert_eq!(scalar(tgt, db, awkward_batches), "5");
        // Sequences continue where the source's stand.
        assert_eq!(scalar(tgt, db, "SELECT nextval('public.counter')"), "12");
        tgt.exec(db, "INSERT INTO public.awkward (t) VALUES ('next')");
        assert_eq!(scalar(tgt, db, "SELECT max(id) FROM public.awkward"), "10");
    }
}

/// A CSV file as users write them: header, quoted newlines (LF and CRLF), doubled quotes, commas in
/// quotes, NULL (unquoted empty) beside empty strings (quoted), non-ASCII.
fn user_csv(rows: usize) -> String {
    let mut s = String::from("id,t,n,note\n");
    for i in 1..=rows {
        let t = match i % 6 {
            0 => String::new(),
            1 => "\"\"".into(),
            2 => format!("\"multi\nline {i}\r\nend\""),
            3 => format!("\"say \"\"hi\"\", {i}\""),
            4 => format!("ünï😀 {i}"),
            _ => format!("plain{i}"),
        };
        let n = if i % 5 == 0 { String::new() } else { format!("{i}.{i}") };
        let note = if i % 4 == 0 { "\"\\N, not null\"".to_string() } else { "x".into() };
        s.push_str(&format!("{i},{t},{n},{note}\n"));
    }
    s
}

#[test]
fn a_users_csv_loads_exactly_as_postgresqls_copy_loads_it() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    tgt.create_db("ei_csv");
    tgt.exec(
        "ei_csv",
        "CREATE TABLE public.theirs (id int, t text, n numeric, note text); \
         CREATE TABLE public.ours (id int, t text, n numeric, note text);",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.csv");
    let data = user_csv(100);
    std::fs::write(&file, &data).unwrap();
    {
        use std::io::Write;
        let mut c = tgt.client("ei_csv");
        let mut w = c.copy_in("COPY public.theirs FROM STDIN WITH (FORMAT csv, HEADER true, NULL '')").unwrap();
        w.write_all(data.as_bytes()).unwrap();
        assert_eq!(w.finish().unwrap(), 100);
    }
    let url = tgt.url("ei_csv");
    let o = bin()
        .args(["import", "--target", &url, "--table", "public.ours", "--file"])
        .arg(&file)
        .args(["--header", "--null", "", "--batch-rows", "7", "--jobs", "3"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("100 rows"), "{}", text(&o));
    for (a, b) in [("theirs", "ours"), ("ours", "theirs")] {
        let q = format!("SELECT count(*) FROM (SELECT * FROM public.{a} EXCEPT ALL SELECT * FROM public.{b}) x");
        assert_eq!(scalar(tgt, "ei_csv", &q), "0", "{a} has rows {b} has not");
    }
    assert_eq!(scalar(tgt, "ei_csv", "SELECT count(*) FROM public.ours WHERE t IS NULL"), "16");
    assert_eq!(scalar(tgt, "ei_csv", "SELECT count(*) FROM public.ours WHERE t = ''"), "17");
    assert_eq!(scalar(tgt, "ei_csv", "SELECT count(*) FROM pg2znb.imported"), "15");
    // The records say where each batch is in the file.
    assert_eq!(scalar(tgt, "ei_csv", "SELECT min(byte_offset) FROM pg2znb.imported"), "12");
}

fn numbered_csv(rows: usize, bad: Option<usize>) -> String {
    let mut s = String::new();
    for i in 1..=rows {
        let v = if Some(i) == bad { -1 } else { i as i64 };
        s.push_str(&format!("{i},{v}\n"));
    }
    s
}

#[test]
fn a_failed_batch_stops_with_its_lines_and_the_fixed_rerun_loads_no_duplicates() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    tgt.create_db("ei_abort");
    tgt.exec("ei_abort", "CREATE TABLE public.k (id int, v int CONSTRAINT v_positive CHECK (v >= 0))");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.csv");
    std::fs::write(&file, numbered_csv(1000, Some(537))).unwrap();
    let url = tgt.url("ei_abort");
    let args = |extra: &[&str]| {
        let mut c = bin();
        c.args(["import", "--target", &url, "--table", "k", "--file"])
            .arg(&file)
            .args(["--batch-rows", "50"])
            .args(extra);
        c
    };
    let o = args(&["--jobs", "1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    for want in [
        "public.k: batch 11 of",
        "(lines 501-550)",
        "v_positive",
        "at line 537 of the file",
        "line 37",
        "run the same command again",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    assert_eq!(scalar(tgt, "ei_abort", "SELECT count(*) FROM public.k"), "500");

    tgt.exec("ei_abort", "ALTER TABLE public.k DROP CONSTRAINT v_positive");
    let o = args(&["--jobs", "2"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("500 rows") && text(&o).contains("10 recorded by an earlier run"), "{}", text(&o));
    assert_eq!(scalar(tgt, "ei_abort", "SELECT count(*) || ',' || count(DISTINCT id) FROM public.k"), "1000,1000");
}

#[test]
fn a_killed_import_resumes_without_duplicates() {
    let Some(tgt) = PgServer::shared_engine(Engine::Pg15) else { return };
    tgt.create_db("ei_kill");
    tgt.exec("ei_kill", "CREATE TABLE public.big (id int, v int)");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let rows = 400_000;
    std::fs::write(&file, numbered_csv(rows, None)).unwrap();
    let url = tgt.url("ei_kill");
    let cmd = |jobs: &str| {
        let mut c = bin();
        c.args(["import", "--target", &url, "--table", "public.big", "--file"]).arg(&file).args([
            "--batch-rows",
            "1000",
            "--jobs",
            jobs,
        ]);
        c
    };
    let mut child = cmd("2").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut watcher = tgt.client("ei_kill");
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let n: i64 = watcher.query_one("SELECT count(*) FROM pg2znb.imported", &[]).map(|r| r.get(0)).unwrap_or(0);
        if n >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "import finished before it could be killed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // A COMMIT sent just before the kill may still be finishing.
    std::thread::sleep(Duration::from_millis(300));
    let recorded: usize = scalar(tgt, "ei_kill", "SELECT count(*) FROM pg2znb.imported").parse().unwrap();
    assert!((3..rows / 1000).contains(&recorded), "{recorded}");
    assert_eq!(scalar(tgt, "ei_kill", "SELECT count(*) FROM public.big"), (recorded * 1000).to_string());

    let o = cmd("3").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains(&format!("{recorded} recorded by an earlier run")), "{}", text(&o));
    let counts = "SELECT count(*) || ',' || count(DISTINCT id) FROM public.big";
    assert_eq!(scalar(tgt, "ei_kill", counts), format!("{rows},{rows}"));
}

#[test]
fn stash_loads_everything_else_and_its_replay_command_works_after_the_fix() {
    let Some(src) = PgServer::shared_engine(Engine::Pg15) else { return };
    src.create_db("ei_stash_src");
    src.exec(
        "ei_stash_src",
        "CREATE TABLE public.good (id int PRIMARY KEY, v int); INSERT INTO public.good SELECT g, g FROM generate_series(1, 100) g; \
         CREATE TABLE public.bad (id int PRIMARY KEY, v int); INSERT INTO public.bad SELECT g, CASE WHEN g = 42 THEN -5 ELSE g END FROM generate_series(1, 100) g;",
    );
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&src.url("ei_stash_src"), &exp, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    src.create_db("ei_stash_tgt");
    let t_url = src.url("ei_stash_tgt");
    prepare(src, "ei_stash_src", &t_url, "2025.1", &dir.path().join("work"));
    src.exec("ei_stash_tgt", "ALTER TABLE public.bad ADD CONSTRAINT bad_v CHECK (v >= 0)");

    let o = import_dir(&exp, &t_url, &["--on-error", "stash", "--batch-rows", "10"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(scalar(src, "ei_stash_tgt", "SELECT count(*) FROM public.good"), "100");
    assert_eq!(scalar(src, "ei_stash_tgt", "SELECT count(*) FROM public.bad"), "90");
    let data = exp.join("errors/public.bad.5.csv");
    let message = std::fs::read_to_string(exp.join("errors/public.bad.5.txt")).unwrap();
    assert!(message.contains("bad_v") && message.contains("at line 43 of the file"), "{message}");
    assert_eq!(std::fs::read_to_string(&data).unwrap().lines().count(), 10);
    let out = text(&o);
    let replay = out.lines().find_map(|l| l.split_once("replay with: ").map(|(_, c)| c.to_string())).expect(&out);
    assert!(replay.contains("--table public.bad --file") && replay.contains("public.bad.5.csv"), "{replay}");
    assert!(out.contains("1 stashed"), "{out}");

    // Fix the row in the stashed file, then run the printed command.
    let fixed = std::fs::read_to_string(&data).unwrap().replace("42,-5", "42,5");
    std::fs::write(&data, fixed).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_pg2znb")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let o = Command::new("sh").args(["-c", &replay]).env("PATH", path).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{replay}: {}", text(&o));
    assert_eq!(scalar(src, "ei_stash_tgt", "SELECT count(*) || ',' || sum(v) FROM public.bad"), "100,5013");

    // The directory again: nothing loads twice, and the replayed batch is no longer listed.
    let o = import_dir(&exp, &t_url, &["--on-error", "stash"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("stashed"), "{}", text(&o));
    assert_eq!(scalar(src, "ei_stash_tgt", "SELECT count(*) FROM public.bad"), "100");
}

#[test]
fn a_rerun_export_keeps_finished_files_and_redoes_an_unfinished_one() {
    let Some(src) = PgServer::shared_engine(Engine::Pg15) else { return };
    src.create_db("ei_rerun");
    src.exec(
        "ei_rerun",
        "CREATE TABLE public.a (id int); INSERT INTO public.a SELECT generate_series(1, 50); \
         CREATE TABLE public.b (id int); INSERT INTO public.b SELECT generate_series(1, 60); \
         CREATE TABLE \"We.ird/\"\"name\" (id int); INSERT INTO \"We.ird/\"\"name\" SELECT generate_series(1, 70);",
    );
    let url = src.url("ei_rerun");
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&url, &exp, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let m = manifest(&exp);
    let file_of = |m: &serde_json::Value, name: &str| {
        let t = m["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
        (exp.join(t["file"].as_str().unwrap()), t)
    };
    let (weird, weird_entry) = file_of(&m, "We.ird/\"name");
    assert_eq!(weird.file_name().unwrap(), "public.%57e%2Eird%2F%22name.csv");
    assert_eq!(weird_entry["rows"], 70);
    let stamp = |p: &Path| {
        let md = std::fs::metadata(p).unwrap();
        (md.ino(), md.mtime(), md.mtime_nsec())
    };
    let (a, _) = file_of(&m, "a");
    let (b, _) = file_of(&m, "b");
    let before = (stamp(&a), stamp(&weird));

    // Not without --resume.
    let o = export(&url, &exp, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not empty") && text(&o).contains("--resume"), "{}", text(&o));

    // What a killed run leaves: b pending, half of it in b.csv.part.
    let mut m2 = m.clone();
    for t in m2["tables"].as_array_mut().unwrap() {
        if t["name"] == "b" {
            t["state"] = "pending".into();
        }
    }
    std::fs::write(exp.join("export.json"), serde_json::to_string_pretty(&m2).unwrap()).unwrap();
    let part = b.with_extension("csv.part");
    let body = std::fs::read(&b).unwrap();
    std::fs::remove_file(&b).unwrap();
    std::fs::write(&part, &body[..body.len() / 2]).unwrap();

    let o = export(&url, &exp, &["--resume"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("1 written") && text(&o).contains("2 kept"), "{}", text(&o));
    assert_eq!((stamp(&a), stamp(&weird)), before, "a finished file was rewritten");
    assert!(!part.exists());
    let m3 = manifest(&exp);
    let (_, b_entry) = file_of(&m3, "b");
    assert_eq!(b_entry["state"], "done");
    assert_eq!(b_entry["rows"], 60);
    assert_eq!(b_entry["sha256"].as_str().unwrap(), sha256(&b));
    assert_eq!(std::fs::read(&b).unwrap(), body);
    assert_ne!(m3["snapshot"], m["snapshot"]);
    assert_eq!(b_entry["snapshot"], m3["snapshot"]);
    assert_eq!(file_of(&m3, "a").1["snapshot"], m["snapshot"]);

    // A directory that is not an export is refused.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = export(&url, &other, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not empty and holds no export.json"), "{}", text(&o));
}

#[test]
fn a_select_only_role_exports_nothing_is_written_and_no_password_shows() {
    let Some(s) = PgServer::shared_engine(Engine::Pg15) else { return };
    let password = "Exp-S3cret-pw";
    s.create_password_role(password);
    let role = support::pg::PASSWORD_ROLE;
    s.create_db("ei_ro_src");
    s.exec(
        "ei_ro_src",
        &format!(
            "CREATE TABLE public.p (id serial PRIMARY KEY, v text); INSERT INTO public.p (v) VALUES ('x'), ('y'); \
             GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};"
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&s.password_url("ei_ro_src", password), &exp, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains(password), "{}", text(&o));
    let json = std::fs::read_to_string(exp.join("export.json")).unwrap();
    assert!(!json.contains(password), "{json}");
    assert_eq!(manifest(&exp)["source"], format!("127.0.0.1:{}/ei_ro_src", s.port()));
    assert_eq!(manifest(&exp)["sequences"][0]["last_value"], "2");
    assert_eq!(scalar(s, "ei_ro_src", "SELECT count(*) FROM pg_namespace WHERE nspname = 'pg2znb'"), "0");

    // The import side, with a password too: not shown, not in the replay command.
    s.exec("postgres", &format!("CREATE DATABASE ei_ro_tgt OWNER {role}"));
    let mut c = s.client("ei_ro_tgt");
    c.batch_execute(&format!("SET ROLE {role}; CREATE TABLE public.p (id int PRIMARY KEY, v text CHECK (v <> 'y'))"))
        .unwrap();
    drop(c);
    let o = import_dir(&exp, &s.password_url("ei_ro_tgt", password), &["--on-error", "stash"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(!text(&o).contains(password), "{}", text(&o));
    assert!(text(&o).contains("replay with: "), "{}", text(&o));
    let stashed = std::fs::read_to_string(exp.join("errors/public.p.1.txt")).unwrap();
    assert!(!stashed.contains(password), "{stashed}");
    // A wrong password: exit 2, not shown.
    let wrong = "Wr0ng-exp-pw";
    let o = export(&s.password_url("ei_ro_src", wrong), &dir.path().join("e2"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("password authentication failed") && !text(&o).contains(wrong), "{}", text(&o));
}

/// A table bigger than `--split-rows` is written as one file per range (by its integer key; a
/// table without one by ctid pages), each with its own header, sha256 and rows; a resumed export
/// keeps the finished parts and the first run's ranges; importing the directory loads every row
/// once.
#[test]
fn big_tables_are_exported_in_parts_resumed_by_part_and_imported_exactly() {
    let Some((src, _)) = servers() else { return };
    let db = "ei_split_src";
    src.create_db(db);
    src.exec(
        db,
        "CREATE TABLE public.keyed (id int PRIMARY KEY, v text);\n\
         INSERT INTO public.keyed SELECT g, 'k' || g FROM generate_series(1, 20000) g;\n\
         CREATE TABLE public.heap (a text, b int);\n\
         INSERT INTO public.heap SELECT 'h' || (g % 300), g FROM generate_series(1, 20000) g;\n\
         CREATE TABLE public.small (id int PRIMARY KEY);\n\
         INSERT INTO public.small SELECT generate_series(1, 10);\n\
         ANALYZE;",
    );
    let s_url = src.url(db);
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&s_url, &exp, &["--jobs", "2", "--split-rows", "6000"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let m = manifest(&exp);
    let table = |name: &str| m["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
    for name in ["keyed", "heap"] {
        let t = table(name);
        let parts = t["parts"].as_array().unwrap();
        assert!(parts.len() >= 3, "{name}: {parts:?}");
        assert_eq!(t["state"], "done");
        assert_eq!(t["rows"], 20000, "{name}");
        let mut rows = 0;
        for p in parts {
            let file = exp.join(p["file"].as_str().unwrap());
            assert_eq!(p["sha256"].as_str().unwrap(), sha256(&file));
            let body = std::fs::read_to_string(&file).unwrap();
            assert!(body.starts_with(if name == "keyed" { "id,v\n" } else { "a,b\n" }), "{file:?}");
            assert_eq!(body.lines().count() as u64 - 1, p["rows"].as_u64().unwrap());
            rows += p["rows"].as_u64().unwrap();
        }
        assert_eq!(rows, 20000, "{name}");
    }
    assert!(table("keyed")["parts"][1]["where"].as_str().unwrap().contains("\"id\" >="));
    assert!(table("heap")["parts"][1]["where"].as_str().unwrap().contains("ctid >="));
    assert!(table("small")["parts"].is_null(), "a small table stays one file");

    // Lose one part of `keyed` (as an interrupted run leaves it) and resume with other options:
    // the first plan holds, only that part is written again.
    let parts_before = table("keyed")["parts"].clone();
    let lost = exp.join(parts_before[1]["file"].as_str().unwrap());
    let kept = exp.join(parts_before[0]["file"].as_str().unwrap());
    let kept_mtime = std::fs::metadata(&kept).unwrap().modified().unwrap();
    std::fs::rename(&lost, exp.join(format!("{}.part", lost.file_name().unwrap().to_string_lossy()))).unwrap();
    let o = export(&s_url, &exp, &["--resume", "--split-rows", "1000"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let m2 = manifest(&exp);
    let keyed = m2["tables"].as_array().unwrap().iter().find(|t| t["name"] == "keyed").unwrap();
    let wheres = |ps: &serde_json::Value| {
        ps.as_array().unwrap().iter().map(|p| p["where"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(wheres(&keyed["parts"]), wheres(&parts_before));
    assert!(lost.exists());
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), kept_mtime, "a finished part was rewritten");
    assert!(text(&o).contains("exported public.keyed part 2"), "{}", text(&o));
    assert!(!text(&o).contains("exported public.keyed part 1 "), "{}", text(&o));

    // Import: every part, exactly once, into a target with the same tables.
    src.create_db("ei_split_tgt");
    src.exec(
        "ei_split_tgt",
        "CREATE TABLE public.keyed (id int PRIMARY KEY, v text); CREATE TABLE public.heap (a text, b int);\n\
         CREATE TABLE public.small (id int PRIMARY KEY);",
    );
    let t_url = src.url("ei_split_tgt");
    let o = import_dir(&exp, &t_url, &["--jobs", "2", "--batch-rows", "2500"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("imported public.keyed range 1"), "{}", text(&o));
    let o = bin().args(["verify", "--source", &s_url, "--target", &t_url, "--rows", "checksum"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "verify: {}", text(&o));
}

/// Two parts of one split table each hold a row the target rejects: with `--on-error stash` each
/// part's batch is stashed in a file of its own (their batch numbers are equal), and everything
/// else loads.
#[test]
fn rejected_batches_of_two_parts_are_stashed_apart() {
    let Some((src, _)) = servers() else { return };
    let db = "ei_split_stash_src";
    src.create_db(db);
    src.exec(
        db,
        "CREATE TABLE public.k (id int PRIMARY KEY, v int);\n\
         INSERT INTO public.k SELECT g, CASE WHEN g IN (10, 15010) THEN -1 ELSE g END FROM generate_series(1, 20000) g;\n\
         ANALYZE;",
    );
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("export");
    let o = export(&src.url(db), &exp, &["--split-rows", "5000"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let parts = manifest(&exp)["tables"][0]["parts"].as_array().unwrap().len();
    assert!(parts >= 4, "{parts} parts");
    src.create_db("ei_split_stash_tgt");
    src.exec("ei_split_stash_tgt", "CREATE TABLE public.k (id int PRIMARY KEY, v int CHECK (v >= 0));");
    let o = import_dir(&exp, &src.url("ei_split_stash_tgt"), &["--on-error", "stash", "--batch-rows", "1000"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let mut stashed: Vec<String> = std::fs::read_dir(exp.join("errors"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    stashed.sort();
    assert_eq!(stashed.len(), 2, "{stashed:?}");
    for f in &stashed {
        let rows = std::fs::read_to_string(exp.join("errors").join(f)).unwrap();
        assert!(rows.lines().any(|l| l.ends_with(",-1")), "{f}: {rows}");
    }
    assert_eq!(scalar(src, "ei_split_stash_tgt", "SELECT count(*) FROM public.k"), "18000");
}

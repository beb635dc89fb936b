//! The command line as users run it: exit codes, messages for bad input, output safety.

use std::path::Path;
use std::process::{Command, Output};

fn pg2znb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).output().expect("run pg2znb")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name).display().to_string()
}

#[test]
fn compile_writes_the_scripts_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["pre-data.sql", "data.sql", "post-data.sql", "report.json", "report.html", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let s = stderr(&o);
    // \restrict and \unrestrict are left out (E007): the two dropped statements.
    assert!(s.contains("fates:    11 verbatim, 1 rewritten, 1 merged, 2 dropped"), "{s}");
    assert!(s.contains("rewrites: ZN101 inline-primary-key ×1"), "{s}");
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A second run over its own output directory is fine; without data, data.sql goes away.
    let o = pg2znb(&["compile", &fixture("compile/keys-and-deferral.sql"), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!out.join("data.sql").exists(), "stale data.sql removed");
}

#[test]
fn refuses_a_foreign_non_empty_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty and was not written by pg2znb"), "{}", stderr(&o));
    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", dir.path().to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(dir.path().join("precious.txt").exists());
}

#[test]
fn parse_errors_exit_1_with_position_and_the_rest_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let o = pg2znb(&["compile", &fixture("compile/broken-input.sql"), "-o", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let s = stderr(&o);
    assert!(s.contains("E002"), "{s}");
    assert!(s.contains("broken-input.sql:4:37"), "{s}");
    let pre = std::fs::read_to_string(dir.path().join("pre-data.sql")).unwrap();
    assert!(pre.contains("CREATE TABLE t3"), "statements after the error still compile");
}

#[test]
fn bad_inputs_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();

    let o = pg2znb(&["compile", "/definitely/not/here.sql", "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/definitely/not/here.sql: no such file or directory"), "{}", stderr(&o));

    let empty_dir = dir.path().join("nosql");
    std::fs::create_dir(&empty_dir).unwrap();
    std::fs::write(empty_dir.join("notes.txt"), "x").unwrap();
    let o = pg2znb(&["compile", empty_dir.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("contains no .sql files"), "{}", stderr(&o));

    // pg_dump -Fd writes toc.dat and one compressed file per table.
    let fd = dir.path().join("dump.d");
    std::fs::create_dir(&fd).unwrap();
    std::fs::write(fd.join("toc.dat"), b"PGDMP\x01\x0e\x00\x04\x08\x01\x01").unwrap();
    std::fs::write(fd.join("3349.dat.gz"), b"\x1f\x8b").unwrap();
    let o = pg2znb(&["compile", fd.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    let fd = fd.display();
    assert!(stderr(&o).contains(&format!("{fd}: a directory-format dump (pg_dump -Fd")), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("`pg_restore -f dump.sql {fd}`")), "{}", stderr(&o));
    let o = pg2znb(&["lint", fd.to_string().as_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a directory-format dump"), "{}", stderr(&o));

    let bin = dir.path().join("dump.custom");
    std::fs::write(&bin, b"PGDMP\x01\x0e\x00\x04\x08\x01\x01").unwrap();
    let o = pg2znb(&["compile", bin.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dump.custom:1:8: this looks like a binary file"), "{}", stderr(&o));

    let latin1 = dir.path().join("latin1.sql");
    std::fs::write(&latin1, b"SELECT 1;\nINSERT INTO t VALUES ('caf\xe9');\n").unwrap();
    let o = pg2znb(&["compile", latin1.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("latin1.sql:2:27: not valid UTF-8 (byte 0xE9)"), "{}", stderr(&o));

    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out, "--defer", "fks,bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--defer: unknown defer category `bogus`"), "{}", stderr(&o));

    for list in ["none,fks", "fks, none"] {
        let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out, "--defer", list]);
        assert_eq!(o.status.code(), Some(2), "{list}");
        assert!(stderr(&o).contains("contradicts itself: `none` defers nothing"), "{}", stderr(&o));
    }

    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out, "--target-version", "9.9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown target version `9.9`"), "{}", stderr(&o));
}

#[test]
fn empty_and_unterminated_inputs_are_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.sql");
    std::fs::write(&empty, "").unwrap();
    let o = pg2znb(&["compile", empty.to_str().unwrap(), "-o", dir.path().join("o1").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("empty.sql: no SQL statements"), "{}", stderr(&o));
    assert!(!dir.path().join("o1").exists(), "nothing written");

    let dollar = dir.path().join("dollar.sql");
    std::fs::write(&dollar, "CREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n")
        .unwrap();
    let o = pg2znb(&["compile", dollar.to_str().unwrap(), "-o", dir.path().join("o2").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let s = stderr(&o);
    assert!(s.contains("E001") && s.contains("dollar.sql:2:"), "{s}");

    let copy = dir.path().join("copy.sql");
    std::fs::write(&copy, "CREATE TABLE a (id int);\nCOPY a (id) FROM stdin;\n1\n2\n").unwrap();
    let o = pg2znb(&["compile", copy.to_str().unwrap(), "-o", dir.path().join("o3").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("unterminated COPY data"), "{}", stderr(&o));
}

#[test]
fn stdin_input_and_json_format() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(["compile", "-", "--stdin-filename", "piped.sql", "-o", dir.path().to_str().unwrap(), "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"CREATE TABLE t (id int);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["input_statements"], 2);
    assert_eq!(v["diagnostics"][0]["code"], "ZN101");
    assert_eq!(v["diagnostics"][0]["file"], "piped.sql");
    assert_eq!(v["diagnostics"][0]["line"], 2);
}

#[test]
fn rules_list_and_explain() {
    let o = pg2znb(&["rules", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("ZN101  inline-primary-key"), "{s}");
    let o = pg2znb(&["explain", "ZN101"]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("ZN101 inline-primary-key") && s.contains("Before") && s.contains("After"), "{s}");
    let o = pg2znb(&["explain", "ZN999"]);
    assert_eq!(o.status.code(), Some(2));
}

fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn empty_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    // `pg_dump nosuchdb | pg2znb compile - -o out`: pg_dump wrote nothing.
    for input in [&b""[..], b"\n  \n", b"--\n-- PostgreSQL database dump\n--\n\n/* nothing */\n"] {
        let o = run_with_stdin(&["compile", "-", "-o", out], input);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let s = stderr(&o);
        assert!(s.contains("<stdin>: standard input has no SQL statements") && s.contains("pg_dump failed"), "{s}");
        assert!(!Path::new(out).exists(), "nothing written");
    }
    let o = run_with_stdin(&["compile", "-", "--stdin-filename", "mydb.sql", "-o", out], b"");
    assert!(stderr(&o).contains("mydb.sql: standard input has no SQL statements"), "{}", stderr(&o));

    // Every input blank: exit 2, naming them; one blank input among others: a warning.
    let (a, b) = (dir.path().join("a.sql"), dir.path().join("b.sql"));
    std::fs::write(&a, "-- only a comment\n").unwrap();
    std::fs::write(&b, "").unwrap();
    let o = pg2znb(&["compile", a.to_str().unwrap(), b.to_str().unwrap(), "-o", out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("none of the 2 inputs has an SQL statement"), "{}", stderr(&o));
    assert!(!Path::new(out).exists(), "nothing written");
    let o = pg2znb(&["compile", a.to_str().unwrap(), &fixture("compile/keys-and-deferral.sql"), "-o", out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("E003") && stderr(&o).contains("the file has no statements"), "{}", stderr(&o));

    // An empty query file is nothing wrong for lint: exit 0, noted as info.
    let o = pg2znb(&["lint", b.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("E003", "info")]);
    let o = run_with_stdin(&["lint", "-"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn target_versions_as_releases_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let input = fixture("compile/keys-and-deferral.sql");
    for (written, resolved) in [("2.21", "2.20"), ("2.20.3.0-b51", "2.20"), ("2024.2.1", "2024.2"), ("2.25.1", "2.25")]
    {
        let o = pg2znb(&["compile", &input, "-o", out, "--target-version", written]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s = stderr(&o);
        assert!(s.contains(&format!("for ZNbaseDB {resolved}, resolved from {written} (")), "{s}");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(Path::new(out).join("report.json")).unwrap()).unwrap();
        assert_eq!((report["target"].as_str(), report["target_requested"].as_str()), (Some(resolved), Some(written)));
    }
    // A listed version is itself: no `resolved from`, no target_requested.
    let o = pg2znb(&["compile", &input, "-o", out, "--target-version", "2.20"]);
    assert!(stderr(&o).contains("for ZNbaseDB 2.20 ("), "{}", stderr(&o));
    let report = std::fs::read_to_string(Path::new(out).join("report.json")).unwrap();
    assert!(!report.contains("target_requested"));

    let o = pg2znb(&["compile", &input, "-o", out, "--target-version", "2.4"]);
    assert_eq!(o.status.code(), Some(2));
    let s = stderr(&o);
    assert!(
        s.contains("unknown target version `2.4`: older than every version") && s.contains("versions: 2.6, 2.8"),
        "{s}"
    );

    let o = pg2znb(&["lint", &input, "--target-version", "2024.2.1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("for ZNbaseDB 2024.2, resolved from 2024.2.1:"), "{}", stderr(&o));

    // `auto` needs a live target; an unreachable one is a connection error (exit 2).
    let o = pg2znb(&["compile", &input, "-o", out, "--target-version", "auto"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--target-version auto needs --target URL"), "{}", stderr(&o));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgresql://u@127.0.0.1:{closed}/db?sslmode=disable&connect_timeout=5");
    for args in [vec!["--target", url.as_str()], vec!["--target-version", "auto", "--target", url.as_str()]] {
        let mut all = vec!["compile", input.as_str(), "-o", out];
        all.extend(args);
        let o = pg2znb(&all);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("--target-version auto: ") && stderr(&o).contains("cannot connect"),
            "{}",
            stderr(&o)
        );
    }
    let o = pg2znb(&["compile", &input, "-o", out, "--target-version", "2.20", "--target", &url]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--target is read only with --target-version auto"), "{}", stderr(&o));
}

#[test]
fn restrict_framing_is_opt_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["pre-data.sql", "data.sql", "post-data.sql"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(!text.contains("restrict"), "{f}: {text}");
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e007: Vec<&serde_json::Value> =
        v["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "E007").collect();
    assert_eq!(e007.len(), 1);
    assert_eq!((e007[0]["severity"].as_str(), e007[0]["line"].as_u64()), (Some("info"), Some(5)));

    let o = pg2znb(&["compile", &fixture("compile/full-dump.sql"), "-o", out.to_str().unwrap(), "--psql-restrict"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["pre-data.sql", "data.sql", "post-data.sql"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(text.contains("\n\\restrict k3y\n") && text.trim_end().ends_with("\\unrestrict k3y"), "{f}: {text}");
    }
}

#[test]
fn duplicate_definitions_and_truncated_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let dump = std::fs::read_to_string(fixture("compile/full-dump.sql")).unwrap();
    let (a, b) = (dir.path().join("a.sql"), dir.path().join("b.sql"));
    std::fs::write(&a, &dump).unwrap();
    std::fs::write(&b, &dump).unwrap();
    let o = pg2znb(&["compile", a.to_str().unwrap(), b.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E005"), "{}", stderr(&o));
    let o =
        pg2znb(&["compile", a.to_str().unwrap(), b.to_str().unwrap(), "-o", out.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e005: Vec<(String, u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E005")
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["line"].as_u64().unwrap(), d["message"].to_string()))
        .collect();
    let names: Vec<(&str, u64)> = e005.iter().map(|(f, l, _)| (f.as_str(), *l)).collect();
    let bn = b.display().to_string();
    // The table, its sequence, its primary key and its index: each second definition, in b.sql.
    assert_eq!(names.len(), 4, "{e005:?}");
    assert!(names.iter().all(|(f, _)| *f == bn), "{e005:?}");
    assert!(names.contains(&(bn.as_str(), 12)), "{e005:?}");
    let (_, _, message) = e005.iter().find(|(_, l, _)| *l == 12).unwrap();
    let (first, again) = (format!("first at {}:12", a.display()), format!("again at {}:12", b.display()));
    assert!(message.contains("table public.tags is defined twice") && message.contains(&first), "{message}");
    assert!(message.contains(&again), "{message}");
    let pre = std::fs::read_to_string(out.join("pre-data.sql")).unwrap();
    assert_eq!(pre.matches("CREATE TABLE public.tags").count(), 1, "{pre}");
    assert_eq!(pre.matches("PRIMARY KEY").count(), dump.matches("PRIMARY KEY").count(), "{pre}");
    assert!(std::fs::read_to_string(out.join("unsupported.sql")).unwrap().contains("CREATE TABLE public.tags"));

    // Cut short: a warning at the end of the file, exit 0.
    let cut = &dump[..dump.find("-- PostgreSQL database dump complete").unwrap()];
    std::fs::write(&a, cut).unwrap();
    let o = pg2znb(&["compile", a.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stderr(&o);
    assert!(s.contains("E006") && s.contains("the dump looks truncated") && s.contains("re-run pg_dump"), "{s}");
}

#[test]
fn counts_are_english() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.sql");
    std::fs::write(&one, "SELECT pg_advisory_lock(1);\n").unwrap();
    let o = pg2znb(&["lint", one.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(err.contains("linted 1 statement in 1 input for ZNbaseDB 2.6: 0 errors, 1 warning, 0 info"), "{err}");
    let two = dir.path().join("two.sql");
    std::fs::write(&two, "SELECT pg_advisory_lock(1);\nSELECT pg_advisory_lock(2);\n").unwrap();
    let o = pg2znb(&["lint", one.to_str().unwrap(), two.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(err.contains("linted 3 statements in 2 inputs for ZNbaseDB 2.6: 0 errors, 3 warnings, 0 info"), "{err}");

    let out = dir.path().join("out");
    let o = pg2znb(&["compile", &fixture("compile/keys-and-deferral.sql"), "-o", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!err.contains("(s)") && !err.contains(" 1 tables") && !err.contains(" 1 errors"), "{err}");
}

#[test]
fn human_output_groups_by_code_and_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.sql");
    let mut sql = String::from("CREATE TABLE t (id int PRIMARY KEY, c tsvector);\n");
    for i in 1..=55 {
        sql.push_str(&format!("CREATE INDEX i{i} ON t USING gist (c);\n"));
    }
    std::fs::write(&input, sql).unwrap();
    let out = dir.path().join("out");
    let (input, out) = (input.to_str().unwrap(), out.to_str().unwrap());
    let o = pg2znb(&["compile", input, "-o", out]);
    let err = stderr(&o);
    assert_eq!(err.matches("warning[ZN301] index-method-unsupported: 55 findings").count(), 1, "{err}");
    assert_eq!(err.matches("help: Queries that used the index still work").count(), 1, "{err}");
    assert!(err.contains(&format!("  {input}:5:1: index i4 on public.t uses the gist access method")), "{err}");
    assert!(err.contains("… 5 more errors and warnings not shown: pass --show-all, or see report.json"), "{err}");
    assert!(!err.contains("index i51 "), "{err}");

    let o = pg2znb(&["compile", input, "-o", out, "--show-all"]);
    let err = stderr(&o);
    assert!(err.contains("index i55 ") && !err.contains("not shown: pass --show-all"), "{err}");

    // Info findings are counted, and shown on request.
    let o = pg2znb(&["compile", &fixture("compile/keys-and-deferral.sql"), "-o", out, "--force"]);
    let err = stderr(&o);
    assert!(err.contains("info findings not shown: pass --show-info, or see report.json"), "{err}");
    let o = pg2znb(&["compile", &fixture("compile/keys-and-deferral.sql"), "-o", out, "--force", "--show-info"]);
    let err = stderr(&o);
    assert!(err.contains("info[ZN10") && !err.contains("not shown"), "{err}");
}

#[test]
fn lint_fix_lists_each_change_and_counts_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema.sql");
    std::fs::write(&schema, "CREATE TABLE public.docs (id int PRIMARY KEY, body jsonb);\n").unwrap();
    let q = dir.path().join("q.sql");
    std::fs::write(&q, "SELECT body['a'] FROM public.docs;\nSELECT xmin FROM public.docs;\n").unwrap();
    let (schema, qs) = (schema.to_str().unwrap(), q.to_str().unwrap());
    let o = pg2znb(&["lint", schema, qs]);
    assert!(stderr(&o).contains(": 2 errors, 0 warnings, 0 info"), "{}", stderr(&o));

    let o = pg2znb(&["lint", schema, qs, "--fix"]);
    let err = stderr(&o);
    assert!(err.contains(&format!("pg2znb: fixed {qs}:1: ZN829 body['a'] → (body -> 'a')\n")), "{err}");
    assert!(err.contains(": 1 fix applied; left: 1 error, 0 warnings, 0 info"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("ZN829") && out.contains("ZN803"), "{out}");
    assert_eq!(o.status.code(), Some(1), "ZN803 is left");
    assert_eq!(
        std::fs::read_to_string(&q).unwrap(),
        "SELECT (body -> 'a') FROM public.docs;\nSELECT xmin FROM public.docs;\n"
    );

    // Nothing left to fix.
    let o = pg2znb(&["lint", schema, qs, "--fix"]);
    let err = stderr(&o);
    assert!(!err.contains("pg2znb: fixed") && err.contains(": 0 fixes applied; left: 1 error"), "{err}");
}

/// Every `"E…"` code string in the sources (`"E102"`, `const X: &str = "E005"`).
fn codes_in_sources() -> std::collections::BTreeMap<String, String> {
    let mut found = std::collections::BTreeMap::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let b = text.as_bytes();
            for (i, _) in text.match_indices("\"E") {
                let digits = &b[i + 2..(i + 5).min(b.len())];
                if digits.len() == 3 && digits.iter().all(u8::is_ascii_digit) && b.get(i + 5) == Some(&b'"') {
                    found.entry(text[i + 1..i + 5].to_string()).or_insert_with(|| p.display().to_string());
                }
            }
        }
    }
    found
}

#[test]
fn every_diagnostic_code_is_explained_in_one_table() {
    let found = codes_in_sources();
    for want in ["E001", "E002", "E003", "E004", "E005", "E006", "E007", "E101", "E102", "E201", "E202", "E900"] {
        assert!(found.contains_key(want), "the scan finds {want}: {found:?}");
    }
    for (code, file) in &found {
        let c = pg2znb::codes::find(code).unwrap_or_else(|| panic!("{code} (in {file}) is not in src/codes.rs"));
        let o = pg2znb(&["explain", code]);
        assert_eq!(o.status.code(), Some(0), "explain {code}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.starts_with(&format!("{code} ({}, ", c.stage)), "{out}");
        assert!(out.contains("What it means") && out.contains("What to do"), "{out}");
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = pg2znb::codes::readme_table();
    assert!(readme.contains(&table), "README.md's table of codes differs from src/codes.rs; it should be:\n{table}");
    let o = pg2znb(&["explain", "E999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no rule or diagnostic code `E999`"), "{}", stderr(&o));
}

/// The README's sample summary is what `scripts/sample.sh` prints today (the output directory aside).
#[test]
fn readme_sample_summary_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .current_dir(root)
        .args(["compile", "fixtures/pagila/pagila-schema-a8bdd3e.sql", "-o"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let summary = &stderr[stderr.find("pg2znb: compiled").expect("a summary")..];
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for line in summary.lines().filter(|l| !l.trim_start().starts_with("wrote:")) {
        assert!(readme.contains(line), "README.md's sample summary lacks `{line}`; it prints:\n{summary}");
    }
}

/// pg_dumpall output is refused with how to dump one database at a time.
#[test]
fn pg_dumpall_output_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.sql");
    std::fs::write(
        &file,
        "--\n-- PostgreSQL database cluster dump\n--\n\nCREATE ROLE postgres;\nCREATE DATABASE shop;\n\\connect shop\nCREATE TABLE t (id int);\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(["compile", file.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("pg_dumpall output") && e.contains("pg_dump -d DB"), "{e}");
    assert!(!out.join("pre-data.sql").exists());
}

/// Lint speaks its own language: its parse and scan errors say nothing of compile's scripts.
#[test]
fn lint_errors_do_not_speak_of_compile() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.sql");
    std::fs::write(&file, "SELECT 1 FROM;\nSELECT 'unterminated\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(["lint", file.to_str().unwrap(), "--format", "json", "--no-config"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("E002") && out.contains("E001"), "{out}");
    for word in ["compile", "pre-data", "unsupported.sql"] {
        assert!(!out.contains(word), "lint output mentions {word}:\n{out}");
    }
}

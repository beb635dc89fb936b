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
    for f in ["pre-data.sql", "data.sql", "post-data.sql", "report.json", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let s = stderr(&o);
    assert!(s.contains("fates:    13 verbatim, 1 rewritten, 1 merged, 0 dropped"), "{s}");
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
    assert!(stderr(&o).contains("unknown --defer category `bogus`"), "{}", stderr(&o));

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
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("E003"), "{}", stderr(&o));

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

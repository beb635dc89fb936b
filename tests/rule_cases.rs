//! The project's own rule tests, through the harness users run (`pg2znb rules test`), plus tests
//! of the harness itself on small rule packs in temporary directories.
//!
//! Snapshot files: `rules/<category>/<id>/snapshots/<case>.snap` serve both the harness and insta.
//! They are insta's format (YAML front matter between `---` lines, then the body); the harness
//! compares and rewrites only the body and keeps an existing front matter, so one file per case
//! works with `pg2znb rules test --update` (no insta needed by users) and with `cargo insta
//! review`. Under `CI=true` insta refuses missing snapshots, and so does the harness.

use std::path::{Path, PathBuf};
use std::process::Command;

use pg2znb::rules::harness::{self, SnapshotStatus};
use pg2znb::rules::{load_rule, RulePack, Targets};

fn project_rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// Every case of every built-in rule, snapshotted through insta into the rule's `snapshots/`.
#[test]
fn rule_case_snapshots() {
    let report = harness::run_dir(&project_rules(), false).expect("rule files load");
    let mut problems = Vec::new();
    for rule in &report.rules {
        problems.extend(rule.problems.iter().map(|p| format!("{} {}: {p}", rule.code, rule.id)));
        for case in &rule.cases {
            problems.extend(case.result.failures.iter().map(|f| format!("{} {}: {f}", rule.id, case.result.name)));
            let description = format!("{} {} {}", rule.code, rule.id, case.result.name);
            insta::with_settings!({
                snapshot_path => rule.dir.join("snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => description,
            }, {
                insta::assert_snapshot!(case.result.name.as_str(), case.result.snapshot);
            });
        }
    }
    assert!(problems.is_empty(), "rule cases failed (see `cargo run -- rules test`):\n{}", problems.join("\n"));
}

/// `pg2znb rules test` in the project root: the same run, as CI and users see it.
#[test]
fn cli_rules_test_passes_on_the_project() {
    let out = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(["rules", "test"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let rules = harness::rule_dirs(&project_rules()).unwrap();
    for line in stdout.lines().take(rules.len()) {
        assert!(line.starts_with("ok   ZN"), "{line}");
    }
}

#[test]
fn every_project_rule_has_fires_and_ok_cases_and_docs() {
    let pack = RulePack::builtin().unwrap();
    let dirs = harness::rule_dirs(&project_rules()).unwrap();
    assert_eq!(dirs.len(), pack.rules.len(), "a rule.yaml without a directory of its own?");
    for d in &dirs {
        let names: Vec<&str> = d.cases.iter().map(|c| c.name.as_str()).collect();
        assert!(names.iter().any(|n| n.starts_with("fires_")), "{}: no fires_ case", d.dir.display());
        assert!(names.iter().any(|n| n.starts_with("ok_")), "{}: no ok_ case", d.dir.display());
    }
    for r in &pack.rules {
        assert!(r.docs.before.is_some() && r.docs.after.is_some(), "{}: docs.before/after missing", r.id);
    }
}

// ---- the harness on a user's pack ----------------------------------------------------------

const USER_RULE: &str = r#"id: no-unlogged-tables
code: ZN901
kind: check
severity: warning
summary: Unlogged tables are logged on ZNbaseDB
match:
  node: create_table
  where: table.unlogged
report:
  message: "table {table.schema}.{table.name} is UNLOGGED; ZNbaseDB ignores the keyword"
  help: drop UNLOGGED, or expect replication costs for the table
docs:
  why: |
    Every write is replicated.
  before: |
    CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v text);
  after: |
    -- pre-data.sql
    CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v text);
"#;

/// A user pack with one check rule and a fires_ and an ok_ case.
fn user_pack() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("tables/no-unlogged-tables");
    std::fs::create_dir_all(rule.join("cases")).unwrap();
    std::fs::write(rule.join("rule.yaml"), USER_RULE).unwrap();
    std::fs::write(
        rule.join("cases/fires_unlogged.sql"),
        "CREATE UNLOGGED TABLE public.sessions (id int PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(rule.join("cases/ok_logged.sql"), "CREATE TABLE public.sessions (id int PRIMARY KEY);\n").unwrap();
    dir
}

fn rule_dir(pack: &tempfile::TempDir) -> PathBuf {
    pack.path().join("tables/no-unlogged-tables")
}

fn cli(args: &[&str], cwd: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).current_dir(cwd).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn update_writes_insta_compatible_snapshots_then_the_run_passes() {
    let pack = user_pack();
    let root = pack.path().to_str().unwrap();
    let (code, out) = cli(&["rules", "test", root], pack.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no snapshots/fires_unlogged.snap (run with --update to write it)"), "{out}");
    assert!(out.ends_with("0 passed, 3 failed\n"), "{out}");

    let (code, out) = cli(&["rules", "test", root, "--update"], pack.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok   ZN901 no-unlogged-tables (3 cases)"), "{out}");
    let snap = std::fs::read_to_string(rule_dir(&pack).join("snapshots/fires_unlogged.snap")).unwrap();
    let (header, body) = harness::split_snapshot(&snap);
    assert_eq!(header, "---\nsource: pg2znb rules test\ndescription: ZN901 no-unlogged-tables fires_unlogged\n---\n");
    assert_eq!(
        body,
        "-- before\nCREATE UNLOGGED TABLE public.sessions (id int PRIMARY KEY);\n\n\
         -- diagnostics\n\
         ZN901 warning 1:1 table public.sessions is UNLOGGED; ZNbaseDB ignores the keyword\n\
         \x20 help: drop UNLOGGED, or expect replication costs for the table\n\n\
         -- after: pre-data\nCREATE UNLOGGED TABLE public.sessions (id int PRIMARY KEY);\n\n\
         -- after: post-data\n(empty)\n"
    );
    assert!(rule_dir(&pack).join("snapshots/docs.snap").is_file());

    let (code, out) = cli(&["rules", "test", root], pack.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().last(), Some("3 passed, 0 failed"));
}

#[test]
fn a_changed_output_fails_with_a_diff_and_update_keeps_the_front_matter() {
    let pack = user_pack();
    harness::run_dir(pack.path(), true).unwrap();
    let snap_path = rule_dir(&pack).join("snapshots/fires_unlogged.snap");
    // As insta would have written it, with a stale body.
    let insta_header = "---\nsource: tests/rule_cases.rs\ndescription: ZN901 no-unlogged-tables fires_unlogged\n---\n";
    let old = std::fs::read_to_string(&snap_path).unwrap();
    let stale =
        old.replace("pg2znb rules test", "tests/rule_cases.rs").replace("public.sessions", "public.old_sessions");
    std::fs::write(&snap_path, &stale).unwrap();

    let report = harness::run_dir(pack.path(), false).unwrap();
    let case = report.rules[0].cases.iter().find(|c| c.result.name == "fires_unlogged").unwrap();
    let SnapshotStatus::Differs { diff } = &case.snapshot else { panic!("{:?}", case.snapshot) };
    assert!(diff.contains("-CREATE UNLOGGED TABLE public.old_sessions (id int PRIMARY KEY);"), "{diff}");
    assert!(diff.contains("+CREATE UNLOGGED TABLE public.sessions (id int PRIMARY KEY);"), "{diff}");
    assert!(!report.passed());
    assert_eq!(report.counts(), (2, 1));

    let (code, out) = cli(&["rules", "test", pack.path().to_str().unwrap()], pack.path());
    assert_eq!(code, 1);
    assert!(out.contains("FAIL ZN901 no-unlogged-tables (3 cases, 1 failed)"), "{out}");
    assert!(out.contains("fires_unlogged: differs from snapshots/fires_unlogged.snap"), "{out}");
    assert!(out.contains("       +CREATE UNLOGGED TABLE public.sessions"), "{out}");
    assert!(out.ends_with("\n2 passed, 1 failed\n"), "{out}");

    let report = harness::run_dir(pack.path(), true).unwrap();
    assert!(report.passed());
    let new = std::fs::read_to_string(&snap_path).unwrap();
    assert!(new.starts_with(insta_header), "{new}");
    assert_eq!(harness::split_snapshot(&new).1, harness::split_snapshot(&old).1);
}

#[test]
fn fires_and_ok_expectations_are_checked() {
    let pack = user_pack();
    let cases = rule_dir(&pack).join("cases");
    std::fs::write(cases.join("fires_but_silent.sql"), "CREATE TABLE public.t (id int PRIMARY KEY);\n").unwrap();
    std::fs::write(cases.join("ok_but_fires.sql"), "CREATE UNLOGGED TABLE public.t (id int PRIMARY KEY);\n").unwrap();
    std::fs::write(cases.join("ok_broken.sql"), "CREATE TABLE public.t (id int PRIMARY KEY;\n").unwrap();
    let report = harness::run_dir(pack.path(), true).unwrap();
    let failures =
        |name: &str| report.rules[0].cases.iter().find(|c| c.result.name == name).unwrap().result.failures.join("\n");
    assert!(failures("fires_but_silent").contains("`fires_but_silent` should fire, but ZN901 reported nothing"));
    assert!(failures("ok_but_fires").contains("`ok_but_fires` should not fire, but ZN901 reported something"));
    let broken = failures("ok_broken");
    assert!(broken.contains("the compile reported E002 at 1:"), "{broken}");
    // The statement that does not parse left the scripts for unsupported.sql, so they re-parse.
    assert!(!broken.contains("does not re-parse"), "{broken}");
    assert!(failures("fires_unlogged").is_empty());
    assert!(!report.passed());
}

#[test]
fn a_rule_without_ok_case_or_with_a_stale_snapshot_fails() {
    let pack = user_pack();
    harness::run_dir(pack.path(), true).unwrap();
    let dir = rule_dir(&pack);
    std::fs::remove_file(dir.join("cases/ok_logged.sql")).unwrap();
    std::fs::write(dir.join("cases/sometimes.sql"), "SELECT 1;\n").unwrap();
    let report = harness::run_dir(pack.path(), false).unwrap();
    let problems = report.rules[0].problems.join("\n");
    assert!(problems.contains("no `cases/ok_*.sql` case"), "{problems}");
    assert!(problems.contains("`cases/sometimes.sql`: a case name starts with `fires_` or `ok_`"), "{problems}");
    assert!(problems.contains("snapshots/ok_logged.snap has no case (run with --update to remove it)"), "{problems}");

    let report = harness::run_dir(pack.path(), true).unwrap();
    assert!(report.rules[0].notes.contains(&"removed snapshots/ok_logged.snap (no such case)".to_string()));
    assert!(!dir.join("snapshots/ok_logged.snap").exists());
    assert!(!report.passed(), "still no ok_ case");
}

#[test]
fn docs_after_is_compared_with_the_output() {
    let pack = user_pack();
    let yaml = rule_dir(&pack).join("rule.yaml");
    let text = USER_RULE.replace(
        "    -- pre-data.sql\n    CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v text);\n",
        "    -- post-data.sql\n    CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v text);\n    CREATE TABLE public.cache (k text);\n",
    );
    assert_ne!(text, USER_RULE);
    std::fs::write(&yaml, text).unwrap();
    let report = harness::run_dir(pack.path(), true).unwrap();
    let docs = report.rules[0].cases.iter().find(|c| c.result.name == "docs").unwrap();
    let f = docs.result.failures.join("\n");
    assert!(
        f.contains("docs.after puts `CREATE UNLOGGED TABLE public.cache (k text PRIMARY KEY, v text)` in post-data.sql, but the output has it in pre-data.sql"),
        "{f}"
    );
    assert!(f.contains("docs.after statement not found in the output: `CREATE TABLE public.cache (k text)`"), "{f}");
}

#[test]
fn rule_file_errors_and_missing_directories_exit_2() {
    let pack = user_pack();
    let (code, out) = cli(&["rules", "test", "no-such-dir"], pack.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no-such-dir: no such directory"), "{out}");
    // Without DIR: ./rules, absent here.
    let (code, out) = cli(&["rules", "test"], pack.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("rules: no such directory"), "{out}");

    // A code the built-in pack already uses.
    std::fs::write(rule_dir(&pack).join("rule.yaml"), USER_RULE.replace("ZN901", "ZN101")).unwrap();
    let (code, out) = cli(&["rules", "test", pack.path().to_str().unwrap()], pack.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("code ZN101 is used by both"), "{out}");

    // A typo in a path, with its position.
    std::fs::write(rule_dir(&pack).join("rule.yaml"), USER_RULE.replace("table.unlogged", "table.unloged")).unwrap();
    let (code, out) = cli(&["rules", "test", pack.path().to_str().unwrap()], pack.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("rule.yaml:8:"), "{out}");

    let empty = tempfile::tempdir().unwrap();
    let (code, out) = cli(&["rules", "test", empty.path().to_str().unwrap()], pack.path());
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no rule.yaml below this directory"), "{out}");
}

#[test]
fn cases_run_at_a_version_where_the_rule_applies() {
    let targets = Targets::builtin();
    let pack = RulePack { targets: targets.clone(), rules: Vec::new() };
    let with = |extra: &str| load_rule("x/rule.yaml", &format!("{USER_RULE}target:\n{extra}"), &targets).unwrap();
    let opts = harness::case_options(&pack, &with("  since: \"2.20\"\n")).unwrap();
    assert_eq!(opts.target, "2.20");
    assert!(opts.unsafe_fixes);
    assert_eq!(opts.select, vec!["ZN901".to_string()]);
    assert_eq!(opts.defer.len(), 5);
    assert_eq!(harness::case_options(&pack, &with("  until: \"2.23\"\n")).unwrap().target, "2.6");
    assert!(harness::case_options(&pack, &with("  until: \"2.6\"\n")).is_err());
}

#[test]
fn update_does_not_write_the_snapshot_of_a_failing_case() {
    let pack = user_pack();
    harness::run_dir(pack.path(), true).unwrap();
    let dir = rule_dir(&pack);
    // A new case that fails its check (it should fire, but the table is logged).
    std::fs::write(dir.join("cases/fires_but_silent.sql"), "CREATE TABLE public.t (id int PRIMARY KEY);\n").unwrap();
    // An existing case changed so that it fails: its old snapshot stays as it was.
    let logged = dir.join("snapshots/fires_unlogged.snap");
    let before = std::fs::read_to_string(&logged).unwrap();
    std::fs::write(dir.join("cases/fires_unlogged.sql"), "CREATE TABLE public.sessions (id int PRIMARY KEY);\n")
        .unwrap();

    let (code, out) = cli(&["rules", "test", pack.path().to_str().unwrap(), "--update"], pack.path());
    assert_eq!(code, 1, "{out}");
    assert!(!dir.join("snapshots/fires_but_silent.snap").exists(), "{out}");
    assert_eq!(std::fs::read_to_string(&logged).unwrap(), before);
    assert!(
        out.contains("fires_but_silent: snapshots/fires_but_silent.snap not written: the case fails its checks"),
        "{out}"
    );
    assert!(out.contains("fires_unlogged: snapshots/fires_unlogged.snap not written"), "{out}");
    assert!(out.contains("       +CREATE TABLE public.sessions"), "{out}");
}

//! `pg2znb.toml`: discovery from a directory upward, merging with command-line flags, and errors
//! that point at the file's line and column.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pg2znb::config::{self, Config, ConfigError, Settings, CONFIG_FILE};
use pg2znb::render::format::Format;
use pg2znb::rules::{DeferCategory, RulePack};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(Path::new("proj/pg2znb.toml"), text)
}

fn error(text: &str) -> (usize, usize, String) {
    match parse(text) {
        Err(ConfigError::Invalid { line, column, message, .. }) => (line, column, message),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn discovery_walks_up_and_the_nearest_file_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    if root.ancestors().any(|d| d.join(CONFIG_FILE).is_file()) {
        eprintln!("skipped: a pg2znb.toml above the temporary directory");
        return;
    }
    let deep = root.join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    assert!(config::discover(&deep).unwrap().is_none());

    write(&root.join("a").join(CONFIG_FILE), "target_version = \"2.20\"\n");
    let (path, c) = config::discover(&deep).unwrap().expect("found in a/");
    assert_eq!(path, std::path::absolute(root.join("a").join(CONFIG_FILE)).unwrap());
    assert_eq!(c.path, path);
    assert_eq!(c.target_version.as_deref(), Some("2.20"));

    write(&root.join("a/b").join(CONFIG_FILE), "ignore = [\"ZN105\"]\n");
    let (path, c) = config::discover(&deep).unwrap().expect("found in a/b/");
    assert!(path.ends_with("a/b/pg2znb.toml"), "{}", path.display());
    assert_eq!(c.target_version, None, "files are not merged: the nearest wins");
    assert_eq!(c.ignore, Some(vec!["ZN105".to_string()]));

    // A directory named pg2znb.toml is not a config file.
    std::fs::create_dir_all(deep.join(CONFIG_FILE)).unwrap();
    assert!(config::discover(&deep).unwrap().unwrap().0.ends_with("a/b/pg2znb.toml"));
}

#[test]
fn every_key_is_read_and_rule_dirs_are_relative_to_the_file() {
    let c = Config::parse(
        Path::new("/work/proj/pg2znb.toml"),
        r#"
target_version = "2.20"
select = ["ZN101", "defer-foreign-keys"]
ignore = ["ZN105"]
rules = ["ci/rules", "/opt/pg2znb-rules"]
defer = ["fks", "checks"]
unsafe_fixes = true
format = "sarif"
"#,
    )
    .unwrap();
    assert_eq!(c.target_version.as_deref(), Some("2.20"));
    assert_eq!(c.select, Some(vec!["ZN101".into(), "defer-foreign-keys".into()]));
    assert_eq!(c.ignore, Some(vec!["ZN105".into()]));
    assert_eq!(c.rules, [PathBuf::from("/work/proj/ci/rules"), PathBuf::from("/opt/pg2znb-rules")]);
    assert_eq!(c.defer, Some(BTreeSet::from([DeferCategory::Fks, DeferCategory::Checks])));
    assert_eq!(c.unsafe_fixes, Some(true));
    assert_eq!(c.format, Some(Format::Sarif));
    assert_eq!(c.position("format"), Some((8, 10)));
    assert_eq!(c.position("select.1"), Some((3, 20)));
    assert_eq!(c.locate("ignore"), "/work/proj/pg2znb.toml:4:10");

    // A relative config path keeps rule directories relative to the same directory.
    let c = parse("rules = [\"rules\"]").unwrap();
    assert_eq!(c.rules, [PathBuf::from("proj/rules")]);
    // The CLI's spellings work too, and defer takes the CLI's list syntax or `none`.
    let c = parse("target-version = \"2.6\"\nunsafe-fixes = false\ndefer = \"triggers, indexes\"").unwrap();
    assert_eq!(c.target_version.as_deref(), Some("2.6"));
    assert_eq!(c.defer, Some(BTreeSet::from([DeferCategory::Triggers, DeferCategory::Indexes])));
    assert_eq!(parse("defer = \"none\"").unwrap().defer, Some(BTreeSet::new()));
    let empty = parse("").unwrap();
    assert_eq!((empty.target_version, empty.select, empty.defer, empty.format), (None, None, None, None));
}

#[test]
fn command_line_flags_override_the_file() {
    let file = parse(
        "target_version = \"2.20\"\nselect = [\"ZN101\"]\nignore = [\"ZN105\"]\nrules = [\"r1\"]\n\
         defer = \"fks\"\nunsafe_fixes = true\nformat = \"json\"\n",
    )
    .unwrap();

    // Nothing on the command line: the file's values.
    let s = file.apply_to(Settings::default());
    assert_eq!(s.target_version.as_deref(), Some("2.20"));
    assert_eq!(s.select, ["ZN101"]);
    assert_eq!(s.ignore, ["ZN105"]);
    assert_eq!(s.rules, [PathBuf::from("proj/r1")]);
    assert_eq!(s.defer, Some(BTreeSet::from([DeferCategory::Fks])));
    assert!(s.unsafe_fixes);
    assert_eq!(s.format, Some(Format::Json));

    // Flags replace the file's values; rule directories add up (file first).
    let cli = Settings {
        target_version: Some("2.6".into()),
        select: vec!["ZN102".into()],
        ignore: vec!["ZN106".into()],
        rules: vec!["r2".into()],
        defer: Some(BTreeSet::new()),
        unsafe_fixes: false,
        format: Some(Format::Github),
    };
    let s = file.apply_to(cli);
    assert_eq!(s.target_version.as_deref(), Some("2.6"));
    assert_eq!(s.select, ["ZN102"]);
    assert_eq!(s.ignore, ["ZN106"]);
    assert_eq!(s.rules, [PathBuf::from("proj/r1"), PathBuf::from("r2")]);
    assert_eq!(s.defer, Some(BTreeSet::new()));
    assert!(s.unsafe_fixes, "--unsafe-fixes cannot be turned off from the command line");
    assert_eq!(s.format, Some(Format::Github));

    // The format: set, else github in GitHub Actions, else human.
    let unset = Settings::default();
    assert_eq!(unset.format_or_default(true), Format::Github);
    assert_eq!(unset.format_or_default(false), Format::Human);
    assert_eq!(s.format_or_default(false), Format::Github);
    let empty = parse("").unwrap().apply_to(Settings::default());
    assert_eq!(empty, Settings::default());
}

#[test]
fn errors_point_at_the_line_and_column() {
    let (l, c, m) = error("target_version = \"2.20\"\nselectt = [\"ZN101\"]\n");
    assert_eq!((l, c), (2, 1));
    assert!(m.contains("unknown field `selectt`"), "{m}");

    let (l, c, m) = error("select = \"ZN101\"\n");
    assert_eq!((l, c), (1, 10));
    assert!(m.contains("invalid type"), "{m}");

    let (l, c, m) = error("\n\ndefer = [\"fks\", \"views\"]\n");
    assert_eq!((l, c), (3, 9));
    assert!(m.contains("unknown defer category `views`"), "{m}");

    let (l, c, m) = error("format = \"xml\"\n");
    assert_eq!((l, c), (1, 10));
    assert!(m.contains("unknown variant `xml`"), "{m}");

    let (l, _, m) = error("select = [\"ZN101\"\n");
    assert_eq!(l, 1);
    assert!(!m.is_empty());

    let e = parse("format = 1\n").unwrap_err().to_string();
    assert!(e.starts_with("proj/pg2znb.toml:1:10: "), "{e}");

    let e = Config::load(Path::new("/nonexistent/pg2znb.toml")).unwrap_err().to_string();
    assert!(e.starts_with("/nonexistent/pg2znb.toml: cannot read"), "{e}");
}

#[test]
fn values_checked_against_the_rule_pack_point_at_their_entry() {
    let pack = RulePack::builtin().unwrap();
    let ok = parse("target_version = \"2.20\"\nselect = [\"ZN101\", \"defer-foreign-keys\"]\n").unwrap();
    ok.validate(&pack).unwrap();

    let bad = parse("select = [\"ZN101\",\n  \"ZN999\"]\n").unwrap();
    let e = bad.validate(&pack).unwrap_err().to_string();
    assert_eq!(e, "proj/pg2znb.toml:2:3: no rule with code or id `ZN999` (see `pg2znb rules list`)");

    let bad = parse("ignore = []\ntarget_version = \"9.9\"\n").unwrap();
    let e = bad.validate(&pack).unwrap_err().to_string();
    assert!(e.starts_with("proj/pg2znb.toml:2:18: unknown target version `9.9`: not a ZNbaseDB release"), "{e}");
    assert!(
        e.ends_with("versions: 2.6, 2.8, 2.12, 2.14, 2.16, 2.18, 2.20, 2.23, 2024.1, 2024.2, 2.25, 2025.1, 2025.2"),
        "{e}"
    );
    // Versions as releases name them are accepted; `auto` needs the command line's --target.
    for v in ["2.21", "2.20.3.0-b51", "2024.2.1", "auto"] {
        parse(&format!("target_version = \"{v}\"\n")).unwrap().validate(&pack).unwrap();
    }
}

#[test]
fn defer_lists_parse_like_the_command_line() {
    assert_eq!(
        config::parse_defer(["fks,checks"]).unwrap(),
        BTreeSet::from([DeferCategory::Fks, DeferCategory::Checks])
    );
    assert_eq!(config::parse_defer(["none"]).unwrap(), BTreeSet::new());
    assert_eq!(config::parse_defer(["indexes", " triggers "]).unwrap().len(), 2);
    assert!(config::parse_defer(["fk"]).unwrap_err().contains("unknown defer category `fk`"));
}

// `pg2znb compile` reads the config: found from the working directory, named by --config, or
// none with --no-config.

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pg2znb")).current_dir(dir).args(args).output().unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name).display().to_string()
}

fn codes_in_report(out: &Path) -> Vec<String> {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn compile_uses_the_discovered_config_unless_told_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    if tmp.path().ancestors().skip(1).any(|d| d.join(CONFIG_FILE).is_file()) {
        eprintln!("skipped: a pg2znb.toml above the temporary directory");
        return;
    }
    let work = tmp.path().join("project/sub");
    std::fs::create_dir_all(&work).unwrap();
    write(&tmp.path().join("project").join(CONFIG_FILE), "ignore = [\"ZN101\", \"ZN107\"]\ndefer = \"none\"\n");
    let input = fixture("compile/keys-and-deferral.sql");

    let o = run_in(&work, &["compile", &input, "-o", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let codes = codes_in_report(&work.join("out"));
    assert!(!codes.iter().any(|c| c == "ZN101"), "ignored by the config: {codes:?}");
    assert!(!codes.iter().any(|c| c == "ZN102"), "defer = none: {codes:?}");

    // A flag beats the file.
    let o = run_in(&work, &["compile", &input, "-o", "out", "--ignore", "ZN105"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(codes_in_report(&work.join("out")).iter().any(|c| c == "ZN101"));

    let o = run_in(&work, &["compile", &input, "-o", "out", "--no-config"]);
    assert_eq!(o.status.code(), Some(0));
    let codes = codes_in_report(&work.join("out"));
    assert!(codes.iter().any(|c| c == "ZN101") && codes.iter().any(|c| c == "ZN102"), "{codes:?}");

    // --config names a file anywhere; its format applies when --format is not given.
    let other = tmp.path().join("elsewhere/ci.toml");
    write(&other, "format = \"json\"\nselect = [\"inline-primary-key\"]\n");
    let o = run_in(&work, &["compile", &input, "-o", "out", "--config", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json on stdout");
    let codes: BTreeSet<&str> =
        findings["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, BTreeSet::from(["ZN101"]));
    let o = run_in(&work, &["compile", &input, "-o", "out", "--config", "missing.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.toml: cannot read"));
    let o = run_in(&work, &["compile", &input, "-o", "out", "--config", "x.toml", "--no-config"]);
    assert_eq!(o.status.code(), Some(2), "the two flags conflict");
}

#[test]
fn compile_reports_config_errors_with_positions() {
    let tmp = tempfile::tempdir().unwrap();
    let input = fixture("compile/keys-and-deferral.sql");
    let cases = [
        ("target_version = \"2.20\"\nunsafe = true\n", ":2:1: unknown field `unsafe`"),
        ("select = [\"ZN101\", \"ZN999\"]\n", ":1:20: no rule with code or id `ZN999`"),
        ("target_version = \"1.0\"\n", ":1:18: unknown target version `1.0`"),
        ("defer = [\"fks\", \"views\"]\n", ":1:9: unknown defer category `views`"),
    ];
    for (text, expected) in cases {
        write(&tmp.path().join(CONFIG_FILE), text);
        let o = run_in(tmp.path(), &["compile", &input, "-o", "out"]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}: {stderr}");
        assert!(stderr.contains(&format!("{CONFIG_FILE}{expected}")), "{text}: {stderr}");
    }
}

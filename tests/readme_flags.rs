//! README.md and `--help` agree: every option a subcommand accepts is documented in the README (as
//! `` `--flag`` or its short form `` `-x``), and every `` `--flag`` the README names is accepted by
//! some subcommand (no stale option survives a rename).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const COMMANDS: &[&[&str]] = &[
    &["compile"],
    &["lint"],
    &["verify"],
    &["rules", "list"],
    &["rules", "test"],
    &["explain"],
    &["bench"],
    &["synth"],
    &["migrate"],
    &["migrate", "status"],
    &["apply"],
    &["export"],
    &["import"],
];

/// (long, short) options of one subcommand, from its `--help`.
fn options(cmd: &[&str]) -> Vec<(String, Option<String>)> {
    let out = Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(cmd).arg("--help").output().unwrap();
    assert!(out.status.success(), "{cmd:?} --help failed");
    let help = String::from_utf8(out.stdout).unwrap();
    let mut found = Vec::new();
    for line in help.lines() {
        let t = line.trim_start();
        // Option lines are indented by 2 to 6 spaces; deeper lines continue a description.
        let indent = line.len() - t.len();
        if !(2..=6).contains(&indent) || !t.starts_with('-') {
            continue;
        }
        let (short, rest) = match t.strip_prefix('-').filter(|r| !r.starts_with('-')) {
            Some(r) => (Some(format!("-{}", &r[..1])), r[1..].trim_start_matches(", ")),
            None => (None, t),
        };
        let Some(long) = rest.strip_prefix("--") else { continue };
        let name: String = long.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if name != "help" && name != "version" {
            found.push((format!("--{name}"), short));
        }
    }
    found
}

/// The option-like words of the README's code (inline spans and blocks).
fn code_words(readme: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for part in readme.split('`').skip(1).step_by(2) {
        for word in part.split_whitespace().filter(|w| w.starts_with('-')) {
            let name: String = word.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if name.len() > 1 {
                words.insert(name);
            }
        }
    }
    words
}

#[test]
fn every_option_is_in_the_readme_and_every_readme_option_exists() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let words = code_words(&readme);
    let mut accepted = BTreeSet::new();
    let mut missing = Vec::new();
    for cmd in COMMANDS {
        for (long, short) in options(cmd) {
            let documented = words.contains(&long) || short.as_ref().is_some_and(|s| words.contains(s));
            if !documented {
                missing.push(format!("{} {long}", cmd.join(" ")));
            }
            accepted.insert(long);
        }
    }
    assert!(missing.is_empty(), "options --help lists that README.md does not document: {missing:?}");
    let mut stale: BTreeSet<String> =
        words.into_iter().filter(|w| w.starts_with("--") && w.len() > 2 && !accepted.contains(w)).collect();
    // Options of other programs the README quotes (pg_dump, psql, pgcopydb, cargo, pg_restore).
    for other in [
        "--schema-only",
        "--snapshot",
        "--locked",
        "--release",
        "--data-only",
        "--table-jobs",
        "--index-jobs",
        "--no-acl",
        "--file",
        "--dbname",
        "--list",
        "--set",
        "--no-sync",
        "--force",
        "--clean",
        "--globals-only",
        "--if-exists",
    ] {
        stale.remove(other);
    }
    assert!(stale.is_empty(), "README.md names options no subcommand accepts: {stale:?}");
}

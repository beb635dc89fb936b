//! `docs/rules.md` is generated from the rule files and must be up to date; every rule directory
//! must carry its cases.

use std::path::Path;

use pg2znb::rules::{docs, harness, RulePack};

#[test]
fn docs_rules_md_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The built-in pack is embedded from rules/**/rule.yaml (build.rs reruns when they change).
    let want = docs::render_markdown(&RulePack::builtin().expect("rule files load"));
    let have = std::fs::read_to_string(root.join("docs/rules.md")).unwrap_or_default();
    if have != want {
        let diff = harness::line_diff(&have, &want);
        panic!("docs/rules.md is stale; regenerate it with `cargo run -- rules docs > docs/rules.md`\n{diff}");
    }
}

#[test]
fn every_rule_directory_has_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut missing = Vec::new();
    for d in harness::rule_dirs(&root).unwrap() {
        for prefix in ["fires_", "ok_"] {
            if !d.cases.iter().any(|c| c.name.starts_with(prefix)) {
                missing.push(format!("{}: no cases/{prefix}*.sql", d.dir.display()));
            }
        }
    }
    assert!(missing.is_empty(), "every rule needs a fires_ and an ok_ case:\n{}", missing.join("\n"));
}

/// The binary embeds `rules/` at build time (build.rs): it must hold exactly the rule files on
/// disk, or users would run a different pack than the one the cases test.
#[test]
fn embedded_pack_matches_the_rule_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let disk = pg2znb::rules::harness::load_pack(&root).expect("rules on disk load");
    let built = pg2znb::rules::RulePack::builtin().expect("built-in rules load");
    let codes =
        |p: &pg2znb::rules::RulePack| p.rules.iter().map(|r| (r.code.clone(), r.id.clone())).collect::<Vec<_>>();
    assert_eq!(codes(&built), codes(&disk), "rebuild: build.rs did not pick up a rule change");
}

/// The binary embeds `rules/settings/postgres-*.txt` too (build.rs): the settings it knows for each
/// PostgreSQL base must be the lists on disk, and every base in `rules/targets.yaml` must have one.
#[test]
fn embedded_settings_match_the_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let disk = pg2znb::rules::harness::load_settings(&root.join("settings")).expect("settings lists load");
    let built = pg2znb::rules::Targets::builtin();
    assert_eq!(built.settings, disk, "rebuild: build.rs did not pick up a settings list change");
    for v in &built.versions {
        let known = built.known_settings(&v.version);
        assert!(known.is_some(), "no rules/settings list for PostgreSQL {} (ZNbaseDB {})", v.postgres, v.version);
        // Lists are generated from pg_settings: a few names every base has.
        let known = known.unwrap();
        for name in ["search_path", "client_encoding", "timezone", "role"] {
            assert!(known.contains(name), "{name} missing from the list for PostgreSQL {}", v.postgres);
        }
    }
    assert!(!built.known_settings("2.6").unwrap().contains("default_table_access_method"));
    assert!(built.known_settings("2025.1").unwrap().contains("default_table_access_method"));
}

//! Snapshots of the compiled output of the small fixtures under `fixtures/compile/`.

mod support;

use std::path::Path;

fn snapshot(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile").join(format!("{name}.sql"));
    let c = support::compile::compile_file(&path);
    insta::assert_snapshot!(name, support::compile::describe(&c));
}

#[test]
fn keys_and_deferral() {
    snapshot("keys-and-deferral");
}

#[test]
fn full_dump() {
    snapshot("full-dump");
}

#[test]
fn broken_input() {
    snapshot("broken-input");
}

#[test]
fn search_path() {
    snapshot("search-path");
}

#[test]
fn defer_policy_indexes_and_none() {
    use pg2znb::rules::{ApplyOptions, DeferCategory};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/keys-and-deferral.sql");
    let all = ApplyOptions { defer: DeferCategory::ALL.into_iter().collect(), ..Default::default() };
    let c = support::compile::compile_with(&path, &all);
    assert!(c.scripts.post_data.contains("CREATE INDEX books_title_idx"));
    assert!(!c.scripts.pre_data.contains("CREATE INDEX books_title_idx"));
    // The partition-index attach needs the deferred indexes, so it follows them.
    let attach = c.scripts.post_data.find("ATTACH PARTITION public.events_2024_created_at_idx").unwrap();
    let idx = c.scripts.post_data.find("CREATE INDEX events_2024_created_at_idx").unwrap();
    assert!(idx < attach);

    let none = ApplyOptions { defer: Default::default(), ..Default::default() };
    let c = support::compile::compile_with(&path, &none);
    for needle in ["FOREIGN KEY", "CREATE TRIGGER", "UNIQUE (email)", "CHECK (qty"] {
        assert!(c.scripts.pre_data.contains(needle), "{needle} should stay in pre-data");
        assert!(!c.scripts.post_data.contains(needle), "{needle} should not be deferred");
    }
    // Primary keys are folded whatever the policy.
    assert!(c.scripts.pre_data.contains("CONSTRAINT authors_pkey PRIMARY KEY (id)\n);"));
}

#[test]
fn newer_base() {
    snapshot("newer-base");
}

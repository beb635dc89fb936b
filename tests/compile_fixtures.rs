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

/// CREATE SCHEMA elements: split, the xml table and what needs it moved alone, keys folded.
#[test]
fn schema_elements() {
    snapshot("schema-elements");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/schema-elements.sql");
    let c = support::compile::compile_file(&path);
    c.check_invariants().unwrap();
    let pre = &c.scripts.pre_data;
    for needle in [
        "CREATE SCHEMA sales;\n",
        "        customer text,\n        CONSTRAINT orders_pkey PRIMARY KEY (id)\n    );\n",
        "CREATE VIEW recent_orders AS SELECT id, customer FROM orders;\nCREATE INDEX orders_customer ON orders (customer);\nCOMMIT;",
        "CREATE TABLE accounts (id int NOT NULL, name text, PRIMARY KEY (id));\nCOMMIT;",
        "CREATE VIEW public.order_count",
    ] {
        assert!(pre.contains(needle), "{needle:?} not in pre-data:\n{pre}");
    }
    assert!(!pre.contains("invoice") && !pre.contains("ALTER TABLE"), "{pre}");
    let un = c.scripts.unsupported.as_deref().unwrap();
    for needle in [
        "CREATE TABLE sales.invoices (\n        id bigint NOT NULL,\n        order_id bigint,\n        body xml\n    );",
        "CREATE VIEW invoice_bodies AS SELECT id, body FROM invoices;",
        "ALTER TABLE ONLY sales.invoices\n    ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);",
        "CREATE VIEW public.invoice_count",
    ] {
        assert!(un.contains(needle), "{needle:?} not in unsupported.sql:\n{un}");
    }
}

#[test]
fn newer_base() {
    snapshot("newer-base");
}

//! Issue 2, acceptance 3: on a throwaway PostgreSQL, the source loads into one database and
//! pre-data, data, post-data load into another, both with zero errors; the two catalogs (tables,
//! columns with types/defaults/nullability, constraints, indexes, triggers, views, functions,
//! sequences) are equal except for what the report declares; for the full dump, row counts too.

mod support;

use pg2znb::verify::RowMode;
use support::pg::PgServer;

fn roundtrip(name: &str, rel: &str, rows: RowMode, expect: &[(&str, usize)]) {
    let Some(dir) = support::corpus::corpus_dir() else { return };
    let Some(s) = PgServer::shared() else { return };
    let r = support::roundtrip::compile_load_compare(s, name, &dir.join(rel), &[], rows);
    let human = r.render_human();
    assert_eq!(r.exit_code(), 0, "{rel}: unexpected differences\n{human}");
    assert_eq!(r.unexpected().count(), 0, "{human}");
    for (kind, at_least) in expect {
        let n = r.matched.get(*kind).copied().unwrap_or(0);
        assert!(n >= *at_least, "{rel}: matched {n} {kind}, expected at least {at_least}\n{human}");
    }
}

#[test]
fn pagila_schema() {
    roundtrip(
        "rt_pagila",
        "pagila/pagila-schema-a8bdd3e.sql",
        RowMode::None,
        &[
            ("table", 20),
            ("column", 100),
            ("constraint", 40),
            ("index", 30),
            ("trigger", 10),
            ("view", 5),
            ("function", 5),
            ("sequence", 10),
        ],
    );
}

#[test]
fn pagila_full_dump_with_row_counts() {
    roundtrip(
        "rt_pagila_full",
        "pgdump15-generated/pagila-full-pgdump15.sql",
        RowMode::Exact,
        &[("table", 20), ("row_count", 20), ("constraint", 40), ("trigger", 10), ("sequence_position", 10)],
    );
}

#[test]
fn northwind() {
    roundtrip(
        "rt_northwind",
        "northwind/northwind.sql",
        RowMode::Exact,
        &[("table", 10), ("constraint", 20), ("row_count", 10)],
    );
}

#[test]
fn danbooru() {
    roundtrip(
        "rt_danbooru",
        "danbooru/structure.sql",
        RowMode::None,
        &[("table", 50), ("index", 300), ("constraint", 100)],
    );
}

#[test]
fn coder() {
    roundtrip(
        "rt_coder",
        "coder/dump.sql",
        RowMode::None,
        &[("table", 100), ("trigger", 20), ("constraint", 300), ("function", 20)],
    );
}

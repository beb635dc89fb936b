//! The full loop of issue 5, acceptance 1: load the source into A; `pg2znb compile`; load
//! pre-data, data and post-data into B; `pg2znb verify --source A --target B --manifest …
//! --rows exact` exits 0. Run on pagila-full-pgdump15.sql (from `../shared/corpus`) and on the
//! small `fixtures/verify/shop.sql`.
//!
//! One server for the binary (each test uses its own databases).
//! `pagila_copy_matches_itself` runs now: it checks the catalog snapshot on a real dump
//! (partitions, materialized views, domains, non-ASCII names, 46k rows) without `compile`.

mod support;

use std::path::{Path, PathBuf};

use pg2znb::verify::{self, RowMode, VerifyOptions};
use support::pg::PgServer;

fn pagila() -> Option<PathBuf> {
    let dir = support::corpus::corpus_dir()?;
    Some(dir.join("pgdump15-generated/pagila-full-pgdump15.sql"))
}

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/verify/shop.sql")
}

#[test]
fn pagila_copy_matches_itself() {
    let Some(file) = pagila() else { return };
    let Some(s) = PgServer::shared() else { return };
    s.create_db("pagila_a");
    s.psql_file("pagila_a", &file).unwrap_or_else(|e| panic!("loading {}: {e}", file.display()));
    s.create_db_from("pagila_b", "pagila_a");
    let opts = VerifyOptions {
        source: s.url("pagila_a"),
        target: s.url("pagila_b"),
        rows: RowMode::Exact,
        ..VerifyOptions::default()
    };
    let r = verify::run(&opts).unwrap_or_else(|e| panic!("{e}"));
    let human = r.render_human();
    assert_eq!(r.exit_code(), 0, "{human}");
    for (kind, at_least) in [
        ("table", 20),
        ("materialized_view", 1),
        ("view", 5),
        ("trigger", 10),
        ("function", 5),
        ("row_count", 20),
        ("sequence_position", 10),
    ] {
        let n = r.matched.get(kind).copied().unwrap_or(0);
        assert!(n >= at_least, "{kind}: {n} < {at_least}\n{human}");
    }

    // A planted fault in a partition is still found among all of that.
    s.exec("pagila_b", "DROP INDEX public.idx_fk_payment_p2022_01_customer_id");
    let r = verify::run(&opts).unwrap_or_else(|e| panic!("{e}"));
    let found: Vec<_> = r.unexpected().map(|d| d.object.as_str()).collect();
    assert_eq!(found, vec!["public.idx_fk_payment_p2022_01_customer_id"], "{}", r.render_human());
}

/// Compile `file`, load the output into a fresh database, verify it against the source.
fn full_loop(s: &PgServer, name: &str, file: &Path) {
    let loaded = support::roundtrip::compile_and_load(s, name, file, &[]);
    let (src, tgt, out) = (&loaded.source_db, &loaded.target_db, &loaded.out);
    let manifest = out.path().join("manifest.json");
    let (source_url, target_url) = (s.url(src), s.url(tgt));
    let o = support::roundtrip::pg2znb(&[
        "verify",
        "--source",
        &source_url,
        "--target",
        &target_url,
        "--manifest",
        manifest.to_str().unwrap(),
        "--rows",
        "exact",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "verify of {} found unexpected differences:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // The manifest is this source's: its fingerprint, recomputed from the source's catalog, matches.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("warning"), "{}: {stderr}", file.display());
}

/// A manifest compiled from another database: verify warns, naming the manifest, the source and
/// what differs (the database's name, the tables only on either side), and still compares.
#[test]
fn a_manifest_of_another_database_is_warned_about() {
    let Some(s) = PgServer::shared() else { return };
    let loaded = support::roundtrip::compile_and_load(s, "shop_origin", &shop(), &[]);
    let (source_url, target_url) = (s.url(&loaded.source_db), s.url(&loaded.target_db));
    let verify = |manifest: &Path| {
        let o = support::roundtrip::pg2znb(&[
            "verify",
            "--source",
            &source_url,
            "--target",
            &target_url,
            "--manifest",
            manifest.to_str().unwrap(),
        ]);
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let right = loaded.out.path().join("manifest.json");
    let (code, stderr) = verify(&right);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    // A pg_dump --create dump of another database, `crm`.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("crm.sql");
    std::fs::write(
        &other,
        "--\n-- Name: crm; Type: DATABASE; Schema: -; Owner: postgres\n--\n\n\
         CREATE DATABASE crm WITH TEMPLATE = template0 ENCODING = 'UTF8';\n\n\
         CREATE TABLE public.contacts (id integer NOT NULL, name text);\n",
    )
    .unwrap();
    let crm = support::roundtrip::compile(&other, &[]);
    let wrong = crm.path("manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&wrong).unwrap()).unwrap();
    assert_eq!(manifest["source"]["database"], "crm", "{manifest}");
    let (code, stderr) = verify(&wrong);
    // The comparison still runs: the shop's tables are differences the crm manifest does not excuse.
    assert_eq!(code, Some(1), "{stderr}");
    let warning =
        stderr.lines().find(|l| l.starts_with("pg2znb: warning: manifest ")).unwrap_or_else(|| panic!("{stderr}"));
    for part in [
        wrong.to_str().unwrap(),
        &format!("does not describe the source {}", source_url.rsplit('@').next().unwrap().split('?').next().unwrap()),
        "compiled from database `crm`, the source is `shop_origin_src`",
        "only in the manifest: 1 (table public.contacts)",
        "table public.customers",
        "compile the manifest from this database's dump",
    ] {
        assert!(warning.contains(part), "warning lacks `{part}`: {warning}");
    }
    assert!(!warning.contains("password"), "{warning}");
}

/// A script that renames and moves tables, columns, constraints, indexes and views, and uses a
/// temporary table: its manifest names what the loaded source holds, so verify matches it without
/// a warning.
#[test]
fn a_manifest_follows_renames_and_moves() {
    let Some(s) = PgServer::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("renames.sql");
    std::fs::write(
        &file,
        "CREATE SCHEMA archive;\n\
         CREATE TABLE public.orders_old (id integer PRIMARY KEY, note text);\n\
         CREATE INDEX orders_old_note ON public.orders_old (note);\n\
         ALTER TABLE public.orders_old ADD CONSTRAINT note_len CHECK (length(note) < 100);\n\
         ALTER TABLE public.orders_old RENAME TO orders;\n\
         ALTER TABLE public.orders RENAME COLUMN note TO comment;\n\
         ALTER TABLE public.orders RENAME CONSTRAINT note_len TO comment_len;\n\
         ALTER INDEX public.orders_old_note RENAME TO orders_comment;\n\
         CREATE TABLE public.events (id integer PRIMARY KEY, at date);\n\
         CREATE INDEX events_at ON public.events (at);\n\
         ALTER TABLE public.events SET SCHEMA archive;\n\
         CREATE VIEW public.recent AS SELECT id FROM public.orders;\n\
         ALTER VIEW public.recent RENAME TO latest;\n\
         CREATE TEMP TABLE scratch (id integer);\n\
         CREATE INDEX scratch_id ON scratch (id);\n\
         INSERT INTO scratch SELECT id FROM public.orders;\n",
    )
    .unwrap();
    let loaded = support::roundtrip::compile_and_load(s, "renames", &file, &[]);
    let o = support::roundtrip::pg2znb(&[
        "verify",
        "--source",
        &s.url(&loaded.source_db),
        "--target",
        &s.url(&loaded.target_db),
        "--manifest",
        loaded.out.path().join("manifest.json").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}{}", String::from_utf8_lossy(&o.stdout));
    assert!(!stderr.contains("warning"), "{stderr}");
    let manifest = std::fs::read_to_string(loaded.out.path().join("manifest.json")).unwrap();
    for old in ["orders_old", "\"note\"", "note_len", "\"recent\"", "scratch"] {
        assert!(!manifest.contains(old), "the manifest still names {old}:\n{manifest}");
    }
}

#[test]
fn compile_load_verify_pagila() {
    let Some(file) = pagila() else { return };
    let Some(s) = PgServer::shared() else { return };
    full_loop(s, "pagila", &file);
}

#[test]
fn compile_load_verify_shop() {
    let Some(s) = PgServer::shared() else { return };
    full_loop(s, "shop", &shop());
}

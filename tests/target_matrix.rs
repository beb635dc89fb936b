//! The target matrix (issue 11): the scripts load on the target's own engine. For every corpus
//! schema that loads on PostgreSQL 15 as written, the source is loaded there; its compiled output
//! for each target loads on that target's engine (2.x: PostgreSQL 11, 2025.x: PostgreSQL 15) exactly
//! as the README says (each script in its own psql session, ON_ERROR_STOP=1) with zero errors, and
//! `verify --manifest` finds no unexpected difference between source and target, rows included.
//! Schemas whose source needs what neither engine has (PostGIS, pgvector, PostgreSQL 18 syntax)
//! are in the matrix too: their output must load, with the rest in unsupported.sql.

mod support;

use std::path::{Path, PathBuf};

use pg2znb::verify::RowMode;
use support::pg::{Engine, PgServer};
use support::roundtrip::{compare, compile, load};

/// Every target line of ZNbaseDB, with the engine under it.
const TARGETS: &[(&str, Engine)] = &[("2.6", Engine::Pg11), ("2.20", Engine::Pg11), ("2025.1", Engine::Pg15)];

fn db_name(name: &str, version: &str) -> String {
    format!("{name}_{}", version.replace('.', "_"))
}

/// Load the source as written into PostgreSQL 15, then compile, load and compare for every target.
fn matrix(name: &str, rel: &str, expect: &[(&str, usize)]) {
    let Some(dir) = support::corpus::corpus_dir() else { return };
    let file = dir.join(rel);
    let Some(src) = PgServer::shared_engine(Engine::Pg15) else { return };
    let source_db = format!("{name}_src");
    src.create_db(&source_db);
    src.psql_file(&source_db, &file).unwrap_or_else(|e| panic!("loading source {rel}: {e}"));
    let mut failures = Vec::new();
    for &(version, engine) in TARGETS {
        let Some(tgt) = PgServer::shared_engine(engine) else { return };
        let c = compile(&file, &["--target-version", version]);
        let target_db = db_name(name, version);
        if let Err(e) = load(tgt, &target_db, &c) {
            failures.push(format!("{rel} for {version} on PostgreSQL {}: {e}", engine.major()));
            continue;
        }
        let r = compare(src, &source_db, tgt, &target_db, &c, RowMode::Checksum);
        let human = r.render_human();
        // The manifest's recorded source is this one (the fingerprint recomputed from its catalog).
        if let Some(m) = &r.source_mismatch {
            failures.push(format!("{rel} for {version}: {}", m.message("manifest.json", &r.source)));
        }
        if r.exit_code() != 0 || r.unexpected().count() != 0 {
            failures.push(format!("{rel} for {version}: unexpected differences\n{human}"));
            continue;
        }
        for (kind, at_least) in expect {
            let n = r.matched.get(*kind).copied().unwrap_or(0);
            if n < *at_least {
                failures
                    .push(format!("{rel} for {version}: matched {n} {kind}, expected at least {at_least}\n{human}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A schema whose source cannot load on either engine: its output must, for every target.
fn loads_everywhere(name: &str, rel: &str, moved: &[&str]) {
    let Some(dir) = support::corpus::corpus_dir() else { return };
    let file = dir.join(rel);
    let mut failures = Vec::new();
    for &(version, engine) in TARGETS {
        let Some(tgt) = PgServer::shared_engine(engine) else { return };
        let c = compile(&file, &["--target-version", version]);
        let unsupported = std::fs::read_to_string(c.path("unsupported.sql")).unwrap_or_default();
        for m in moved {
            if !unsupported.contains(m) {
                failures.push(format!("{rel} for {version}: `{m}` is not in unsupported.sql"));
            }
        }
        if let Err(e) = load(tgt, &db_name(name, version), &c) {
            failures.push(format!("{rel} for {version} on PostgreSQL {}: {e}", engine.major()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn pagila_schema() {
    matrix(
        "mx_pagila",
        "pagila/pagila-schema-a8bdd3e.sql",
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
fn pagila_full_dump_with_rows() {
    matrix(
        "mx_pagila_full",
        "pgdump15-generated/pagila-full-pgdump15.sql",
        &[
            ("table", 20),
            ("row_count", 20),
            ("row_checksum", 20),
            ("constraint", 40),
            ("trigger", 10),
            ("sequence_position", 10),
        ],
    );
}

#[test]
fn northwind() {
    matrix(
        "mx_northwind",
        "northwind/northwind.sql",
        &[("table", 10), ("constraint", 20), ("row_count", 10), ("row_checksum", 10)],
    );
}

#[test]
fn danbooru() {
    matrix("mx_danbooru", "danbooru/structure.sql", &[("table", 50), ("index", 300), ("constraint", 100)]);
}

#[test]
fn coder() {
    matrix("mx_coder", "coder/dump.sql", &[("table", 100), ("trigger", 20), ("constraint", 300), ("function", 20)]);
}

#[test]
fn openstreetmap_without_postgis() {
    loads_everywhere("mx_osm", "openstreetmap-website/structure.sql", &["CREATE EXTENSION IF NOT EXISTS postgis"]);
}

#[test]
fn pagila_head_needs_postgresql_18() {
    loads_everywhere("mx_pagila_head", "pagila/pagila-schema.sql", &[]);
}

/// Primary keys outside the system catalogs (which have their own from PostgreSQL 14).
const KEYS: &str =
    "SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND connamespace <> 'pg_catalog'::regnamespace";

/// `pg_dump --clean --if-exists` (Rails' structure.sql often is one): the clean section names every
/// object before its CREATE. Its output loads everywhere and the target has every primary key,
/// index and constraint of the source (order never undoes the source).
#[test]
fn pg_dump_clean_if_exists() {
    let Some(dir) = support::corpus::corpus_dir() else { return };
    let Some(src) = PgServer::shared_engine(Engine::Pg15) else { return };
    let source_db = "mx_clean_src";
    src.create_db(source_db);
    src.psql_file(source_db, &dir.join("pagila/pagila-schema-a8bdd3e.sql")).unwrap();
    let dump = tempfile::tempdir().unwrap();
    let file = dump.path().join("clean.sql");
    let o = std::process::Command::new(src.bin_path("pg_dump"))
        .args(["--clean", "--if-exists", "--schema-only", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(src.port().to_string())
        .arg("-f")
        .arg(&file)
        .arg(source_db)
        .output()
        .expect("run pg_dump");
    assert!(o.status.success(), "pg_dump: {}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("DROP CONSTRAINT IF EXISTS"), "not a --clean dump");
    let mut failures = Vec::new();
    for &(version, engine) in TARGETS {
        let Some(tgt) = PgServer::shared_engine(engine) else { return };
        let c = compile(&file, &["--target-version", version]);
        let target_db = db_name("mx_clean", version);
        if let Err(e) = load(tgt, &target_db, &c) {
            failures.push(format!("clean dump for {version}: {e}"));
            continue;
        }
        let r = compare(src, source_db, tgt, &target_db, &c, RowMode::Checksum);
        if r.exit_code() != 0 {
            failures.push(format!("clean dump for {version}:\n{}", r.render_human()));
        }
        for kind in ["constraint", "index"] {
            if r.matched.get(kind).copied().unwrap_or(0) < 30 {
                failures.push(format!("clean dump for {version}: too few {kind}s matched\n{}", r.render_human()));
            }
        }
        let keys: usize = tgt.query(&target_db, KEYS)[0][0].as_deref().unwrap().parse().unwrap();
        let source_keys: usize = src.query(source_db, KEYS)[0][0].as_deref().unwrap().parse().unwrap();
        if keys != source_keys {
            failures.push(format!(
                "clean dump for {version}: {keys} primary keys on the target, {source_keys} in the source"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Create the roles `roles.sql` names (as a user does before loading), on `s`.
fn create_roles(s: &PgServer, roles_sql: &str) {
    for line in roles_sql.lines() {
        if let Some(rest) = line.strip_prefix("-- CREATE ROLE ") {
            let name = rest.split(';').next().unwrap_or("").trim();
            s.exec(
                "postgres",
                &format!("DO $$ BEGIN CREATE ROLE {name}; EXCEPTION WHEN duplicate_object THEN NULL; END $$"),
            );
        }
    }
}

/// Every schema rule case (the application rules' cases are queries, not scripts) whose source
/// loads on PostgreSQL 15 as written (once the roles in roles.sql exist: cases are fragments,
/// and a case that needs a table or schema it does not create is left out): its output for 2.6
/// loads on PostgreSQL 11 and its output for 2025.1 on PostgreSQL 15, each with zero errors.
#[test]
fn rule_cases_load_on_every_engine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut cases: Vec<PathBuf> = support::corpus::sql_files(&root)
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("cases")))
        .filter(|p| !p.starts_with(root.join("application")))
        .collect();
    cases.sort();
    assert!(cases.len() > 100, "rule cases not found under {}", root.display());
    let Some(pg15) = PgServer::shared_engine(Engine::Pg15) else { return };
    let Some(pg11) = PgServer::shared_engine(Engine::Pg11) else { return };
    let (mut failures, mut loaded, mut fragments) = (Vec::new(), 0, Vec::new());
    for (i, case) in cases.iter().enumerate() {
        let rel = case.strip_prefix(&root).unwrap().display().to_string();
        let outputs: Vec<_> = [("2.6", Engine::Pg11), ("2025.1", Engine::Pg15)]
            .iter()
            .map(|&(version, engine)| (version, engine, compile(case, &["--target-version", version])))
            .collect();
        for (_, _, c) in &outputs {
            let roles = std::fs::read_to_string(c.path("roles.sql")).unwrap_or_default();
            create_roles(pg15, &roles);
            create_roles(pg11, &roles);
        }
        let source_db = format!("case_{i}_src");
        pg15.create_db(&source_db);
        let loaded_source = pg15.psql_file(&source_db, case);
        // A case that creates a database (CREATE DATABASE is cluster-wide): drop it again, or the
        // target's load would find it there. Only the databases the case names: other tests create
        // theirs on this server at the same time.
        for name in created_databases(case) {
            pg15.exec("postgres", &format!("DROP DATABASE IF EXISTS \"{name}\""));
        }
        if let Err(e) = loaded_source {
            fragments.push(format!("{rel}: {e}"));
            continue;
        }
        loaded += 1;
        for (version, engine, c) in &outputs {
            let tgt = if *engine == Engine::Pg11 { pg11 } else { pg15 };
            if let Err(e) = load(tgt, &format!("case_{i}_{}", version.replace('.', "_")), c) {
                failures.push(format!("{rel} for {version} on PostgreSQL {}: {e}", engine.major()));
            }
        }
    }
    eprintln!(
        "{loaded} of {} schema rule cases load on PostgreSQL 15 as written; left out:\n{}",
        cases.len(),
        fragments.join("\n")
    );
    assert!(loaded >= 100, "only {loaded} cases load as written:\n{}", fragments.join("\n"));
    assert!(failures.is_empty(), "{} of {loaded} cases:\n{}", failures.len(), failures.join("\n"));
}

/// The databases a script's `CREATE DATABASE` statements name.
fn created_databases(script: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(script).unwrap();
    let Ok(parsed) = pg_query::parse(&text, 0) else { return Vec::new() };
    parsed
        .protobuf
        .stmts
        .iter()
        .filter_map(|s| match s.stmt.as_ref()?.node.as_ref()? {
            pg_query::NodeEnum::CreatedbStmt(c) => Some(c.dbname.clone()),
            _ => None,
        })
        .collect()
}

/// CREATE SCHEMA elements (fixtures/compile/schema-elements.sql): split, an xml table and what
/// needs it moved alone, primary keys folded into tables created inside the schema. The output
/// loads on every engine, and the tables that stay carry their keys there.
#[test]
fn create_schema_elements_load_on_every_engine() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/schema-elements.sql");
    let mut failures = Vec::new();
    for &(version, engine) in TARGETS {
        let Some(tgt) = PgServer::shared_engine(engine) else { return };
        let c = compile(&file, &["--target-version", version]);
        let db = db_name("schema_elements", version);
        if let Err(e) = load(tgt, &db, &c) {
            failures.push(format!("for {version} on PostgreSQL {}: {e}", engine.major()));
            continue;
        }
        let keys = tgt.query(
            &db,
            "SELECT n.nspname || '.' || t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'p' AND n.nspname IN ('sales', 'billing') ORDER BY 1",
        );
        let keys: Vec<String> = keys.into_iter().filter_map(|r| r[0].clone()).collect();
        if keys != ["billing.accounts", "sales.orders"] {
            failures.push(format!("for {version}: primary keys on {keys:?}"));
        }
        let views = tgt.query(
            &db,
            "SELECT schemaname || '.' || viewname FROM pg_views WHERE schemaname IN ('sales', 'public') ORDER BY 1",
        );
        let views: Vec<String> = views.into_iter().filter_map(|r| r[0].clone()).collect();
        if views != ["public.order_count", "sales.recent_orders"] {
            failures.push(format!("for {version}: views {views:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A LATIN1 dump converted with iconv still says `SET client_encoding = 'LATIN1'`: loaded as
/// written, psql encodes every non-ASCII character twice (`café` → `cafÃ©`), which
/// `verify --rows checksum` catches although the row counts agree; compiled, it loads exactly.
#[test]
fn an_iconv_converted_latin1_dump_survives_and_double_encoding_is_caught() {
    let Some(src) = PgServer::shared_engine(Engine::Pg15) else { return };
    let Some(tgt) = PgServer::shared_engine(Engine::Pg11) else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latin1.sql");
    std::fs::write(
        &file,
        "SET client_encoding = 'LATIN1';\nCREATE TABLE public.words (id integer PRIMARY KEY, w text);\n\
         COPY public.words (id, w) FROM stdin;\n1\tcafé\n2\tnaïve\n3\tplain\n\\.\n",
    )
    .unwrap();
    // The source as it was before the dump: UTF-8 text.
    src.create_db("mx_latin1_src");
    src.exec(
        "mx_latin1_src",
        "CREATE TABLE public.words (id integer PRIMARY KEY, w text); \
         INSERT INTO public.words VALUES (1, 'café'), (2, 'naïve'), (3, 'plain')",
    );
    let c = compile(&file, &["--target-version", "2.6"]);
    // Loaded as written: double-encoded, same row count.
    tgt.create_db("mx_latin1_raw");
    tgt.psql_file("mx_latin1_raw", &file).unwrap();
    let raw = compare(src, "mx_latin1_src", tgt, "mx_latin1_raw", &c, RowMode::Checksum);
    let bad: Vec<_> = raw.unexpected().collect();
    assert!(
        bad.iter().any(|d| d.object == "public.words" && format!("{:?}", d.problem) == "RowContent"),
        "{}",
        raw.render_human()
    );
    assert_eq!(raw.exit_code(), 1);
    // Compiled: exact.
    load(tgt, "mx_latin1_tgt", &c).unwrap();
    let ok = compare(src, "mx_latin1_src", tgt, "mx_latin1_tgt", &c, RowMode::Checksum);
    assert_eq!(ok.exit_code(), 0, "{}", ok.render_human());
    assert_eq!(ok.matched.get("row_checksum").copied(), Some(1), "{}", ok.render_human());
    let w = tgt.query("mx_latin1_tgt", "SELECT w FROM public.words WHERE id = 1");
    assert_eq!(w[0][0].as_deref(), Some("café"));
}

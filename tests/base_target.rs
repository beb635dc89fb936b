//! What the target's PostgreSQL base (`rules/targets.yaml`: 11.2 before 2.25, 15 from it) cannot
//! load never reaches the scripts: settings it does not know, PostgreSQL 12+ clauses that change
//! nothing, a non-UTF-8 `client_encoding`, and gen_random_uuid() without pgcrypto. The live tests
//! load a PostgreSQL 18 style dump with `psql -v ON_ERROR_STOP=1` into PostgreSQL 11 (compiled for
//! 2.6) and PostgreSQL 15 (compiled for 2025.1).

mod support;

use std::path::{Path, PathBuf};

use pg2znb::compile::{compile, Compilation};
use pg2znb::rules::{ApplyOptions, RulePack};
use pg2znb::source::SourceFile;
use support::pg::{Engine, PgServer};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/newer-base.sql")
}

fn at(target: &str) -> ApplyOptions {
    ApplyOptions { target: target.into(), ..Default::default() }
}

fn compile_sql(sql: &str, target: &str) -> Compilation {
    compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &at(target))
}

fn all_scripts(c: &Compilation) -> String {
    format!("{}{}{}", c.scripts.pre_data, c.scripts.data.as_deref().unwrap_or(""), c.scripts.post_data)
}

/// `(code, line:col)` of every diagnostic.
fn findings(c: &Compilation) -> Vec<(String, String)> {
    c.diagnostics
        .iter()
        .filter_map(|d| {
            let l = d.location?;
            let (line, col) = c.files[l.file].line_col(l.span.start);
            Some((d.code.clone(), format!("{line}:{col}")))
        })
        .collect()
}

#[test]
fn unknown_settings_are_never_replayed_and_follow_the_base() {
    let old = support::compile::compile_with(&fixture(), &at("2.6"));
    let text = all_scripts(&old);
    for gone in ["default_table_access_method", "transaction_timeout", "default_toast_compression", "USING heap"] {
        assert!(!text.contains(gone), "{gone} in the 2.6 scripts:\n{text}");
    }
    assert!(!text.contains("SET ACCESS METHOD"), "{text}");
    // Known settings are replayed in data.sql and post-data.sql, the left-out ones nowhere.
    let data = old.scripts.data.as_deref().unwrap();
    assert!(data.contains("SET idle_in_transaction_session_timeout = 0;"), "{data}");
    assert!(old.scripts.post_data.contains("SET row_security = off;"), "{}", old.scripts.post_data);
    // Every script says UTF8, none LATIN1.
    assert!(!text.contains("'LATIN1'"), "{text}");
    assert_eq!(text.matches("SET client_encoding = 'UTF8';").count(), 3, "{text}");
    assert!(old.scripts.pre_data.contains("SET work_mem TO '4MB'"), "{}", old.scripts.pre_data);

    // On the PostgreSQL 15 base only what 15 lacks goes.
    let new = support::compile::compile_with(&fixture(), &at("2025.1"));
    let text = all_scripts(&new);
    assert!(!text.contains("transaction_timeout"), "{text}");
    for kept in ["SET default_table_access_method = heap;", "SET default_toast_compression TO 'lz4'", "USING heap"] {
        assert!(text.contains(kept), "{kept} missing from the 2025.1 scripts:\n{text}");
    }
    assert!(!text.contains("CREATE EXTENSION"), "gen_random_uuid() is built in on 15:\n{text}");
    new.check_invariants().unwrap();
    old.check_invariants().unwrap();
}

#[test]
fn pgcrypto_is_created_once_before_the_first_use_in_load_order() {
    // The first use in the input is a CHECK deferred to post-data; pre-data's view uses it too.
    let sql = "SELECT pg_catalog.set_config('search_path', '', false);\n\
               CREATE TABLE public.t (id uuid, n int);\n\
               ALTER TABLE public.t ADD CONSTRAINT t_id_check CHECK (id <> gen_random_uuid());\n\
               CREATE VIEW public.v AS SELECT gen_random_uuid() AS id;\n\
               INSERT INTO public.t VALUES (gen_random_uuid(), 1);\n";
    let c = compile_sql(sql, "2.6");
    let ext = "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA pg_catalog;";
    assert_eq!(all_scripts(&c).matches(ext).count(), 1, "{}", all_scripts(&c));
    let pre = &c.scripts.pre_data;
    assert!(pre.find(ext).unwrap() < pre.find("CREATE VIEW public.v").unwrap(), "{pre}");
    // One finding, at the first use in the input.
    let zn613: Vec<_> = findings(&c).into_iter().filter(|(code, _)| code == "ZN613").collect();
    assert_eq!(zn613, vec![("ZN613".to_string(), "3:61".to_string())]);
    // The manifest lists the extension as created on purpose, for verify.
    assert!(c
        .manifest
        .objects
        .iter()
        .any(|o| o.name == "pgcrypto" && o.summary.as_deref() == Some("created by pg2znb")));
    c.check_invariants().unwrap();

    // Only data uses it: the extension goes to data.sql, before the INSERT.
    let c = compile_sql("CREATE TABLE public.t (id uuid);\nINSERT INTO public.t VALUES (gen_random_uuid());\n", "2.6");
    let data = c.scripts.data.as_deref().unwrap();
    assert!(data.find(ext).unwrap() < data.find("INSERT INTO").unwrap(), "{data}");
    assert!(!c.scripts.pre_data.contains(ext));
    // The input creates pgcrypto: nothing is added.
    let c =
        compile_sql("CREATE EXTENSION pgcrypto;\nCREATE TABLE public.t (id uuid DEFAULT gen_random_uuid());\n", "2.6");
    assert_eq!(all_scripts(&c).matches("CREATE EXTENSION").count(), 1);
    assert!(!findings(&c).iter().any(|(code, _)| code == "ZN613"));
}

#[test]
fn newer_functions_are_found_in_ddl_for_the_base_that_lacks_them() {
    let sql = "CREATE TABLE public.e (\n    id uuid DEFAULT uuidv7() NOT NULL,\n    doc jsonb,\n    n integer DEFAULT gcd(4, 6),\n    CONSTRAINT e_doc_check CHECK (jsonb_path_exists(doc, '$.a'))\n);\n\
               CREATE INDEX e_crc ON public.e USING btree (crc32(doc::text::bytea));\n\
               CREATE VIEW public.items AS SELECT jt.* FROM public.e, JSON_TABLE(e.doc, '$[*]' COLUMNS (a text PATH '$.a')) jt;\n\
               CREATE VIEW public.q AS SELECT JSON_QUERY(doc, '$.a') AS a FROM public.e;\n";
    let want_old = [
        ("ZN822", "2:21"),
        ("ZN821", "4:23"),
        ("ZN821", "5:35"),
        ("ZN822", "7:45"),
        ("ZN823", "8:56"),
        ("ZN823", "9:32"),
    ];
    let c = compile_sql(sql, "2.6");
    let got: Vec<(String, String)> =
        findings(&c).into_iter().filter(|(code, _)| ["ZN821", "ZN822", "ZN823"].contains(&code.as_str())).collect();
    let want: Vec<(String, String)> = want_old.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
    // PostgreSQL 15 has the 12–15 functions, not the 16+ ones nor SQL/JSON's JSON_TABLE/JSON_QUERY.
    let c = compile_sql(sql, "2025.1");
    let got: Vec<(String, String)> =
        findings(&c).into_iter().filter(|(code, _)| ["ZN821", "ZN822", "ZN823"].contains(&code.as_str())).collect();
    let want: Vec<(String, String)> =
        want_old.iter().filter(|(a, _)| *a != "ZN821").map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(got, want);
    assert!(c
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("ZN82"))
        .all(|d| d.severity == pg2znb::diagnostic::Severity::Error));
}

/// The major version of the test server.
fn server_major(s: &PgServer) -> u32 {
    let v = s.query("postgres", "SHOW server_version_num");
    v[0][0].as_deref().unwrap().parse::<u32>().unwrap() / 10000
}

fn load(s: &PgServer, db: &str, c: &Compilation, dir: &Path) {
    s.create_db(db);
    let scripts = [
        ("pre-data.sql", Some(&c.scripts.pre_data)),
        ("data.sql", c.scripts.data.as_ref()),
        ("post-data.sql", Some(&c.scripts.post_data)),
    ];
    for (name, text) in scripts {
        let Some(text) = text else { continue };
        let path = dir.join(format!("{db}-{name}"));
        std::fs::write(&path, text).unwrap();
        s.psql_file(db, &path).unwrap_or_else(|e| panic!("{name} does not load:\n{e}\n{text}"));
    }
}

#[test]
fn a_newer_latin1_dump_loads_and_keeps_its_characters() {
    // 2.x targets run PostgreSQL 11, 2025.x PostgreSQL 15.
    for (engine, target) in [(Engine::Pg11, "2.6"), (Engine::Pg15, "2025.1")] {
        let Some(s) = PgServer::shared_engine(engine) else { return };
        newer_dump_on(s, target);
    }
}

fn newer_dump_on(s: &PgServer, target: &str) {
    let major = server_major(s);
    let c = support::compile::compile_with(&fixture(), &at(target));
    let dir = tempfile::tempdir().unwrap();
    load(s, "newer_base", &c, dir.path());
    let rows = s.query("newer_base", "SELECT body, octet_length(body) FROM public.notes ORDER BY id");
    let got: Vec<(String, String)> = rows.into_iter().map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap())).collect();
    assert_eq!(got, vec![("café".into(), "5".into()), ("naïve".into(), "6".into())]);
    if major < 13 {
        let ext = s.query(
            "newer_base",
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto'",
        );
        assert_eq!(ext, vec![vec![Some("pg_catalog".to_string())]]);
        let uuid =
            s.query("newer_base", "INSERT INTO public.sessions (token) VALUES (NULL) RETURNING length(id::text)");
        assert_eq!(uuid, vec![vec![Some("36".to_string())]]);
    }

    // Why: loaded as written, the LATIN1 declaration makes psql encode the UTF-8 bytes again.
    let raw = "SET client_encoding = 'LATIN1';\nCREATE TABLE t (s text);\nCOPY t (s) FROM stdin;\ncafé\n\\.\n";
    s.create_db("newer_base_raw");
    let path = dir.path().join("raw.sql");
    std::fs::write(&path, raw).unwrap();
    s.psql_file("newer_base_raw", &path).unwrap();
    let rows = s.query("newer_base_raw", "SELECT s, octet_length(s) FROM t");
    assert_eq!(rows, vec![vec![Some("cafÃ©".to_string()), Some("7".to_string())]]);
    let c = compile_sql(raw, target);
    assert!(c.scripts.pre_data.contains("SET client_encoding = 'UTF8';"));
    load(s, "newer_base_fixed", &c, dir.path());
    let rows = s.query("newer_base_fixed", "SELECT s, octet_length(s) FROM t");
    assert_eq!(rows, vec![vec![Some("café".to_string()), Some("5".to_string())]]);
}

//! `verify` against a real PostgreSQL: two copies of `fixtures/verify/shop.sql` match; each
//! planted fault on the target is caught and named (exit 1); a manifest excuses a declared
//! drop; connection failures give exit 2 with a one-line message.
//!
//! One server for the whole binary; every test clones its own pair of databases from a template
//! loaded once with psql.

mod support;

use std::path::Path;
use std::sync::OnceLock;

use pg2znb::manifest::{ChangeKind, Manifest, ManifestChange, ObjectKind};
use pg2znb::verify::{self, Problem, RowMode, VerifyOptions, VerifyReport};
use support::pg::{closed_port, PgServer};

const TEMPLATE: &str = "shop_template";

/// The shared server with the fixture loaded into [`TEMPLATE`], or `None` without PostgreSQL.
fn server() -> Option<&'static PgServer> {
    static LOADED: OnceLock<()> = OnceLock::new();
    let s = PgServer::shared()?;
    LOADED.get_or_init(|| {
        s.create_db(TEMPLATE);
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/verify/shop.sql");
        s.psql_file(TEMPLATE, &fixture).unwrap_or_else(|e| panic!("loading {}: {e}", fixture.display()));
    });
    Some(s)
}

/// Fresh source and target databases `{name}_a`, `{name}_b`, both copies of the fixture.
fn pair(s: &PgServer, name: &str) -> (String, String) {
    let (a, b) = (format!("{name}_a"), format!("{name}_b"));
    s.create_db_from(&a, TEMPLATE);
    s.create_db_from(&b, TEMPLATE);
    (a, b)
}

fn options(s: &PgServer, a: &str, b: &str, rows: RowMode) -> VerifyOptions {
    VerifyOptions { source: s.url(a), target: s.url(b), rows, ..VerifyOptions::default() }
}

fn run(opts: &VerifyOptions) -> VerifyReport {
    verify::run(opts).unwrap_or_else(|e| panic!("verify failed: {e}"))
}

/// Assert exit 1 and exactly one unexpected difference, of `problem` on `object`.
fn assert_single_fault(r: &VerifyReport, object: &str, problem: Problem) {
    let human = r.render_human();
    assert_eq!(r.exit_code(), 1, "{human}");
    let found: Vec<_> = r.unexpected().map(|d| (d.object.as_str(), d.problem)).collect();
    assert_eq!(found, vec![(object, problem)], "{human}");
    assert!(human.contains(object), "{human}");
}

#[test]
fn identical_copies_match() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "same");
    let r = run(&options(s, &a, &b, RowMode::Exact));
    let human = r.render_human();
    assert_eq!(r.exit_code(), 0, "{human}");
    assert!(r.differences.is_empty(), "{human}");
    // Every kind of object in the fixture was read and compared.
    for (kind, at_least) in [
        ("schema", 2),
        ("extension", 2),
        ("type", 1),
        ("domain", 1),
        ("table", 8),
        ("column", 30),
        ("constraint", 10),
        ("index", 10),
        ("trigger", 1),
        ("sequence", 5),
        ("view", 1),
        ("materialized_view", 1),
        ("function", 2),
        ("procedure", 1),
        ("policy", 1),
        ("row_count", 7),
        ("sequence_position", 5),
    ] {
        let n = r.matched.get(kind).copied().unwrap_or(0);
        assert!(n >= at_least, "{kind}: {n} < {at_least}\n{human}");
    }
    assert_eq!(
        s.query(&b, "SELECT count(*), max(id) FROM public.orders"),
        vec![vec![Some("4".to_string()), Some("4".to_string())]]
    );
    let json: serde_json::Value = serde_json::from_str(&r.render_json()).unwrap();
    assert_eq!(json["summary"]["unexpected"], 0);

    // The extension's own functions and types are not part of the snapshot.
    let mut client = verify::connect(&s.url(&a)).unwrap();
    let cat = verify::snapshot(&mut client, &[]).unwrap();
    assert!(
        !cat.routines.keys().any(|(q, _)| q.name.starts_with("citext")),
        "extension members leaked into the catalog"
    );
    assert!(!cat.types.keys().any(|q| q.name == "citext"));
    let products = &cat.tables[&verify::QualName::new("public", "products")];
    let sku = products.columns.iter().find(|c| c.name == "sku").unwrap();
    assert_eq!(sku.collation.as_deref(), Some("pg_catalog.\"C\""));
    let cents = products.columns.iter().find(|c| c.name == "price_cents").unwrap();
    assert_eq!(cents.generated, "stored");
    // Deterministic: a second snapshot is equal.
    assert_eq!(cat, verify::snapshot(&mut client, &[]).unwrap());
}

#[test]
fn missing_index_is_caught() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "noindex");
    s.exec(&b, "DROP INDEX public.orders_customer_idx");
    let r = run(&options(s, &a, &b, RowMode::None));
    assert_single_fault(&r, "public.orders_customer_idx", Problem::Missing);
}

#[test]
fn changed_column_type_is_caught() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "coltype");
    s.exec(&b, "ALTER TABLE public.orders ALTER COLUMN note TYPE varchar(200)");
    let r = run(&options(s, &a, &b, RowMode::None));
    assert_single_fault(&r, "public.orders.note", Problem::Changed);
    let d = r.unexpected().next().unwrap();
    assert_eq!(d.detail, "type: source \"text\", target \"character varying(200)\"");
}

#[test]
fn missing_trigger_is_caught() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "notrigger");
    s.exec(&b, "DROP TRIGGER products_touch ON public.products");
    let r = run(&options(s, &a, &b, RowMode::None));
    assert_single_fault(&r, "products_touch on public.products", Problem::Missing);
}

#[test]
fn missing_foreign_key_is_caught() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "nofk");
    s.exec(&b, "ALTER TABLE public.order_lines DROP CONSTRAINT order_lines_product_id_fkey");
    let r = run(&options(s, &a, &b, RowMode::None));
    assert_single_fault(&r, "order_lines_product_id_fkey on public.order_lines", Problem::Missing);
    let d = r.unexpected().next().unwrap();
    assert!(d.detail.contains("FOREIGN KEY (product_id) REFERENCES public.products(id)"), "{}", d.detail);
}

#[test]
fn deleted_row_is_caught_with_exact_counts() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "norow");
    s.exec(&b, "DELETE FROM public.order_lines WHERE order_id = 4");
    let r = run(&options(s, &a, &b, RowMode::Exact));
    assert_single_fault(&r, "public.order_lines", Problem::RowCount);
    assert!(r.unexpected().next().unwrap().detail.ends_with("source 5, target 4"));
    // Without row counts the copies match.
    assert_eq!(run(&options(s, &a, &b, RowMode::None)).exit_code(), 0);
}

#[test]
fn sequences_behind_their_columns_are_caught() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "seqbehind");
    // An owned (bigserial) sequence, and a standalone one feeding a nextval() default.
    s.exec(&b, "SELECT setval('public.orders_id_seq', 2); SELECT setval('public.order_number_seq', 1000, false)");
    let r = run(&options(s, &a, &b, RowMode::None));
    let human = r.render_human();
    assert_eq!(r.exit_code(), 1, "{human}");
    let found: Vec<_> = r.unexpected().map(|d| (d.object.as_str(), d.problem)).collect();
    assert_eq!(
        found,
        vec![("public.order_number_seq", Problem::SequenceBehind), ("public.orders_id_seq", Problem::SequenceBehind),],
        "{human}"
    );
    assert!(human.contains("next value 3 on the target is not past max(public.orders.id) = 4"), "{human}");
}

#[test]
fn manifest_makes_a_dropped_index_expected() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "manifest");
    s.exec(&b, "DROP INDEX public.customers_lower_name_idx");
    let change = ManifestChange {
        kind: ObjectKind::Index,
        schema: Some("public".into()),
        name: "customers_lower_name_idx".into(),
        table: Some("customers".into()),
        change: ChangeKind::Dropped,
        codes: vec!["ZN999".into()],
        detail: "expression index moved to unsupported.sql".into(),
    };
    let manifest = Manifest {
        format: pg2znb::manifest::MANIFEST_FORMAT,
        target: "2.6".into(),
        source: None,
        objects: vec![],
        changes: vec![change],
    };
    // Through the JSON contract, as the CLI reads it.
    let manifest = verify::parse_manifest(&serde_json::to_string(&manifest).unwrap()).unwrap();
    let mut opts = options(s, &a, &b, RowMode::Exact);
    opts.manifest = Some(manifest);
    let r = run(&opts);
    let human = r.render_human();
    assert_eq!(r.exit_code(), 0, "{human}");
    assert_eq!(r.summary.expected, 1, "{human}");
    assert!(human.contains("expected: dropped on purpose by pg2znb (ZN999)"), "{human}");

    // The same drop without the manifest is unexpected.
    opts.manifest = None;
    assert_single_fault(&run(&opts), "public.customers_lower_name_idx", Problem::Missing);
}

#[test]
fn schema_filter_limits_the_comparison() {
    let Some(s) = server() else { return };
    let (a, b) = pair(s, "schemas");
    s.exec(&b, "ALTER TABLE audit.log ALTER COLUMN message DROP NOT NULL");
    let mut opts = options(s, &a, &b, RowMode::Estimate);
    opts.schemas = vec!["public".into()];
    let r = run(&opts);
    assert_eq!(r.exit_code(), 0, "{}", r.render_human());
    assert_eq!(r.schemas, vec!["public".to_string()]);

    opts.schemas = vec!["audit".into()];
    assert_single_fault(&run(&opts), "audit.log.message", Problem::Changed);

    opts.schemas = vec!["no_such_schema".into()];
    assert_single_fault(&run(&opts), "no_such_schema", Problem::Missing);
}

#[test]
fn database_encoding_and_collation_differences_are_reported() {
    let Some(s) = server() else { return };
    let create = |name: &str, encoding: &str, collate: &str| {
        s.exec(
            "postgres",
            &format!(
                "CREATE DATABASE {name} ENCODING '{encoding}' LC_COLLATE '{collate}' LC_CTYPE 'C' TEMPLATE template0"
            ),
        );
        s.exec(name, "CREATE TABLE public.t (s text); INSERT INTO public.t VALUES ('café');");
    };
    create("enc_utf8", "UTF8", "C");
    create("enc_latin1", "LATIN1", "C");
    let same = run(&options(s, "enc_utf8", "enc_utf8", RowMode::Exact));
    assert_eq!(same.exit_code(), 0, "{}", same.render_human());

    // The same rows (exact counts match), stored in another encoding: reported.
    let r = run(&options(s, "enc_utf8", "enc_latin1", RowMode::Exact));
    assert_single_fault(&r, "(current database)", Problem::Changed);
    let d = r.unexpected().next().unwrap();
    assert_eq!(d.detail, "encoding: source \"UTF8\", target \"LATIN1\"");
    assert!(r.render_human().contains("database (current database): encoding: source \"UTF8\", target \"LATIN1\""));

    // Another collation (when the machine has the C.UTF-8 locale; POSIX is stored as C).
    let sql = "CREATE DATABASE enc_cutf8 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C' TEMPLATE template0";
    if let Err(e) = s.try_exec("postgres", sql) {
        eprintln!("note: collation difference not tested: {e}");
        return;
    }
    s.exec("enc_cutf8", "CREATE TABLE public.t (s text); INSERT INTO public.t VALUES ('café');");
    let r = run(&options(s, "enc_utf8", "enc_cutf8", RowMode::None));
    assert_single_fault(&r, "(current database)", Problem::Changed);
    let detail = &r.unexpected().next().unwrap().detail;
    assert!(detail.starts_with("LC_COLLATE: source \"C\", target \"C."), "{detail}");
}

fn assert_connection_error(opts: &VerifyOptions, side: &str, needle: &str) {
    let e = match verify::run(opts) {
        Ok(r) => panic!("expected an error, got a report:\n{}", r.render_human()),
        Err(e) => e,
    };
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "not one line: {msg}");
    assert!(msg.starts_with(side), "{msg}");
    assert!(msg.contains(needle), "{msg}");
}

#[test]
fn closed_port_is_exit_2() {
    let Some(s) = server() else { return };
    let mut opts = options(s, "postgres", "postgres", RowMode::None);
    opts.target = format!("postgresql://postgres@127.0.0.1:{}/postgres?sslmode=disable", closed_port());
    assert_connection_error(&opts, "target (127.0.0.1:", "cannot connect: error connecting to server");
}

#[test]
fn wrong_password_is_exit_2() {
    let Some(s) = server() else { return };
    s.create_password_role("right-password");
    let mut opts = options(s, "postgres", "postgres", RowMode::None);
    // The right password works ...
    opts.source = s.password_url("postgres", "right-password");
    assert_eq!(run(&opts).exit_code(), 0);
    // ... a wrong one is the server's message, on one line.
    opts.source = s.password_url("postgres", "wrong-password");
    assert_connection_error(
        &opts,
        "source (127.0.0.1:",
        "FATAL: password authentication failed for user \"pg2znb_pw\"",
    );
    assert!(!verify::run(&opts).unwrap_err().to_string().contains("wrong-password"));
}

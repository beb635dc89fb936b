//! Issue 4, acceptance 3: a PL/pgSQL function in a dump that calls `pg_advisory_lock` inside an
//! IF branch is reported at that call's line and column in the dump, by `lint` and by `compile`
//! (which lints what lives inside the schema); literal `EXECUTE` strings are linted, dynamic SQL
//! is reported once per function.

use pg2znb::diagnostic::Diagnostic;
use pg2znb::lint::{lint, LintOptions};
use pg2znb::rules::{ApplyOptions, RulePack};
use pg2znb::source::SourceFile;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lint/advisory.sql");

fn fixture() -> SourceFile {
    SourceFile::new("fixtures/lint/advisory.sql", std::fs::read_to_string(FIXTURE).unwrap())
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the fixture"));
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

fn at(files: &[SourceFile], d: &Diagnostic) -> (usize, usize) {
    let l = d.location.expect("located");
    files[l.file].line_col(l.span.start)
}

fn listing(files: &[SourceFile], diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.code.starts_with("ZN8"))
        .map(|d| {
            let (line, col) = at(files, d);
            format!("{line}:{col} {} {}", d.code, d.message)
        })
        .collect()
}

#[test]
fn lint_reports_the_advisory_lock_at_its_call_in_the_dump() {
    let pack = RulePack::builtin().unwrap();
    let r = lint(vec![fixture()], Vec::new(), &pack, &LintOptions::default());
    let text = &r.files[0].text;
    let lock = r.diagnostics.iter().find(|d| d.code == "ZN801").expect("ZN801 reported");
    assert_eq!(at(&r.files, lock), position_of(text, "pg_advisory_lock(job_id)"));
    assert_eq!(at(&r.files, lock), (33, 17));
    assert!(lock.message.starts_with("pg_advisory_lock()"), "{}", lock.message);

    // The literal EXECUTE string is linted: its system column, at its place inside the string.
    let xmin = r.diagnostics.iter().find(|d| d.code == "ZN803").expect("ZN803 in the EXECUTE string");
    assert_eq!(at(&r.files, xmin), position_of(text, "xmin FROM app.jobs"));

    // Dynamic SQL: one finding per function, at its first dynamic EXECUTE.
    let dynamic: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.code == "ZN832").collect();
    assert_eq!(dynamic.len(), 2, "{:#?}", listing(&r.files, &r.diagnostics));
    assert_eq!(at(&r.files, dynamic[0]), position_of(text, "format('NOTIFY"));
    assert!(
        dynamic[0].message.starts_with("app.run_job runs SQL built at run time (EXECUTE ×1)"),
        "{}",
        dynamic[0].message
    );
    assert_eq!(at(&r.files, dynamic[1]), position_of(text, "'DELETE FROM app.' ||"));
    assert!(r.has_errors(), "ZN803 is an error");
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn compile_lints_the_schema_bodies_too() {
    let pack = RulePack::builtin().unwrap();
    let c = pg2znb::compile::compile(vec![fixture()], &pack, &ApplyOptions::default());
    let got = listing(&c.files, &c.diagnostics);
    let lock = position_of(&c.files[0].text, "pg_advisory_lock(job_id)");
    assert!(got.iter().any(|l| l.starts_with(&format!("{}:{} ZN801 ", lock.0, lock.1))), "{got:#?}");
    // The functions are emitted unchanged.
    assert!(c.scripts.pre_data.contains("PERFORM pg_advisory_lock(job_id);"));
}

#[test]
fn later_targets_report_the_error_form_and_then_nothing() {
    let pack = RulePack::builtin().unwrap();
    let at_version = |v: &str| {
        let opts = LintOptions { apply: ApplyOptions { target: v.into(), ..Default::default() }, fix: false };
        let r = lint(vec![fixture()], Vec::new(), &pack, &opts);
        r.diagnostics
            .iter()
            .filter(|d| d.code == "ZN801" || d.code == "ZN802")
            .map(|d| d.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(at_version("2.6"), ["ZN801"]);
    assert_eq!(at_version("2024.1"), ["ZN802"]);
    assert!(at_version("2025.1").is_empty());
}

/// Issue 13, family 7: bodies libpg_query's PL/pgSQL parser rejects for want of a catalog
/// (`%TYPE`, types in schemas other than public) are checked through a stand-in type; bodies
/// that do not parse at all are a warning at their start, and their calls are still found.
#[test]
fn bodies_with_foreign_types_are_checked_and_broken_ones_scanned() {
    let sql = "\
CREATE FUNCTION billing.close(p_id billing.orders.id%TYPE, p_state billing.state) RETURNS billing.money_t
LANGUAGE plpgsql AS $$
DECLARE
    r billing.orders%ROWTYPE;
BEGIN
    PERFORM lo_unlink(r.blob);
    RETURN (SELECT JSON_ARRAYAGG(x) FROM billing.lines x WHERE x.order_id = p_id);
END $$;
CREATE FUNCTION billing.broken() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF THEN
    PERFORM pg_catalog.lo_unlink(1), d IS JSON ARRAY;
END $$;
";
    let pack = RulePack::builtin().unwrap();
    let files = vec![SourceFile::new("f.sql", sql)];
    let r = lint(files, Vec::new(), &pack, &LintOptions::default());
    let got: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("ZN8"))
        .map(|d| {
            let (line, col) = at(&r.files, d);
            format!("{line}:{col} {} {:?}", d.code, d.severity)
        })
        .collect();
    assert_eq!(
        got,
        ["6:13 ZN806 Error", "7:20 ZN823 Error", "10:1 ZN833 Warning", "12:13 ZN806 Error", "12:40 ZN823 Error"],
        "{:#?}",
        r.diagnostics
    );
    let broken = r.diagnostics.iter().find(|d| d.code == "ZN833").unwrap();
    assert!(broken.message.starts_with("billing.broken: the PL/pgSQL body does not parse ("), "{}", broken.message);
    assert!(
        broken
            .message
            .ends_with("only the statements in it that parse on their own, and the calls in the rest, were checked"),
        "{}",
        broken.message
    );
    let json = r.diagnostics.iter().find(|d| d.code == "ZN823" && at(&r.files, d).0 == 12).unwrap();
    let span = json.location.unwrap().span;
    assert_eq!(&sql[span.start..span.end], "IS JSON ARRAY");
}

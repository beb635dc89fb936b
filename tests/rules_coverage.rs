//! Every schema difference the references list is either implemented by a rule (`covers:` in its
//! `rule.yaml`) or explained in `rules/NOT-COVERED.md` — exactly one of the two — and every id named
//! in either place exists in the references.
//!
//! The references live beside the corpus, in `../shared/reference/` relative to the crate:
//! * `target-facts.md` §2.1–§2.4: the rows whose Phase column contains `S`, by their Code column;
//! * `prior-art-voyager.md` §1.2 and §1.3: yb-voyager's DDL issue types (Type column), except the rows
//!   whose docs anchor is a MySQL or Oracle page (they do not apply to PostgreSQL sources);
//! * `prior-art-voyager.md` §1.7: yb-voyager's regex rules. They have no Type, so the ids are
//!   hard-coded below (`REGEX_RULE_IDS`), one per table row, and the test checks the table still has
//!   exactly those rows.
//!
//! Without the references (a checkout without the shared directory) the test prints a notice and
//! passes, unless `PG2ZNB_CORPUS` is set: the references travel with the corpus, so a corpus run
//! without them is a setup error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pg2znb::rules::RulePack;

/// yb-voyager's §1.7 regex rules: (start of the row's first cell, id). `None`: the row only applies
/// to non-PostgreSQL sources and is excluded.
const REGEX_RULE_IDS: &[(&str, Option<&str>)] = &[
    // `VIEW … WITH [CASCADED/LOCAL] CHECK OPTION` (voyager's own name)
    ("`VIEW … WITH", Some("VIEW_WITH_CHECK_OPTION")),
    // `PRECEDING and … :float` — "RANGE with offset PRECEDING/FOLLOWING is not supported …"
    ("`PRECEDING and", Some("RANGE_OFFSET_PRECEDING_FOLLOWING")),
    // `FETCH <FIRST/LAST/…> FROM` — "This FETCH clause might not be supported yet"
    ("`FETCH <", Some("FETCH_CLAUSE")),
    // `ALTER AGGREGATE` — "ALTER AGGREGATE not supported yet."
    ("`ALTER AGGREGATE`", Some("ALTER_AGGREGATE")),
    // `DROP COLLATION/INDEX/VIEW/SEQUENCE/FOREIGN TABLE a, b` — "DROP multiple objects not supported yet."
    ("`DROP COLLATION/", Some("DROP_MULTIPLE_OBJECTS")),
    // `DROP INDEX CONCURRENTLY` — "DROP INDEX CONCURRENTLY not supported yet"
    ("`DROP INDEX CONCURRENTLY`", Some("DROP_INDEX_CONCURRENTLY")),
    // `WHERE CURRENT OF` — "WHERE CURRENT OF not supported yet"
    ("`WHERE CURRENT OF`", Some("WHERE_CURRENT_OF")),
    // `BULK COLLECT` (ora2pg leftovers) — "BULK COLLECT keyword of oracle is not converted…"
    ("`BULK COLLECT`", Some("BULK_COLLECT")),
    // `CREATE ACCESS METHOD` — "CREATE ACCESS METHOD is not supported."
    ("`CREATE ACCESS METHOD`", Some("CREATE_ACCESS_METHOD")),
    // `REINDEX` — "REINDEX is not supported."
    ("`REINDEX`", Some("REINDEX")),
    // `CREATE TABLE … LIKE … INCLUDING ALL` — "LIKE ALL is not supported yet."
    ("`CREATE TABLE … LIKE … INCLUDING ALL`", Some("LIKE_ALL")),
    // `CREATE TABLE … (LIKE` — "LIKE clause not supported yet."
    ("`CREATE TABLE … (LIKE`", Some("LIKE_CLAUSE")),
    // `CREATE TABLE … WITH … OIDS` — "OIDs are not supported for user tables."
    ("`CREATE TABLE … WITH … OIDS`", Some("WITH_OIDS")),
    // `ALTER TABLE … OF` / `NOT OF` — "ALTER TABLE OF / NOT OF not supported yet."
    ("`ALTER TABLE … OF`", Some("ALTER_TABLE_OF")),
    // `ALTER TABLE … SET SCHEMA` — "ALTER TABLE SET SCHEMA not supported yet."
    ("`ALTER TABLE … SET SCHEMA`", Some("ALTER_TABLE_SET_SCHEMA")),
    // `CREATE SCHEMA … CREATE TABLE` — "CREATE SCHEMA with elements not supported yet."
    ("`CREATE SCHEMA … CREATE TABLE`", Some("CREATE_SCHEMA_WITH_ELEMENTS")),
    // `ALTER TABLE … ALTER COLUMN … SET STATISTICS` / `SET STORAGE` / `RESET (…)`
    ("`ALTER TABLE … ALTER COLUMN … SET STATISTICS`", Some("ALTER_COLUMN_SET_STATISTICS_STORAGE")),
    // `ALTER TABLE … ALTER CONSTRAINT` — "ALTER TABLE ALTER CONSTRAINT not supported yet."
    ("`ALTER TABLE … ALTER CONSTRAINT`", Some("ALTER_TABLE_ALTER_CONSTRAINT")),
    // `ALTER TABLE … SET WITH OIDS` / `SET WITHOUT CLUSTER` / `SET …` / `RESET` / `OPTIONS` /
    // `INHERIT` / `VALIDATE CONSTRAINT` — the remaining "ALTER TABLE … not supported yet" variants
    ("`ALTER TABLE … SET WITH OIDS`", Some("ALTER_TABLE_VARIANTS")),
    // `ALTER INDEX i SET` — "ALTER INDEX SET not supported yet."
    ("`ALTER INDEX i SET`", Some("ALTER_INDEX_SET")),
    // `ALTER TYPE … DROP ATTRIBUTE` / any `ALTER TYPE` — "ALTER TYPE [DROP ATTRIBUTE] not supported yet."
    ("`ALTER TYPE", Some("ALTER_TYPE")),
    // `ALTER TABLESPACE … SET` — "ALTER TABLESPACE not supported yet."
    ("`ALTER TABLESPACE", Some("ALTER_TABLESPACE")),
    // `ALTER VIEW` — "ALTER VIEW not supported yet."
    ("`ALTER VIEW`", Some("ALTER_VIEW")),
    // `CREATE [OR REPLACE] FUNCTION … language c` — "LANGUAGE C not supported yet."
    ("`CREATE [OR REPLACE] FUNCTION", Some("LANGUAGE_C")),
    // `drop temporary table` — MySQL syntax (voy#705, MySQL docs page): excluded.
    ("`drop temporary table`", None),
    // `AnyData`, `AnyDataSet`, `AnyType`, `URIType` — Oracle types (voy#1541): excluded.
    ("`AnyData`", None),
    // `… JSON_ARRAYAGG` in CREATE function/view — "JSON_ARRAYAGG() function is not available …"
    ("`… JSON_ARRAYAGG`", Some("JSON_ARRAYAGG")),
    // `CREATE FOREIGN TABLE … PRIMARY KEY` / `… REFERENCES` — "Primary/Foreign key constraints are
    // not supported on foreign tables."
    ("`CREATE FOREIGN TABLE … PRIMARY KEY`", Some("FOREIGN_TABLE_KEYS")),
    // `CREATE TRIGGER … COMPOUND` (voyager's own name)
    ("`CREATE TRIGGER … COMPOUND`", Some("COMPOUND_TRIGGER")),
    // `CREATE CONVERSION` (voyager's own name)
    ("`CREATE CONVERSION`", Some("CREATE_CONVERSION")),
    // `ALTER CONVERSION` — "ALTER CONVERSION is not supported yet"
    ("`ALTER CONVERSION`", Some("ALTER_CONVERSION")),
    // ora2pg comment markers and pg_query parse failures (voyager's own name, both rows)
    ("ora2pg comment markers", Some("UNSUPPORTED_PG_SYNTAX")),
    ("pg_query parse failure", Some("UNSUPPORTED_PG_SYNTAX")),
];

/// The cells of a Markdown table row. A `|` inside a code span (`` `a|b` ``) belongs to the cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    for ch in inner.chars() {
        match ch {
            '`' => {
                in_code = !in_code;
                cur.push(ch);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(ch),
        }
    }
    out.push(cur.trim().to_string());
    out
}

fn is_separator(line: &str) -> bool {
    line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The tables of a Markdown document by `### N.M` section: each row as header name → cell.
fn tables(text: &str) -> BTreeMap<String, Vec<BTreeMap<String, String>>> {
    let mut out: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    let mut section: Option<String> = None;
    let mut header: Option<Vec<String>> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            section = h.split_whitespace().next().map(String::from);
            header = None;
            continue;
        }
        if line.starts_with("## ") {
            section = None;
            header = None;
            continue;
        }
        let Some(sec) = &section else { continue };
        if !line.trim_start().starts_with('|') {
            header = None;
            continue;
        }
        if is_separator(line) {
            continue;
        }
        let row = cells(line);
        match &header {
            None => header = Some(row),
            Some(h) => {
                assert_eq!(row.len(), h.len(), "§{sec}: a row has {} cells, its header {}: {line}", row.len(), h.len());
                out.entry(sec.clone()).or_default().push(h.iter().cloned().zip(row).collect());
            }
        }
    }
    out
}

fn strip_code(s: &str) -> String {
    s.trim().trim_matches('`').trim().to_string()
}

/// Ids from the references: the ones that must be accounted for (with where they come from), and
/// every id the references know (for catching typos in `covers:` and NOT-COVERED.md).
struct References {
    required: BTreeMap<String, String>,
    known: BTreeSet<String>,
}

fn references(dir: &Path) -> References {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut required = BTreeMap::new();
    let mut known = BTreeSet::new();

    let facts = tables(&read("target-facts.md"));
    for (sec, rows) in facts.iter().filter(|(s, _)| s.starts_with("2.")) {
        for row in rows {
            let Some(code) = row.get("Code").map(|c| strip_code(c)) else { continue };
            known.insert(code.clone());
            let schema = row.get("Phase").is_some_and(|p| p.contains('S'));
            if schema && ["2.1", "2.2", "2.3", "2.4"].contains(&sec.as_str()) {
                required.insert(code, format!("target-facts §{sec}"));
            }
        }
    }
    assert!(required.len() > 40, "target-facts.md: only {} schema rows found in §2.1–§2.4", required.len());

    let voyager_text = read("prior-art-voyager.md");
    let voyager = tables(&voyager_text);
    for sec in ["1.2", "1.3", "1.4", "1.5", "1.6"] {
        for row in voyager.get(sec).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(ty) = row.get("Type").map(|t| strip_code(t)) else { continue };
            known.insert(ty.clone());
            if sec == "1.2" || sec == "1.3" {
                // Rows documented on the MySQL or Oracle known-issues pages only apply to those sources.
                let anchor = row.get("Docs anchor").map(|a| strip_code(a)).unwrap_or_default();
                if anchor.starts_with("mysql/") || anchor.starts_with("oracle/") {
                    continue;
                }
                required.insert(ty, format!("voyager §{sec}"));
            }
        }
    }
    assert!(
        voyager.get("1.2").is_some_and(|r| r.len() > 20) && voyager.get("1.3").is_some_and(|r| r.len() > 10),
        "prior-art-voyager.md: the §1.2 / §1.3 tables were not found"
    );

    // §1.2's "PK/UK and index on complex types": 29 types × 2 issue names, listed in prose
    // ("Types (29 each): citext, …") rather than as table rows.
    let voyager_text = std::fs::read_to_string(dir.join("prior-art-voyager.md")).unwrap();
    let types_line = voyager_text
        .lines()
        .find(|l| l.contains("Types (29 each):"))
        .expect("prior-art-voyager.md: the complex-type list of §1.2 was not found");
    let list = types_line.split("Types (29 each):").nth(1).unwrap().split('.').next().unwrap();
    let types: Vec<String> =
        list.split(',').map(|t| t.trim().trim_matches('`').to_uppercase()).filter(|t| !t.is_empty()).collect();
    assert_eq!(types.len(), 29, "expected 29 complex types in §1.2, found {types:?}");
    for t in &types {
        for id in [format!("PK_UK_ON_{t}_DATATYPE"), format!("INDEX_ON_{t}_DATATYPE")] {
            known.insert(id.clone());
            required.insert(id, "voyager §1.2 (PK/UK and index on complex types)".to_string());
        }
    }

    // §1.7: every row must match exactly one hard-coded entry, and every entry one row.
    let regex_rows = voyager.get("1.7").cloned().unwrap_or_default();
    let mut used = vec![0usize; REGEX_RULE_IDS.len()];
    let mut problems = Vec::new();
    for row in &regex_rows {
        let first = row.get("Rule (regex)").cloned().unwrap_or_default();
        let hits: Vec<usize> = (0..REGEX_RULE_IDS.len()).filter(|&i| first.starts_with(REGEX_RULE_IDS[i].0)).collect();
        match hits.as_slice() {
            [i] => {
                used[*i] += 1;
                if let Some(id) = REGEX_RULE_IDS[*i].1 {
                    known.insert(id.to_string());
                    required.insert(id.to_string(), format!("voyager §1.7 ({})", REGEX_RULE_IDS[*i].0));
                }
            }
            [] => problems.push(format!("§1.7 row without an id in REGEX_RULE_IDS: {first}")),
            _ => problems.push(format!("§1.7 row matches several REGEX_RULE_IDS entries: {first}")),
        }
    }
    for (i, n) in used.iter().enumerate() {
        if *n != 1 {
            problems.push(format!("REGEX_RULE_IDS entry `{}` matches {n} §1.7 rows", REGEX_RULE_IDS[i].0));
        }
    }
    assert!(problems.is_empty(), "prior-art-voyager.md §1.7 and REGEX_RULE_IDS disagree:\n{}", problems.join("\n"));

    References { required, known }
}

/// The ids of `rules/NOT-COVERED.md` (first column of its table), with duplicates reported.
fn not_covered(path: &Path) -> (BTreeSet<String>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ids = BTreeSet::new();
    let mut duplicates = Vec::new();
    let mut header_seen = false;
    for line in text.lines().filter(|l| l.trim_start().starts_with('|')) {
        if is_separator(line) {
            continue;
        }
        let row = cells(line);
        if !header_seen {
            assert_eq!(
                row,
                ["id", "source", "reason"],
                "NOT-COVERED.md: the table's columns must be id | source | reason"
            );
            header_seen = true;
            continue;
        }
        assert_eq!(row.len(), 3, "NOT-COVERED.md: a row needs id, source and reason: {line}");
        assert!(!row[2].is_empty(), "NOT-COVERED.md: {} has no reason", row[0]);
        let id = strip_code(&row[0]);
        if !ids.insert(id.clone()) {
            duplicates.push(id);
        }
    }
    (ids, duplicates)
}

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference")
}

#[test]
fn every_reference_entry_is_covered_or_explained() {
    let dir = reference_dir();
    if !dir.join("target-facts.md").is_file() || !dir.join("prior-art-voyager.md").is_file() {
        if std::env::var_os("PG2ZNB_CORPUS").is_some() {
            panic!("PG2ZNB_CORPUS is set but the references are missing from {}", dir.display());
        }
        eprintln!("rules_coverage: {} not found; skipping the coverage check", dir.display());
        return;
    }
    let refs = references(&dir);

    let pack = RulePack::builtin().expect("rule files load");
    let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &pack.rules {
        for id in &r.covers {
            covered.entry(id.clone()).or_default().push(format!("{} {}", r.code, r.id));
        }
    }
    let nc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/NOT-COVERED.md");
    let (listed, duplicates) = not_covered(&nc_path);

    let mut missing = Vec::new();
    let mut both = Vec::new();
    for (id, source) in &refs.required {
        match (covered.get(id), listed.contains(id)) {
            (None, false) => missing.push(format!("  {id}  ({source})")),
            (Some(rules), true) => {
                both.push(format!("  {id}  (covered by {}; also in NOT-COVERED.md)", rules.join(", ")))
            }
            _ => {}
        }
    }
    let unknown_covers: Vec<String> = covered
        .iter()
        .filter(|(id, _)| !refs.known.contains(*id))
        .map(|(id, rules)| format!("  {id}  (covers: of {})", rules.join(", ")))
        .collect();
    let unknown_listed: Vec<String> =
        listed.iter().filter(|id| !refs.known.contains(*id)).map(|id| format!("  {id}  (NOT-COVERED.md)")).collect();
    let not_required: Vec<String> = listed
        .iter()
        .filter(|id| refs.known.contains(*id) && !refs.required.contains_key(*id))
        .map(|id| format!("  {id}  (NOT-COVERED.md lists an id that needs no entry: not a schema row)"))
        .collect();

    let mut report = String::new();
    let mut section = |title: &str, items: &[String]| {
        if !items.is_empty() {
            report.push_str(&format!("\n{title} ({}):\n{}\n", items.len(), items.join("\n")));
        }
    };
    section("missing: neither in a rule's covers: nor in rules/NOT-COVERED.md", &missing);
    section("both covered by a rule and listed in rules/NOT-COVERED.md", &both);
    section("unknown ids in covers: (not in the references; typo?)", &unknown_covers);
    section("unknown ids in rules/NOT-COVERED.md (not in the references; typo?)", &unknown_listed);
    section("listed twice in rules/NOT-COVERED.md", &duplicates.iter().map(|d| format!("  {d}")).collect::<Vec<_>>());
    section("needless NOT-COVERED.md entries", &not_required);
    assert!(report.is_empty(), "rule coverage of the references is incomplete:{report}");
}

#[test]
fn markdown_cells_keep_pipes_inside_code_spans() {
    assert_eq!(cells("| `a|b` | c |"), ["`a|b`", "c"]);
    assert_eq!(cells("|x|y|"), ["x", "y"]);
}

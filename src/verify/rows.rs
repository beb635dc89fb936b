//! Row counts: exact (`count(*)`, table by table) or estimated (catalog statistics); and row
//! checksums: an order-independent hash of every row's text, computed on each server.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use indicatif::ProgressBar;
use postgres::Client;
use serde::Serialize;

use super::catalog::{Catalog, QualName};
use super::diff::{Difference, Problem};
use super::VerifyError;
use crate::manifest::ObjectKind;

/// How `verify` compares row counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowMode {
    /// Row counts are not compared.
    #[default]
    None,
    /// `pg_class.reltuples` on both sides, compared with a tolerance.
    Estimate,
    /// `SELECT count(*) FROM ONLY t` on both sides, compared exactly.
    Exact,
    /// The count and the sum of a 64-bit hash (md5) of every row's text, on both sides, with the
    /// output settings fixed so PostgreSQL 11 and 15 print values alike: catches an updated row,
    /// double-encoded text, a lost or duplicated row.
    Checksum,
}

impl FromStr for RowMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(RowMode::None),
            "estimate" => Ok(RowMode::Estimate),
            "exact" => Ok(RowMode::Exact),
            "checksum" => Ok(RowMode::Checksum),
            other => Err(format!("unknown row mode `{other}` (expected none, estimate, exact or checksum)")),
        }
    }
}

impl fmt::Display for RowMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RowMode::None => "none",
            RowMode::Estimate => "estimate",
            RowMode::Exact => "exact",
            RowMode::Checksum => "checksum",
        })
    }
}

/// Rows per table; `None` when the server has no estimate (never analyzed).
pub type RowCounts = BTreeMap<QualName, Option<i64>>;

/// Tables that hold rows themselves: plain tables and partitions (partitioned parents hold none;
/// foreign tables are skipped, counting them would query the remote server).
pub fn countable_tables(cat: &Catalog) -> Vec<QualName> {
    cat.tables.iter().filter(|(_, t)| t.kind == "table").map(|(q, _)| q.clone()).collect()
}

/// `count(*)` of each table (its own rows, `ONLY`), advancing `progress` by one per table.
pub fn exact_counts(
    client: &mut Client,
    tables: &[QualName],
    progress: Option<&ProgressBar>,
) -> Result<RowCounts, VerifyError> {
    let mut out = RowCounts::new();
    for t in tables {
        let sql = format!("SELECT pg_catalog.count(*) FROM ONLY {}", t.sql());
        let row = client.query_one(&sql, &[]).map_err(|e| VerifyError::query(&format!("count rows of {t}"), &e))?;
        let n: i64 = row.try_get(0).map_err(|e| VerifyError::query(&format!("count rows of {t}"), &e))?;
        out.insert(t.clone(), Some(n));
        if let Some(p) = progress {
            p.inc(1);
        }
    }
    Ok(out)
}

/// Output settings under which both engines print every value the same way: floats rounded to 15
/// digits (PostgreSQL 12 changed the default to shortest-exact; 0 keeps the old rounding on both),
/// ISO dates in UTC, postgres intervals, hex bytea.
const STABLE_OUTPUT: &str = "SET datestyle = 'ISO, MDY'; SET intervalstyle = 'postgres'; SET timezone = 'UTC'; \
                             SET extra_float_digits = 0; SET bytea_output = 'hex'";

/// Per table: the row count and the sum (as text) of the first 64 bits of md5(row::text).
pub type RowChecksums = BTreeMap<QualName, (i64, String)>;

/// The checksum of each table (its own rows, `ONLY`), advancing `progress` by one per table.
pub fn checksums(
    client: &mut Client,
    tables: &[QualName],
    progress: Option<&ProgressBar>,
) -> Result<RowChecksums, VerifyError> {
    client.batch_execute(STABLE_OUTPUT).map_err(|e| VerifyError::query("set output settings", &e))?;
    let mut out = RowChecksums::new();
    for t in tables {
        let sql = format!(
            "SELECT pg_catalog.count(*), coalesce(pg_catalog.sum(('x' || pg_catalog.substr(pg_catalog.md5(r::text), 1, 16))::bit(64)::int8::numeric), 0)::text \
             FROM ONLY {} r",
            t.sql()
        );
        let what = format!("checksum rows of {t}");
        let row = client.query_one(&sql, &[]).map_err(|e| VerifyError::query(&what, &e))?;
        let n: i64 = row.try_get(0).map_err(|e| VerifyError::query(&what, &e))?;
        let sum: String = row.try_get(1).map_err(|e| VerifyError::query(&what, &e))?;
        out.insert(t.clone(), (n, sum));
        if let Some(p) = progress {
            p.inc(1);
        }
    }
    Ok(out)
}

/// The row counts of `checksums` (a checksum run compares counts too).
pub fn counts_of(checksums: &RowChecksums) -> RowCounts {
    checksums.iter().map(|(t, (n, _))| (t.clone(), Some(*n))).collect()
}

/// A difference in a table's rows.
fn table_difference(table: &QualName, problem: Problem, detail: String) -> Difference {
    Difference::new(ObjectKind::Table, Some(&table.schema), None, &table.name, table.to_string(), problem, detail)
}

/// Tables whose counts agree but whose checksums do not: a row's content differs.
pub fn compare_checksums(source: &RowChecksums, target: &RowChecksums) -> (usize, Vec<Difference>) {
    let mut matched = 0;
    let mut diffs = Vec::new();
    for (table, (n, a)) in source {
        let Some((m, b)) = target.get(table) else { continue };
        if n != m {
            continue; // reported as a row count difference
        }
        if a == b {
            matched += 1;
        } else {
            diffs.push(table_difference(
                table,
                Problem::RowContent,
                format!(
                    "row content: the same {n} rows on both sides, but the checksum of their text differs (an updated row, or text encoded twice)"
                ),
            ));
        }
    }
    (matched, diffs)
}

/// `pg_class.reltuples` of each table; `None` for a table never vacuumed or analyzed.
pub fn estimated_counts(client: &mut Client, tables: &[QualName]) -> Result<RowCounts, VerifyError> {
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text, c.reltuples::float8, c.relpages::int8 \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r'",
            &[],
        )
        .map_err(|e| VerifyError::query("read row estimates", &e))?;
    let mut all = BTreeMap::new();
    for r in rows {
        let (schema, name, tuples, pages): (String, String, f64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        // PostgreSQL 14+ says -1 for "never analyzed"; before, 0 tuples on 0 pages.
        let known = tuples >= 0.0 && !(tuples == 0.0 && pages == 0);
        all.insert(QualName::new(schema, name), known.then(|| tuples.round() as i64));
    }
    Ok(tables.iter().map(|t| (t.clone(), all.get(t).copied().flatten())).collect())
}

/// Estimates within 10 % (and at least 100 rows) of each other count as equal.
fn estimates_agree(a: i64, b: i64) -> bool {
    let diff = (a - b).unsigned_abs();
    let tolerance = (a.max(b).unsigned_abs() / 10).max(100);
    diff <= tolerance
}

/// Compare the counts of tables present on both sides. Returns (matched, differences); tables
/// without an estimate on either side are neither.
pub fn compare(mode: RowMode, source: &RowCounts, target: &RowCounts) -> (usize, Vec<Difference>) {
    let mut matched = 0;
    let mut diffs = Vec::new();
    for (table, src) in source {
        let Some(tgt) = target.get(table) else {
            continue;
        };
        let (Some(a), Some(b)) = (*src, *tgt) else {
            continue;
        };
        let same = match mode {
            RowMode::Exact | RowMode::Checksum => a == b,
            _ => estimates_agree(a, b),
        };
        if same {
            matched += 1;
        } else {
            let what = if matches!(mode, RowMode::Exact | RowMode::Checksum) {
                "row count"
            } else {
                "estimated row count (pg_class.reltuples, run ANALYZE on both sides for a better estimate)"
            };
            diffs.push(table_difference(table, Problem::RowCount, format!("{what}: source {a}, target {b}")));
        }
    }
    (matched, diffs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_tolerance() {
        assert!(estimates_agree(0, 50));
        assert!(estimates_agree(10_000, 10_900));
        assert!(!estimates_agree(10_000, 12_000));
        assert!(!estimates_agree(0, 500));
    }

    #[test]
    fn exact_compare_names_table() {
        let q = QualName::new("public", "t");
        let src = RowCounts::from([(q.clone(), Some(3))]);
        let tgt = RowCounts::from([(q.clone(), Some(2))]);
        let (m, d) = compare(RowMode::Exact, &src, &tgt);
        assert_eq!(m, 0);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].object, "public.t");
        assert!(d[0].detail.contains("source 3, target 2"), "{}", d[0].detail);
        let (m, d) = compare(RowMode::Exact, &src, &src);
        assert_eq!((m, d.len()), (1, 0));
    }

    #[test]
    fn checksum_compare_names_table_with_same_count() {
        let q = QualName::new("public", "t");
        let src = RowChecksums::from([(q.clone(), (2, "10".to_string()))]);
        let tgt = RowChecksums::from([(q.clone(), (2, "11".to_string()))]);
        let (m, d) = compare_checksums(&src, &tgt);
        assert_eq!((m, d.len()), (0, 1));
        assert_eq!(d[0].problem, Problem::RowContent);
        assert_eq!(compare_checksums(&src, &src).0, 1);
        // A count difference is the count's to report.
        let fewer = RowChecksums::from([(q, (1, "10".to_string()))]);
        assert_eq!(compare_checksums(&src, &fewer), (0, Vec::new()));
    }

    #[test]
    fn row_mode_parses() {
        assert_eq!("exact".parse::<RowMode>(), Ok(RowMode::Exact));
        assert!("all".parse::<RowMode>().is_err());
        assert_eq!("checksum".parse::<RowMode>(), Ok(RowMode::Checksum));
        assert_eq!(RowMode::Estimate.to_string(), "estimate");
    }
}

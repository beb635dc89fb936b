//! How a table is cut into ranges for the copy, and the `WHERE` text of each range.
//!
//! - By key: a single-column integer primary key (else a unique index on a NOT NULL integer
//!   column), its min and max read in the snapshot and cut into equal spans.
//! - By pages: `ctid` ranges (`ctid >= '(a,0)' AND ctid < '(b,0)'`), for tables without such a
//!   key. PostgreSQL 14+ reads such a range with a TID range scan; on older sources every range
//!   scans the whole table (the planner only filters), so ctid ranges cost a table scan each there.
//! - How many: enough that each range holds at most `--split-rows` rows (estimated from
//!   `pg_class.reltuples`; for a key table never analysed, from the key's span) and at most
//!   `--split-mb` of the table (`pg_relation_size`). The first range has no lower bound and the
//!   last no upper bound, so every row belongs to exactly one range.

use postgres::Client;

use super::copy::{quote, Table};
use crate::verify::VerifyError;

/// How a range selects its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cut {
    /// The whole table.
    All,
    /// `column >= lower AND column < upper` (integer key).
    Key(String),
    /// `ctid >= '(lower,0)' AND ctid < '(upper,0)'` (pages).
    Pages,
}

impl Cut {
    /// As stored in `pg2znb.ranges.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Cut::All => "all",
            Cut::Key(_) => "key",
            Cut::Pages => "ctid",
        }
    }

    pub fn from_stored(kind: &str, column: Option<String>) -> Cut {
        match (kind, column) {
            ("key", Some(c)) => Cut::Key(c),
            ("ctid", _) => Cut::Pages,
            _ => Cut::All,
        }
    }

    pub fn column(&self) -> Option<&str> {
        match self {
            Cut::Key(c) => Some(c),
            _ => None,
        }
    }
}

/// One range of one table, as planned (and stored in the target's `pg2znb.ranges`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// The table's key (`schema.name`, as in `pg2znb.copied`).
    pub table: String,
    pub id: i32,
    pub cut: Cut,
    /// Inclusive; `None`: unbounded.
    pub lower: Option<i64>,
    /// Exclusive; `None`: unbounded.
    pub upper: Option<i64>,
    pub est_rows: i64,
    pub est_bytes: i64,
}

impl Range {
    /// The condition selecting the range's rows (`None`: every row).
    pub fn predicate(&self) -> Option<String> {
        let mut parts = Vec::new();
        match &self.cut {
            Cut::All => return None,
            Cut::Key(c) => {
                if let Some(l) = self.lower {
                    parts.push(format!("{} >= {l}", quote(c)));
                }
                if let Some(u) = self.upper {
                    parts.push(format!("{} < {u}", quote(c)));
                }
            }
            Cut::Pages => {
                if let Some(l) = self.lower {
                    parts.push(format!("ctid >= '({l},0)'::tid"));
                }
                if let Some(u) = self.upper {
                    parts.push(format!("ctid < '({u},0)'::tid"));
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// The bounds for messages: `id >= 100 AND id < 200`, `pages 0 to 128`, `whole table`.
    pub fn bounds(&self) -> String {
        let end = |v: Option<i64>, open: &str| v.map(|v| v.to_string()).unwrap_or_else(|| open.to_string());
        match &self.cut {
            Cut::All => "whole table".into(),
            Cut::Key(_) => self.predicate().unwrap_or_else(|| "whole table".into()),
            Cut::Pages => format!("pages {} to {}", end(self.lower, "0"), end(self.upper, "end")),
        }
    }

    /// At most this many rows can be in the range, when the bounds say (an integer key is
    /// unique; a page holds at most a few hundred tuples): sizes ZNbaseDB's
    /// `ROWS_PER_TRANSACTION` so the range stays one transaction.
    pub fn max_rows(&self) -> Option<i64> {
        let (l, u) = (self.lower?, self.upper?);
        let span = (u as i128 - l as i128).max(0);
        let rows = match self.cut {
            Cut::All => return None,
            Cut::Key(_) => span,
            // MaxHeapTuplesPerPage is 291 for 8 kB pages; 2048 covers 32 kB pages too.
            Cut::Pages => span * 2048,
        };
        i64::try_from(rows).ok()
    }
}

/// When to split a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitOptions {
    /// At most this many rows per range (estimated).
    pub rows: Option<u64>,
    /// At most this many MB (MiB) of the table per range.
    pub mb: Option<u64>,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions { rows: None, mb: Some(256) }
    }
}

/// `[lo, hi]` cut into `n` spans of (nearly) equal width: the first without a lower bound, the
/// last without an upper bound. `n` is reduced to the width when the width is smaller.
pub fn cut(lo: i64, hi: i64, n: u64) -> Vec<(Option<i64>, Option<i64>)> {
    let width = (hi as i128 - lo as i128 + 1).max(1);
    let n = (n.max(1) as i128).min(width);
    let at = |k: i128| -> i64 { (lo as i128 + width * k / n) as i64 };
    (0..n).map(|k| ((k > 0).then(|| at(k)), (k + 1 < n).then(|| at(k + 1)))).collect()
}

/// Plan `t`'s ranges on `source`, inside the snapshot it imported.
pub fn plan(source: &mut Client, t: &Table, opts: &SplitOptions) -> Result<Vec<Range>, VerifyError> {
    let key = t.key();
    let qualified = format!("{}.{}", quote(&t.schema), quote(&t.name));
    let what = |s: &str| format!("plan {key}: {s}");
    let row = source
        .query_one(
            "SELECT c.reltuples::float8, pg_catalog.pg_relation_size(c.oid)::int8, \
                    pg_catalog.current_setting('block_size')::int8, \
                    (SELECT a.attname::text FROM pg_catalog.pg_index i \
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
                     WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indnatts = 1 \
                       AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attnotnull \
                       AND a.atttypid IN ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype, 'pg_catalog.int8'::pg_catalog.regtype) \
                     ORDER BY i.indisprimary DESC, a.attnum LIMIT 1) \
             FROM pg_catalog.pg_class c WHERE c.oid = $1::text::pg_catalog.regclass",
            &[&qualified],
        )
        .map_err(|e| VerifyError::query(&what("read its size"), &e))?;
    let (reltuples, bytes, block, column): (f64, i64, i64, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    // reltuples is -1 (PostgreSQL 14+) or 0 with no pages (older) when never analysed.
    let analysed = reltuples > 0.0 || (reltuples == 0.0 && bytes == 0);
    let mut rows_est = analysed.then_some(reltuples.max(0.0) as u64);
    let by_mb = opts.mb.filter(|m| *m > 0).map(|m| (bytes.max(0) as u64).div_ceil(m * 1024 * 1024));
    let whole = |rows: Option<u64>| {
        vec![Range {
            table: key.clone(),
            id: 0,
            cut: Cut::All,
            lower: None,
            upper: None,
            est_rows: rows.unwrap_or(0) as i64,
            est_bytes: bytes,
        }]
    };
    let (cut_by, spans) = if let Some(col) = column {
        let mm = source
            .query_one(&format!("SELECT min({c})::int8, max({c})::int8 FROM ONLY {qualified}", c = quote(&col)), &[])
            .map_err(|e| VerifyError::query(&what("read its key's min and max"), &e))?;
        let (Some(lo), Some(hi)): (Option<i64>, Option<i64>) = (mm.get(0), mm.get(1)) else {
            return Ok(whole(Some(0)));
        };
        let span = (hi as i128 - lo as i128 + 1).min(u64::MAX as i128) as u64;
        rows_est = Some(rows_est.unwrap_or(span));
        let by_rows = opts.rows.filter(|r| *r > 0).and_then(|r| rows_est.map(|n| n.div_ceil(r)));
        let n = by_rows.unwrap_or(1).max(by_mb.unwrap_or(1)).max(1);
        (Cut::Key(col), cut(lo, hi, n))
    } else {
        let pages = (bytes.max(0) / block.max(1)) as u64;
        let by_rows = opts.rows.filter(|r| *r > 0).and_then(|r| rows_est.map(|n| n.div_ceil(r)));
        let n = by_rows.unwrap_or(1).max(by_mb.unwrap_or(1)).max(1).min(pages.max(1));
        (Cut::Pages, cut(0, pages as i64 - 1, n))
    };
    if spans.len() <= 1 {
        return Ok(whole(rows_est));
    }
    let n = spans.len() as i64;
    Ok(spans
        .into_iter()
        .enumerate()
        .map(|(i, (lower, upper))| Range {
            table: key.clone(),
            id: i as i32,
            cut: cut_by.clone(),
            lower,
            upper,
            est_rows: rows_est.unwrap_or(0) as i64 / n,
            est_bytes: bytes / n,
        })
        .collect())
}

/// One range covering what `ranges` (of one table) cover.
pub fn whole(ranges: Vec<Range>) -> Range {
    let (rows, bytes) = ranges.iter().fold((0i64, 0i64), |(r, b), x| (r + x.est_rows, b + x.est_bytes));
    let table = ranges.into_iter().next().map(|r| r.table).unwrap_or_default();
    Range { table, id: 0, cut: Cut::All, lower: None, upper: None, est_rows: rows, est_bytes: bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(lo: i64, hi: i64, n: u64) {
        let spans = cut(lo, hi, n);
        assert_eq!(spans.first().unwrap().0, None);
        assert_eq!(spans.last().unwrap().1, None);
        for w in spans.windows(2) {
            assert_eq!(w[0].1, w[1].0, "adjacent spans meet");
            assert!(w[1].0.unwrap() > w[0].0.unwrap_or(i64::MIN), "increasing: {spans:?}");
        }
        assert!(spans.len() as u64 <= n.max(1));
    }

    #[test]
    fn cuts_cover_the_key_space_without_gaps_or_overlaps() {
        covers(1, 10_000, 10);
        assert_eq!(
            cut(1, 100, 4),
            vec![(None, Some(26)), (Some(26), Some(51)), (Some(51), Some(76)), (Some(76), None)]
        );
        covers(i64::MIN, i64::MAX, 7);
        covers(-5, 5, 100);
        assert_eq!(cut(3, 5, 100).len(), 3, "no more spans than keys");
        assert_eq!(cut(7, 7, 4), vec![(None, None)]);
    }

    #[test]
    fn predicates_and_bounds() {
        let r =
            |cut: Cut, lower, upper| Range { table: "t".into(), id: 0, cut, lower, upper, est_rows: 0, est_bytes: 0 };
        let k = r(Cut::Key("i\"d".into()), Some(10), Some(20));
        assert_eq!(k.predicate().unwrap(), "\"i\"\"d\" >= 10 AND \"i\"\"d\" < 20");
        assert_eq!(k.max_rows(), Some(10));
        let first = r(Cut::Key("id".into()), None, Some(20));
        assert_eq!(first.predicate().unwrap(), "\"id\" < 20");
        assert_eq!(first.max_rows(), None);
        let p = r(Cut::Pages, Some(4), Some(8));
        assert_eq!(p.predicate().unwrap(), "ctid >= '(4,0)'::tid AND ctid < '(8,0)'::tid");
        assert_eq!(p.bounds(), "pages 4 to 8");
        assert_eq!(r(Cut::Pages, Some(4), None).bounds(), "pages 4 to end");
        assert_eq!(r(Cut::All, None, None).predicate(), None);
        assert_eq!(Cut::from_stored("key", Some("id".into())), Cut::Key("id".into()));
        assert_eq!(Cut::from_stored("ctid", None), Cut::Pages);
    }
}

//! The copy's plan and completion records in the work directory ([`super::records::Records::Dir`]),
//! for a target whose role cannot create the `pg2znb` schema: `copy-plan.json` (every table and
//! its ranges, planned once) and `copied.log` (a JSON line per range committed or stashed).
//!
//! A range's line is written after its transaction committed; the copy deletes the range's rows
//! in the transaction that copies it, so a range redone after a kill between the two replaces
//! its rows instead of doubling them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::copy::{CopyError, Table};
use super::ranges::{Cut, Range};
use super::records::Journal;

/// One range as `copy-plan.json` holds it (the columns of `pg2znb.ranges`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct StoredRange {
    id: i32,
    kind: String,
    key_column: Option<String>,
    lower: Option<i64>,
    upper: Option<i64>,
    est_rows: i64,
    est_bytes: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct StoredTable {
    schema: String,
    name: String,
    columns: Vec<String>,
    ranges: Vec<StoredRange>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct StoredPlan {
    snapshot: String,
    tables: Vec<StoredTable>,
}

/// One line of `copied.log` (JSON: table names may hold any character).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Line {
    table: String,
    range: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    stashed: bool,
}

/// What `copied.log` says of one range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Done { rows: u64, bytes: u64 },
    Stashed,
}

/// Every table with its ranges, in plan order.
pub type Planned = Vec<(Table, Vec<Range>)>;

pub struct CopyJournal {
    plan_path: PathBuf,
    journal: Journal,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CopyError + '_ {
    move |e| CopyError::Io { path: path.display().to_string(), message: e.to_string() }
}

impl CopyJournal {
    pub fn open(dir: &Path) -> Result<CopyJournal, CopyError> {
        let log = dir.join("copied.log");
        let journal = Journal::open(&log).map_err(io_err(&log))?;
        Ok(CopyJournal { plan_path: dir.join("copy-plan.json"), journal })
    }

    /// The stored plan: its snapshot and every table with its ranges (`None` before the first run
    /// planned).
    pub fn plan(&self) -> Result<Option<(String, Planned)>, CopyError> {
        let text = match std::fs::read_to_string(&self.plan_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&self.plan_path)(e)),
        };
        let stored: StoredPlan = serde_json::from_str(&text).map_err(|e| CopyError::Io {
            path: self.plan_path.display().to_string(),
            message: format!("not a copy plan ({e}): delete the work directory's records/ and the target's rows to start the copy again"),
        })?;
        let tables = stored
            .tables
            .into_iter()
            .map(|t| {
                let table = Table { schema: t.schema, name: t.name, columns: t.columns };
                let key = table.key();
                let ranges = t
                    .ranges
                    .into_iter()
                    .map(|r| Range {
                        table: key.clone(),
                        id: r.id,
                        cut: Cut::from_stored(&r.kind, r.key_column),
                        lower: r.lower,
                        upper: r.upper,
                        est_rows: r.est_rows,
                        est_bytes: r.est_bytes,
                    })
                    .collect();
                (table, ranges)
            })
            .collect();
        Ok(Some((stored.snapshot, tables)))
    }

    /// Store the plan (whole or not at all).
    pub fn store_plan(&self, snapshot: &str, tables: &Planned) -> Result<(), CopyError> {
        let stored = StoredPlan {
            snapshot: snapshot.to_string(),
            tables: tables
                .iter()
                .map(|(t, ranges)| StoredTable {
                    schema: t.schema.clone(),
                    name: t.name.clone(),
                    columns: t.columns.clone(),
                    ranges: ranges
                        .iter()
                        .map(|r| StoredRange {
                            id: r.id,
                            kind: r.cut.kind().to_string(),
                            key_column: r.cut.column().map(str::to_string),
                            lower: r.lower,
                            upper: r.upper,
                            est_rows: r.est_rows,
                            est_bytes: r.est_bytes,
                        })
                        .collect(),
                })
                .collect(),
        };
        let tmp = self.plan_path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(&stored).unwrap_or_default();
        std::fs::write(&tmp, text).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &self.plan_path).map_err(io_err(&self.plan_path))
    }

    /// What the log says of each range, by (table key, range id); a later line wins.
    pub fn marks(&self) -> BTreeMap<(String, i32), Mark> {
        let mut out = BTreeMap::new();
        for line in self.journal.lines() {
            let Ok(l) = serde_json::from_str::<Line>(line) else { continue };
            let mark = match (l.stashed, l.rows, l.bytes) {
                (true, _, _) => Mark::Stashed,
                (false, Some(rows), Some(bytes)) => Mark::Done { rows, bytes },
                _ => continue,
            };
            out.insert((l.table, l.range), mark);
        }
        out
    }

    /// The range committed with `rows` rows and `bytes` bytes.
    pub fn done(&self, range: &Range, rows: u64, bytes: u64) -> std::io::Result<()> {
        let line =
            Line { table: range.table.clone(), range: range.id, rows: Some(rows), bytes: Some(bytes), stashed: false };
        self.journal.append(&serde_json::to_string(&line).unwrap_or_default())
    }

    /// The range was set aside (`--on-error stash`).
    pub fn stashed(&self, range: &Range) -> std::io::Result<()> {
        let line = Line { table: range.table.clone(), range: range.id, rows: None, bytes: None, stashed: true };
        self.journal.append(&serde_json::to_string(&line).unwrap_or_default())
    }

    pub fn path(&self) -> &Path {
        self.journal.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_and_the_marks_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let j = CopyJournal::open(dir.path()).unwrap();
        assert_eq!(j.plan().unwrap(), None);
        let t = Table { schema: "public".into(), name: "Odd\tname".into(), columns: vec!["id".into()] };
        let r = |id, lower, upper| Range {
            table: t.key(),
            id,
            cut: Cut::Key("id".into()),
            lower,
            upper,
            est_rows: 5,
            est_bytes: 50,
        };
        let plan = vec![(t.clone(), vec![r(0, None, Some(10)), r(1, Some(10), None)])];
        j.store_plan("snap-1", &plan).unwrap();
        j.done(&plan[0].1[0], 9, 90).unwrap();
        j.stashed(&plan[0].1[1]).unwrap();
        drop(j);
        let j = CopyJournal::open(dir.path()).unwrap();
        assert_eq!(j.plan().unwrap(), Some(("snap-1".to_string(), plan)));
        let marks = j.marks();
        assert_eq!(marks.get(&(t.key(), 0)), Some(&Mark::Done { rows: 9, bytes: 90 }));
        assert_eq!(marks.get(&(t.key(), 1)), Some(&Mark::Stashed));
    }
}

//! What the copy reports while it runs, to whoever shows it: the CLI draws a bar per table on a
//! terminal and prints plain lines otherwise; `migrate` keeps each table's state in
//! `status.json`. The library only calls this trait; it never draws or prints.

use std::path::Path;

/// One table of the plan, with what earlier runs (or other processes) already copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TablePlan {
    pub table: String,
    pub est_rows: u64,
    pub est_bytes: u64,
    pub ranges: usize,
    pub done_ranges: usize,
    pub done_rows: u64,
    pub done_bytes: u64,
}

pub trait CopyProgress: Sync {
    /// The plan, once, before any range is copied.
    fn planned(&self, _tables: &[TablePlan]) {}
    /// `rows` more rows (`bytes` of COPY text) of `table` streamed (not committed yet).
    fn streamed(&self, _table: &str, _rows: u64, _bytes: u64) {}
    /// A range failed after streaming this much: it was rolled back and will be redone or stashed.
    fn rolled_back(&self, _table: &str, _rows: u64, _bytes: u64) {}
    /// A range committed with its record; `table_done`: every range of the table this process
    /// knows of is now recorded.
    fn range_done(&self, _table: &str, _range: i32, _rows: u64, _bytes: u64, _table_done: bool) {}
    /// A range's rows were written to `file` (with `--on-error stash`).
    fn range_stashed(&self, _table: &str, _range: i32, _file: &Path) {}
    /// A line worth showing (retries, notes).
    fn note(&self, _line: &str) {}
}

/// Passes notes to a line callback; ignores the rest.
pub struct Lines<'a>(pub &'a (dyn Fn(&str) + Sync));

impl CopyProgress for Lines<'_> {
    fn note(&self, line: &str) {
        (self.0)(line)
    }
}

/// One table's copy in `status.json`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct TableStatus {
    pub table: String,
    /// `pending`, `copying`, `done` or `stashed` (a range of it set aside).
    pub state: String,
    pub ranges: usize,
    pub done_ranges: usize,
    /// Copied and committed (by every run of this work directory's migration that this process saw).
    pub rows: u64,
    pub bytes: u64,
    pub est_rows: u64,
    pub est_bytes: u64,
}

/// Keeps each table's state and hands the whole list to `write` when it changes (the plan, a
/// range committed or stashed); passes everything on to `inner`.
pub struct StatusTap<'a> {
    pub inner: &'a dyn CopyProgress,
    pub write: &'a (dyn Fn(Vec<TableStatus>) + Sync),
    tables: std::sync::Mutex<std::collections::BTreeMap<String, TableStatus>>,
}

impl<'a> StatusTap<'a> {
    pub fn new(inner: &'a dyn CopyProgress, write: &'a (dyn Fn(Vec<TableStatus>) + Sync)) -> Self {
        StatusTap { inner, write, tables: Default::default() }
    }

    fn update(&self, table: &str, f: impl FnOnce(&mut TableStatus)) {
        let list = match self.tables.lock() {
            Ok(mut t) => {
                if let Some(s) = t.get_mut(table) {
                    f(s);
                }
                t.values().cloned().collect()
            }
            Err(_) => return,
        };
        (self.write)(list);
    }
}

impl CopyProgress for StatusTap<'_> {
    fn planned(&self, tables: &[TablePlan]) {
        let list: Vec<TableStatus> = tables
            .iter()
            .map(|p| TableStatus {
                table: p.table.clone(),
                state: if p.done_ranges >= p.ranges { "done" } else { "pending" }.into(),
                ranges: p.ranges,
                done_ranges: p.done_ranges,
                rows: p.done_rows,
                bytes: p.done_bytes,
                est_rows: p.est_rows,
                est_bytes: p.est_bytes,
            })
            .collect();
        if let Ok(mut t) = self.tables.lock() {
            *t = list.iter().map(|s| (s.table.clone(), s.clone())).collect();
        }
        (self.write)(list);
        self.inner.planned(tables);
    }

    fn streamed(&self, table: &str, rows: u64, bytes: u64) {
        self.inner.streamed(table, rows, bytes);
    }

    fn rolled_back(&self, table: &str, rows: u64, bytes: u64) {
        self.inner.rolled_back(table, rows, bytes);
    }

    fn range_done(&self, table: &str, range: i32, rows: u64, bytes: u64, table_done: bool) {
        self.update(table, |s| {
            s.done_ranges += 1;
            s.rows += rows;
            s.bytes += bytes;
            if s.state != "stashed" {
                s.state = if table_done || s.done_ranges >= s.ranges { "done" } else { "copying" }.into();
            }
        });
        self.inner.range_done(table, range, rows, bytes, table_done);
    }

    fn range_stashed(&self, table: &str, range: i32, file: &Path) {
        self.update(table, |s| s.state = "stashed".into());
        self.inner.range_stashed(table, range, file);
    }

    fn note(&self, line: &str) {
        self.inner.note(line);
    }
}

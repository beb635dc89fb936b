//! Which post-data statements may start while the copy still runs.
//!
//! pgcopydb builds a table's indexes as soon as that table's rows are in, while other tables are
//! still copying; waiting for the whole copy leaves the index builds of small tables on the
//! critical path. Finalize asks the gate before starting a statement:
//! - a statement the compile marked `early` (an index, a key or a foreign key, a
//!   trigger or a comment: [`super::finalize::PlanNode::early`]) starts once every table it names
//!   is one the copy fills and that table's ranges are all committed;
//! - everything else (materialized-view refreshes, statements on partitioned parents, views or
//!   tables the copy does not fill) waits for the whole copy;
//! - when the copy fails the gate shuts: nothing more starts, and the next run does the rest.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use super::copy::Table;
use super::copy_progress::{CopyProgress, TablePlan};

/// What the gate says of a statement now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    Yes,
    /// Its tables are still copying: ask again.
    Wait,
    /// The copy failed: it will not start in this run.
    Never,
}

#[derive(Debug, Default)]
struct State {
    /// `schema.name` (as written in the catalog, unquoted) of every table the copy fills.
    copied: BTreeSet<String>,
    /// Those whose ranges are not all committed yet.
    copying: BTreeSet<String>,
    all_open: bool,
    shut: bool,
    /// Table keys as the copy names them (`copy::Table::key`) → `schema.name`.
    keys: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Gate {
    state: Mutex<State>,
}

impl Gate {
    /// Nothing to wait for: the copy is done (or there is none).
    pub fn open() -> Gate {
        Gate { state: Mutex::new(State { all_open: true, ..State::default() }) }
    }

    /// Every table of `tables` is still to be copied.
    pub fn closed(tables: &[Table]) -> Gate {
        let names: BTreeSet<String> = tables.iter().map(|t| format!("{}.{}", t.schema, t.name)).collect();
        let keys = tables.iter().map(|t| (t.key(), format!("{}.{}", t.schema, t.name))).collect();
        Gate { state: Mutex::new(State { copied: names.clone(), copying: names, keys, ..State::default() }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May a statement start now. `early`: the tables (`schema.name`) it waits for when the
    /// compile says it may run before the whole copy is done; `None`: it waits for the whole copy.
    pub fn admits(&self, early: Option<&[String]>) -> Admit {
        let s = self.lock();
        let copied = |t: &String| s.copied.contains(t) && !s.copying.contains(t);
        if s.all_open {
            Admit::Yes
        } else if s.shut {
            Admit::Never
        } else if early.is_some_and(|tables| !tables.is_empty() && tables.iter().all(copied)) {
            Admit::Yes
        } else {
            Admit::Wait
        }
    }

    /// Whether the whole copy is done.
    pub fn is_open(&self) -> bool {
        self.lock().all_open
    }

    /// The table the copy names `key` has all its ranges committed.
    pub fn open_table(&self, key: &str) {
        let mut s = self.lock();
        if let Some((_, name)) = s.keys.iter().find(|(k, _)| k == key) {
            let name = name.clone();
            s.copying.remove(&name);
        }
    }

    /// The copy is done: everything may start.
    pub fn open_all(&self) {
        self.lock().all_open = true;
    }

    /// The copy failed: nothing more starts in this run.
    pub fn shut(&self) {
        self.lock().shut = true;
    }
}

/// The copy's progress, passed on to `inner`, opening the gate for each table whose ranges are
/// all committed (including those an earlier run finished).
pub struct Opening<'a> {
    pub gate: &'a Gate,
    pub inner: &'a dyn CopyProgress,
}

impl CopyProgress for Opening<'_> {
    fn planned(&self, tables: &[TablePlan]) {
        for t in tables.iter().filter(|t| t.done_ranges >= t.ranges) {
            self.gate.open_table(&t.table);
        }
        self.inner.planned(tables);
    }
    fn streamed(&self, table: &str, rows: u64, bytes: u64) {
        self.inner.streamed(table, rows, bytes);
    }
    fn rolled_back(&self, table: &str, rows: u64, bytes: u64) {
        self.inner.rolled_back(table, rows, bytes);
    }
    fn range_done(&self, table: &str, range: i32, rows: u64, bytes: u64, table_done: bool) {
        if table_done {
            self.gate.open_table(table);
        }
        self.inner.range_done(table, range, rows, bytes, table_done);
    }
    fn range_stashed(&self, table: &str, range: i32, file: &Path) {
        self.inner.range_stashed(table, range, file);
    }
    fn note(&self, line: &str) {
        self.inner.note(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(schema: &str, name: &str) -> Table {
        Table { schema: schema.into(), name: name.into(), columns: vec!["id".into()] }
    }

    #[test]
    fn an_early_statement_starts_once_its_tables_are_copied() {
        let gate = Gate::closed(&[table("public", "a"), table("public", "Big T")]);
        let a = vec!["public.a".to_string()];
        let both = vec!["public.a".to_string(), "public.Big T".to_string()];
        assert_eq!(gate.admits(Some(&a)), Admit::Wait);
        gate.open_table("public.a");
        assert_eq!(gate.admits(Some(&a)), Admit::Yes);
        assert_eq!(gate.admits(None), Admit::Wait, "not marked early: waits for the whole copy");
        assert_eq!(gate.admits(Some(&both)), Admit::Wait, "an FK waits for both of its tables");
        // The copy names tables as they are written in SQL.
        gate.open_table("public.\"Big T\"");
        assert_eq!(gate.admits(Some(&both)), Admit::Yes);
        assert_eq!(gate.admits(Some(&["public.mv".to_string()])), Admit::Wait, "a table the copy does not fill");
        assert_eq!(gate.admits(Some(&[])), Admit::Wait);
        gate.open_all();
        assert_eq!(gate.admits(None), Admit::Yes);
    }

    #[test]
    fn a_failed_copy_shuts_the_gate() {
        let gate = Gate::closed(&[table("public", "a")]);
        gate.shut();
        assert_eq!(gate.admits(Some(&["public.a".to_string()])), Admit::Never);
        assert!(!gate.is_open());
    }
}

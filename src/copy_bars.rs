//! `migrate`'s copy progress: on a terminal, one bar per table being copied (rows, MB, rate,
//! ETA from the table's estimated size) and one overall bar; otherwise a plain line per range
//! and per table, for logs. Fed by the library through `CopyProgress`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use pg2znb::data::copy_progress::{CopyProgress, TablePlan};

struct TableState {
    plan: TablePlan,
    bar: Option<ProgressBar>,
    rows: u64,
    bytes: u64,
    started: Option<Instant>,
}

pub struct CopyBars {
    multi: Option<MultiProgress>,
    overall: Mutex<Option<ProgressBar>>,
    tables: Mutex<BTreeMap<String, TableState>>,
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> ")
}

impl CopyBars {
    /// Bars when stderr is a terminal, plain lines otherwise.
    pub fn new() -> CopyBars {
        let multi =
            std::io::stderr().is_terminal().then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        CopyBars { multi, overall: Mutex::new(None), tables: Mutex::new(BTreeMap::new()) }
    }

    /// A line above the bars (or on stderr).
    pub fn line(&self, m: &str) {
        match &self.multi {
            Some(multi) => {
                let _ = multi.println(format!("pg2znb: {m}"));
            }
            None => eprintln!("pg2znb: {m}"),
        }
    }

    /// Remove the bars before the summary is printed.
    pub fn finish(&self) {
        if let Ok(mut t) = self.tables.lock() {
            for s in t.values_mut() {
                if let Some(b) = s.bar.take() {
                    b.finish_and_clear();
                }
            }
        }
        if let Some(b) = self.overall.lock().ok().and_then(|mut o| o.take()) {
            b.finish_and_clear();
        }
    }

    fn overall(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(guard) = self.overall.lock() {
            if let Some(b) = guard.as_ref() {
                f(b);
            }
        }
    }
}

impl CopyProgress for CopyBars {
    fn planned(&self, tables: &[TablePlan]) {
        let total: u64 = tables.iter().map(|t| t.est_bytes.max(t.done_bytes)).sum();
        let done: u64 = tables.iter().map(|t| t.done_bytes).sum();
        let ranges: usize = tables.iter().map(|t| t.ranges).sum();
        let done_ranges: usize = tables.iter().map(|t| t.done_ranges).sum();
        if let Some(multi) = &self.multi {
            let b = multi.add(ProgressBar::new(total.max(1)));
            b.set_style(style(
                "copy {msg:>28} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
            ));
            b.set_position(done);
            b.set_message(format!("{} tables", tables.len()));
            b.enable_steady_tick(Duration::from_millis(200));
            if let Ok(mut o) = self.overall.lock() {
                *o = Some(b);
            }
        } else {
            eprintln!(
                "pg2znb: copy: {} tables in {ranges} ranges (about {}), {done_ranges} ranges recorded before",
                tables.len(),
                mb(total)
            );
        }
        if let Ok(mut t) = self.tables.lock() {
            *t = tables
                .iter()
                .map(|p| {
                    (
                        p.table.clone(),
                        TableState {
                            plan: p.clone(),
                            bar: None,
                            rows: p.done_rows,
                            bytes: p.done_bytes,
                            started: None,
                        },
                    )
                })
                .collect();
        }
    }

    fn streamed(&self, table: &str, rows: u64, bytes: u64) {
        if let Ok(mut t) = self.tables.lock() {
            if let Some(s) = t.get_mut(table) {
                s.rows += rows;
                s.bytes += bytes;
                s.started.get_or_insert_with(Instant::now);
                if let Some(multi) = &self.multi {
                    let bar = s.bar.get_or_insert_with(|| {
                        let b = multi.add(ProgressBar::new(s.plan.est_bytes.max(1)));
                        b.set_style(style(
                            "{msg:>33} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
                        ));
                        b
                    });
                    bar.set_length(s.plan.est_bytes.max(s.bytes).max(1));
                    bar.set_position(s.bytes);
                    bar.set_message(format!("{} {} rows", s.plan.table, s.rows));
                }
            }
        }
        self.overall(|b| b.inc(bytes));
    }

    fn rolled_back(&self, table: &str, rows: u64, bytes: u64) {
        if let Ok(mut t) = self.tables.lock() {
            if let Some(s) = t.get_mut(table) {
                s.rows = s.rows.saturating_sub(rows);
                s.bytes = s.bytes.saturating_sub(bytes);
                if let Some(b) = &s.bar {
                    b.set_position(s.bytes);
                }
            }
        }
        self.overall(|b| b.set_position(b.position().saturating_sub(bytes)));
    }

    fn range_done(&self, table: &str, range: i32, rows: u64, bytes: u64, table_done: bool) {
        let Ok(mut t) = self.tables.lock() else { return };
        let Some(s) = t.get_mut(table) else { return };
        s.plan.done_ranges += 1;
        if self.multi.is_none() {
            eprintln!(
                "pg2znb: copy: {table} range {range} done ({rows} rows, {}); {}/{} ranges of the table",
                mb(bytes),
                s.plan.done_ranges,
                s.plan.ranges
            );
        }
        if table_done {
            let secs = s.started.map(|i| i.elapsed().as_secs_f64()).unwrap_or(0.0);
            let rate =
                if secs > 0.0 { format!(", {:.1} MB/s", s.bytes as f64 / 1_048_576.0 / secs) } else { String::new() };
            if let Some(b) = s.bar.take() {
                b.finish_and_clear();
            }
            let line = format!("copy: {table} done ({} rows, {}{rate})", s.rows, mb(s.bytes));
            drop(t);
            self.line(&line);
        }
    }

    fn note(&self, line: &str) {
        self.line(line);
    }
}

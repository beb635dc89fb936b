//! `pg2znb export --source URL -o DIR`: every table's rows written to one file each, all read in
//! one exported snapshot, with `DIR/export.json` describing them.
//!
//! - A source connection in `REPEATABLE READ READ ONLY` exports its snapshot and holds it; `jobs`
//!   workers import it ([`relay::Source`], which reads COPY data in batches) and stream
//!   `COPY (SELECT cols FROM ONLY t) TO STDOUT` to `FILE.part`, renamed to `FILE` once complete and synced: a finished file is never
//!   rewritten, an unfinished one is redone. Nothing is written to the source.
//! - The tables are [`copy::source_tables`] (no manifest: every table of the catalog), their
//!   files named by [`file_name`] (any character of a schema or table name is safe). A table
//!   bigger than `split` allows is cut as migrate's copy cuts it ([`ranges::plan`]: integer key,
//!   else ctid pages) and written as one file per range (`parts`), so workers share a big table;
//!   a resumed export keeps the first run's ranges.
//! - `export.json` (format [`EXPORT_FORMAT`]) is rewritten atomically after each table: source
//!   database (never the password), snapshot and its time, tables with columns and types, file,
//!   rows, bytes and sha256, and the sequences' positions in the snapshot.
//! - A directory holding an export is an earlier run: its snapshot is gone, so its finished files
//!   are kept only with `resume` (the rest is read in the new snapshot, which each table records).

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use postgres::Client;
use serde::{Deserialize, Serialize};

use super::batch::{CopyFormat, RecordScanner};
use super::copy::{self, SequencePosition, Table};
use super::ranges::{self, SplitOptions};
use super::relay;
use crate::verify::catalog::quote_ident;
use crate::verify::{pg_message, Connector, VerifyError};

/// `export.json`'s format version.
pub const EXPORT_FORMAT: u32 = 1;

pub const EXIT_OK: i32 = 0;
pub const EXIT_ERROR: i32 = 2;

/// What `export` was asked to do.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub source: String,
    pub dir: PathBuf,
    /// Tables written in parallel (at least 1).
    pub jobs: usize,
    pub format: CopyFormat,
    /// Keep the finished files of an earlier export in `dir`.
    pub resume: bool,
    /// When a table is written as several files (ranges, as migrate's copy cuts them), so one big
    /// table is exported by several workers.
    pub split: SplitOptions,
}

/// Why export stopped (exit 2). Messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Source(#[from] VerifyError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// The directory holds something else, or an earlier export without `--resume`.
    #[error("{path}: {message}")]
    Refused { path: String, message: String },
    #[error("export {table}: {message}; the finished tables are recorded in export.json: run the same command with --resume to export the rest")]
    Table { table: String, message: String },
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |e| ExportError::Io { path: path.display().to_string(), message: e.to_string() }
}

/// One column of an exported table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type` of the column (`character varying(20)`).
    #[serde(rename = "type")]
    pub ty: String,
}

/// One table in `export.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedTable {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    /// The table's file. A table split into ranges is written as `parts` instead: its `file` and
    /// `sha256` are then empty, its rows, bytes and seconds their sums.
    #[serde(flatten)]
    pub out: Written,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<ExportPart>,
}

/// One range of a split table, in its own file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportPart {
    pub range: i32,
    /// The range's condition, as the `COPY (SELECT … WHERE …)` that wrote the file used it.
    #[serde(rename = "where")]
    pub predicate: String,
    #[serde(flatten)]
    pub out: Written,
}

/// One file of an export and how far it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Written {
    /// Relative to the directory.
    pub file: String,
    /// `done` (the file is complete) or `pending`.
    pub state: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    /// The snapshot the rows were read in (an export resumed with `--resume` has several).
    pub snapshot: String,
    pub seconds: f64,
}

impl Written {
    fn pending(file: String, snapshot: &str) -> Written {
        Written {
            file,
            state: "pending".into(),
            rows: 0,
            bytes: 0,
            sha256: String::new(),
            snapshot: snapshot.to_string(),
            seconds: 0.0,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == "done"
    }

    fn finish(&mut self, rows: u64, bytes: u64, sha256: String, seconds: f64) {
        (self.state, self.rows, self.bytes, self.sha256, self.seconds) = ("done".into(), rows, bytes, sha256, seconds);
    }
}

impl ExportedTable {
    pub fn is_done(&self) -> bool {
        self.out.is_done()
    }

    /// The table's files, in range order, each with its range (`None`: the whole table).
    pub fn files(&self) -> Vec<(Option<i32>, &Written)> {
        if self.parts.is_empty() {
            return vec![(None, &self.out)];
        }
        self.parts.iter().map(|p| (Some(p.range), &p.out)).collect()
    }

    /// `schema.name`, quoted where needed (as `copy::Table::key`).
    pub fn key(&self) -> String {
        self.table().key()
    }

    pub fn table(&self) -> Table {
        Table {
            schema: self.schema.clone(),
            name: self.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

/// `DIR/export.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportManifest {
    pub format: u32,
    /// `host:port/db` of the source, never with the password.
    pub source: String,
    pub database: String,
    pub server_version: String,
    /// The snapshot of this run, and when it was taken (the source's `now()` in it).
    pub snapshot: String,
    pub snapshot_time: String,
    pub copy_format: CopyFormat,
    /// CSV files start with a header line.
    pub header: bool,
    pub tables: Vec<ExportedTable>,
    pub sequences: Vec<SequencePosition>,
}

impl ExportManifest {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("export.json")
    }

    pub fn read(dir: &Path) -> Result<ExportManifest, ExportError> {
        let p = ExportManifest::path(dir);
        let text = std::fs::read_to_string(&p).map_err(io_err(&p))?;
        let m: ExportManifest = serde_json::from_str(&text).map_err(|e| ExportError::Io {
            path: p.display().to_string(),
            message: format!("not an export.json pg2znb can read: {e}"),
        })?;
        if m.format != EXPORT_FORMAT {
            return Err(ExportError::Io {
                path: p.display().to_string(),
                message: format!(
                    "export.json format {} (this pg2znb reads format {EXPORT_FORMAT}): use the pg2znb that wrote it",
                    m.format
                ),
            });
        }
        Ok(m)
    }

    /// Write atomically (temporary file, synced, renamed).
    fn write(&self, dir: &Path) -> Result<(), ExportError> {
        let p = ExportManifest::path(dir);
        let tmp = dir.join("export.json.tmp");
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
        f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &p).map_err(io_err(&p))
    }
}

/// A file name for a table that is safe for any schema or table name: bytes other than `a-z`,
/// `0-9`, `_` and `-` are `%XX` (upper-case letters too, so names differing only in case stay
/// apart on case-insensitive file systems); `.` separates schema and table. Over-long names are
/// cut and end in a hash of the whole.
pub fn file_name(schema: &str, table: &str, ext: &str) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let base = format!("{}.{}", enc(schema), enc(table));
    let base = if base.len() > 200 {
        let hash = hex(&openssl::sha::sha256(base.as_bytes()));
        format!("{}~{}", &base[..180], &hash[..16])
    } else {
        base
    };
    format!("{base}.{ext}")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn extension(format: CopyFormat) -> &'static str {
    match format {
        CopyFormat::Csv => "csv",
        CopyFormat::Text => "copy",
    }
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct ExportReport {
    pub dir: PathBuf,
    pub tables: usize,
    pub written: usize,
    /// Finished by an earlier run (kept with `--resume`).
    pub kept: usize,
    pub rows: u64,
    pub bytes: u64,
    pub sequences: usize,
    pub seconds: f64,
    pub snapshot: String,
}

impl ExportReport {
    pub fn summary_line(&self) -> String {
        let mb = self.bytes as f64 / 1e6;
        format!(
            "exported {} tables to {} in snapshot {}: {} written ({} rows, {:.1} MB), {} kept from an earlier run, {} sequences recorded, in {:.1} s ({:.1} MB/s)",
            self.tables,
            self.dir.display(),
            self.snapshot,
            self.written,
            self.rows,
            mb,
            self.kept,
            self.sequences,
            self.seconds,
            mb / self.seconds.max(0.001)
        )
    }
}

/// Column name → type, per (schema, table).
type ColumnTypes = BTreeMap<(String, String), BTreeMap<String, String>>;

/// The column types of every table, keyed by (schema, table), in column order.
fn column_types(source: &mut Client) -> Result<ColumnTypes, VerifyError> {
    let rows = source
        .query(
            "SELECT n.nspname::text, c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
             FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .map_err(|e| VerifyError::query("read column types", &e))?;
    let mut out: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for r in rows {
        out.entry((r.get(0), r.get(1))).or_default().insert(r.get(2), r.get(3));
    }
    Ok(out)
}

/// Refuse a directory that is not ours, or an earlier export without `resume`; returns the earlier
/// export when resuming.
fn check_dir(opts: &ExportOptions, source_name: &str) -> Result<Option<ExportManifest>, ExportError> {
    let dir = &opts.dir;
    let refused = |message: String| ExportError::Refused { path: dir.display().to_string(), message };
    if !dir.exists() {
        return Ok(None);
    }
    if ExportManifest::path(dir).exists() {
        let m = ExportManifest::read(dir)?;
        let done = m.tables.iter().filter(|t| t.is_done()).count();
        if !opts.resume {
            return Err(refused(format!(
                "the directory is not empty: it holds an export of {} (snapshot {} taken at {}, {done} of {} tables finished); \
                 pass --resume to keep its finished files and export the rest in a new snapshot, or export into an empty directory",
                m.source,
                m.snapshot,
                m.snapshot_time,
                m.tables.len()
            )));
        }
        if m.source != source_name {
            return Err(refused(format!(
                "the directory holds an export of {}, not of {source_name}: export into another directory",
                m.source
            )));
        }
        if m.copy_format != opts.format {
            return Err(refused(format!(
                "the directory holds a {} export: resume it with --format {}, or export into another directory",
                m.copy_format.name(),
                m.copy_format.name()
            )));
        }
        return Ok(Some(m));
    }
    let mut entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
    if entries.next().is_some() {
        return Err(refused(
            "the directory is not empty and holds no export.json: export into an empty or new directory".into(),
        ));
    }
    Ok(None)
}

/// Stream one table into `dir/file.part`, then rename it to `dir/file`. Returns (rows, bytes, sha256).
fn export_table(
    source: &mut relay::Source,
    t: &Table,
    predicate: &str,
    format: CopyFormat,
    dir: &Path,
    file: &str,
) -> Result<(u64, u64, String), ExportError> {
    let fail = |message: String| ExportError::Table { table: t.key(), message };
    let filter = if predicate.is_empty() { String::new() } else { format!(" WHERE {predicate}") };
    let qualified = format!("{}.{}", quote_ident(&t.schema), quote_ident(&t.name));
    let options = match format {
        CopyFormat::Csv => "(FORMAT csv, HEADER true)",
        CopyFormat::Text => "(FORMAT text)",
    };
    let sql = if t.columns.is_empty() {
        format!("COPY (SELECT FROM ONLY {qualified}{filter}) TO STDOUT WITH {options}")
    } else {
        format!("COPY (SELECT {} FROM ONLY {qualified}{filter}) TO STDOUT WITH {options}", t.column_list())
    };
    let part = dir.join(format!("{file}.part"));
    let done = dir.join(file);
    let out = File::create(&part).map_err(io_err(&part))?;
    let mut out = BufWriter::with_capacity(256 * 1024, out);
    let mut reader = source.copy_out(sql.as_str()).map_err(|e| fail(format!("copy out: {}", pg_message(&e))))?;
    let mut sha = openssl::sha::Sha256::new();
    let mut scanner = RecordScanner::new(format);
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut buf = Vec::with_capacity(relay::BATCH + 64 * 1024);
    loop {
        buf.clear();
        let more = reader
            .next_batch(&mut buf, relay::BATCH)
            .map_err(|e| fail(format!("read from the source: {}", pg_message(&e))))?;
        sha.update(&buf);
        scanner.feed(&buf, |_| records += 1);
        out.write_all(&buf).map_err(io_err(&part))?;
        bytes += buf.len() as u64;
        if !more {
            break;
        }
    }
    drop(reader);
    let f = out.into_inner().map_err(|e| io_err(&part)(e.into_error()))?;
    f.sync_all().map_err(io_err(&part))?;
    drop(f);
    std::fs::rename(&part, &done).map_err(io_err(&done))?;
    let header = u64::from(format == CopyFormat::Csv && records > 0);
    Ok((records - header, bytes, hex(&sha.finish())))
}

/// Run the export. `notify` hears one line per table.
pub fn run(opts: &ExportOptions, notify: &(dyn Fn(&str) + Sync)) -> Result<ExportReport, ExportError> {
    let started = Instant::now();
    let source = Connector::parse(&opts.source)?.application_name("pg2znb export");
    let earlier = check_dir(opts, source.name())?;
    std::fs::create_dir_all(&opts.dir).map_err(io_err(&opts.dir))?;

    // The snapshot, held until every table is written.
    let mut held = source.connect()?;
    held.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .map_err(|e| VerifyError::query("begin the snapshot transaction", &e))?;
    let row = held
        .query_one(
            "SELECT pg_catalog.pg_export_snapshot(), pg_catalog.now()::text, pg_catalog.current_database()::text, \
             pg_catalog.current_setting('server_version')",
            &[],
        )
        .map_err(|e| VerifyError::query("export the snapshot", &e))?;
    let (snapshot, snapshot_time, database, server_version): (String, String, String, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let tables = copy::source_tables(&mut held)?;
    let types = column_types(&mut held)?;
    let sequences = copy::sequence_positions(&mut held)?;

    let ext = extension(opts.format);
    let earlier: BTreeMap<(String, String), ExportedTable> = earlier
        .map(|m| m.tables.into_iter().map(|t| ((t.schema.clone(), t.name.clone()), t)).collect())
        .unwrap_or_default();
    // Unfinished files of the earlier run are redone: remove them.
    if let Ok(entries) = std::fs::read_dir(&opts.dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".part") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let whole =
        |w: &Written| w.is_done() && std::fs::metadata(opts.dir.join(&w.file)).is_ok_and(|m| m.len() == w.bytes);
    let mut entries = Vec::new();
    // (table, entry, part): one file to write.
    let mut todo: VecDeque<(usize, usize, Option<usize>)> = VecDeque::new();
    let mut report = ExportReport {
        dir: opts.dir.clone(),
        tables: tables.len(),
        sequences: sequences.len(),
        snapshot: snapshot.clone(),
        ..ExportReport::default()
    };
    for (i, t) in tables.iter().enumerate() {
        let col_types = types.get(&(t.schema.clone(), t.name.clone()));
        let columns: Vec<Column> = t
            .columns
            .iter()
            .map(|c| Column { name: c.clone(), ty: col_types.and_then(|m| m.get(c)).cloned().unwrap_or_default() })
            .collect();
        let ei = entries.len();
        let before = earlier.get(&(t.schema.clone(), t.name.clone())).filter(|k| k.columns == columns);
        // A finished file is kept when its table still has the same columns and it is whole.
        if let Some(k) = before.filter(|k| k.parts.is_empty() && whole(&k.out)) {
            report.kept += 1;
            entries.push(k.clone());
            continue;
        }
        // A split table resumes on its first plan: its finished parts are kept, the rest redone.
        if let Some(k) = before.filter(|k| !k.parts.is_empty()) {
            let mut e = k.clone();
            for (pi, part) in e.parts.iter_mut().enumerate() {
                if whole(&part.out) {
                    continue;
                }
                part.out = Written::pending(std::mem::take(&mut part.out.file), &snapshot);
                todo.push_back((i, ei, Some(pi)));
            }
            if todo.back().is_some_and(|(ti, ..)| *ti == i) {
                e.out.state = "pending".into();
            } else {
                report.kept += 1;
            }
            entries.push(e);
            continue;
        }
        let planned = ranges::plan(&mut held, t, &opts.split)?;
        let split = planned.len() > 1;
        let file = if split { String::new() } else { file_name(&t.schema, &t.name, ext) };
        let mut e = ExportedTable {
            schema: t.schema.clone(),
            name: t.name.clone(),
            columns,
            out: Written::pending(file, &snapshot),
            parts: Vec::new(),
        };
        if split {
            for (pi, r) in planned.iter().enumerate() {
                e.parts.push(ExportPart {
                    range: r.id,
                    predicate: r.predicate().unwrap_or_default(),
                    out: Written::pending(file_name(&t.schema, &t.name, &format!("{:04}.{ext}", r.id)), &snapshot),
                });
                todo.push_back((i, ei, Some(pi)));
            }
        } else {
            todo.push_back((i, ei, None));
        }
        entries.push(e);
    }
    let manifest = ExportManifest {
        format: EXPORT_FORMAT,
        source: source.name().to_string(),
        database,
        server_version,
        snapshot: snapshot.clone(),
        snapshot_time,
        copy_format: opts.format,
        header: opts.format == CopyFormat::Csv,
        tables: entries,
        sequences,
    };
    manifest.write(&opts.dir)?;

    let manifest = Mutex::new(manifest);
    let queue = Mutex::new(todo);
    let failed: Mutex<Option<ExportError>> = Mutex::new(None);
    let totals = Mutex::new((0usize, 0u64, 0u64));
    let workers = opts.jobs.max(1).min(queue.lock().map(|q| q.len()).unwrap_or(1).max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let work = || -> Result<(), ExportError> {
                    let mut src = relay::Source::open(&source, &snapshot)?;
                    loop {
                        if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                            return Ok(());
                        }
                        let Some((ti, ei, pi)) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                            return Ok(());
                        };
                        let t = &tables[ti];
                        let (file, predicate) = manifest
                            .lock()
                            .map(|m| {
                                let e = &m.tables[ei];
                                match pi {
                                    Some(p) => (e.parts[p].out.file.clone(), e.parts[p].predicate.clone()),
                                    None => (e.out.file.clone(), String::new()),
                                }
                            })
                            .unwrap_or_default();
                        let began = Instant::now();
                        let (rows, bytes, sha) = export_table(&mut src, t, &predicate, opts.format, &opts.dir, &file)?;
                        let seconds = (began.elapsed().as_secs_f64() * 100.0).round() / 100.0;
                        let mut finished = false;
                        if let Ok(mut m) = manifest.lock() {
                            let e = &mut m.tables[ei];
                            match pi {
                                Some(p) => {
                                    e.parts[p].out.finish(rows, bytes, sha, seconds);
                                    if e.parts.iter().all(|x| x.out.is_done()) {
                                        let (rows, bytes, seconds) =
                                            e.parts.iter().fold((0, 0, 0.0), |(r, b, t), x| {
                                                (r + x.out.rows, b + x.out.bytes, t + x.out.seconds)
                                            });
                                        e.out.finish(rows, bytes, String::new(), seconds);
                                        finished = true;
                                    }
                                }
                                None => {
                                    e.out.finish(rows, bytes, sha, seconds);
                                    finished = true;
                                }
                            }
                            m.write(&opts.dir)?;
                        }
                        if let Ok(mut n) = totals.lock() {
                            (n.0, n.1, n.2) = (n.0 + usize::from(finished), n.1 + rows, n.2 + bytes);
                        }
                        let what = match pi {
                            Some(p) => format!("{} part {}", t.key(), p + 1),
                            None => t.key(),
                        };
                        notify(&format!("exported {what} to {file} ({rows} rows, {bytes} bytes)"));
                    }
                };
                if let Err(e) = work() {
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(e);
                    }
                }
            });
        }
    });
    drop(held);
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let (written, rows, bytes) = totals.into_inner().unwrap_or_default();
    (report.written, report.rows, report.bytes) = (written, rows, bytes);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(file_name("public", "film_actor", "csv"), "public.film_actor.csv");
        assert_eq!(file_name("a.b", "c", "csv"), "a%2Eb.c.csv");
        assert_ne!(file_name("a.b", "c", "csv"), file_name("a", "b.c", "csv"));
        assert_eq!(file_name("s", "Users", "csv"), "s.%55sers.csv");
        assert_ne!(file_name("s", "Users", "csv").to_lowercase(), file_name("s", "users", "csv"));
        assert_eq!(file_name("s", "../x/😀", "copy"), "s.%2E%2E%2Fx%2F%F0%9F%98%80.copy");
        let long = file_name(&"é".repeat(31), &"ü".repeat(31), "csv");
        assert!(long.len() <= 210 && !long.contains('/'), "{long}");
        assert_ne!(long, file_name(&"é".repeat(31), &format!("{}x", "ü".repeat(30)), "csv"));
    }
}

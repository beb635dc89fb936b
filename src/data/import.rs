//! `pg2znb import`: data files loaded into a target in batches, exactly once.
//!
//! - Sources: an export directory (`export.json` names each table's file, columns and format; the
//!   sequences are set after the tables) or one user file (`--table T --file F`).
//! - Each file is read as a stream and cut into batches at record boundaries ([`super::batch`]);
//!   a batch is `COPY t (cols) FROM STDIN` of its byte range, committed in one target transaction
//!   with its record in `pg2znb.imported` (table, file, batch, byte offset, bytes, rows, sha256).
//!   A re-run skips recorded batches; a recorded batch whose range or row count no longer matches
//!   the file stops the run (the file changed since).
//! - `jobs` workers take batches from one queue (of every table), each with its own connection.
//!   Transient errors ([`super::retry::transient`], or a lost connection) are retried with backoff
//!   on a new connection, after checking whether the lost transaction committed. Data errors (class
//!   22, 23) are never retried: `abort` stops with table, file, batch, lines and the server's
//!   message (its CONTEXT record translated to the file's line); `stash` writes the batch and the
//!   message under the errors directory, records the batch as stashed, and goes on.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use postgres::Client;

use super::batch::{self, Batch, CutError, Layout, Limits};
use super::copy;
use super::export::{self, hex, ExportManifest};
use crate::verify::catalog::{display_ident, quote_ident};
use crate::verify::{pg_message, Connector, VerifyError};

/// Everything loaded; some batches stashed (everything else loaded); stopped or refused.
pub const EXIT_OK: i32 = 0;
pub const EXIT_STASHED: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

const STATE_DDL: &str = "CREATE SCHEMA IF NOT EXISTS pg2znb; \
    CREATE TABLE IF NOT EXISTS pg2znb.imported (table_name text NOT NULL, file text NOT NULL, batch int NOT NULL, \
        byte_offset bigint NOT NULL, bytes bigint NOT NULL, rows bigint NOT NULL, sha256 text NOT NULL, \
        stashed_to text, batch_rows bigint NOT NULL, batch_bytes bigint NOT NULL, imported_at timestamptz NOT NULL DEFAULT pg_catalog.now(), \
        PRIMARY KEY (table_name, file, batch))";

const RECORD: &str =
    "INSERT INTO pg2znb.imported (table_name, file, batch, byte_offset, bytes, rows, sha256, stashed_to, \
    batch_rows, batch_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub use super::retry::OnError;

/// What to import.
#[derive(Clone, Debug)]
pub enum ImportSource {
    /// A `pg2znb export` directory.
    Export(PathBuf),
    /// One file into one table (a name as SQL writes it: `public.users`, `"My Table"`).
    File { table: String, file: PathBuf, layout: Layout },
}

/// What `import` was asked to do.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub target: String,
    pub jobs: usize,
    pub limits: Limits,
    pub on_error: OnError,
    /// Tries per batch for transient errors (at least 1).
    pub tries: u32,
    /// Wait before the first retry; doubled for each further one (capped at 5 s).
    pub backoff: Duration,
    /// Where stashed batches go (default: `DIR/errors` for an export directory, `errors` for a file).
    pub errors_dir: Option<PathBuf>,
}

impl ImportOptions {
    pub fn new(target: impl Into<String>) -> ImportOptions {
        ImportOptions {
            target: target.into(),
            jobs: 4,
            limits: Limits { rows: 20_000, bytes: 200 * 1024 * 1024 },
            on_error: OnError::Abort,
            tries: 5,
            backoff: Duration::from_millis(200),
            errors_dir: None,
        }
    }
}

/// Why import stopped or did not start (exit 2). Messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Target(#[from] VerifyError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Refused(String),
    /// A batch failed (with `abort`, or an error that is not about the data): everything before it
    /// that committed is recorded.
    #[error("{0}; the batches loaded so far are recorded in pg2znb.imported on the target: fix the cause and run the same command again to continue")]
    Batch(String),
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |e| ImportError::Io { path: path.display().to_string(), message: e.to_string() }
}

/// One batch stashed under the errors directory.
#[derive(Clone, Debug)]
pub struct Stashed {
    pub table: String,
    pub batch: u32,
    pub lines: (u64, u64),
    /// The batch's rows, and the server's message beside it.
    pub data: PathBuf,
    pub message_file: PathBuf,
    pub message: String,
    /// The command that loads the data file once it (or the target) is fixed.
    pub replay: String,
    /// Stashed by an earlier run (this run skipped the batch).
    pub earlier: bool,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub target: String,
    pub tables: usize,
    /// Loaded by this run.
    pub rows: u64,
    pub bytes: u64,
    pub batches: u64,
    /// Recorded by an earlier run.
    pub skipped: u64,
    pub stashed: Vec<Stashed>,
    pub retries: u64,
    pub sequences: usize,
    pub seconds: f64,
}

impl ImportReport {
    pub fn exit_code(&self) -> i32 {
        if self.stashed.is_empty() {
            EXIT_OK
        } else {
            EXIT_STASHED
        }
    }

    pub fn summary_line(&self) -> String {
        let mb = self.bytes as f64 / 1e6;
        let mut extra = vec![format!("{} recorded by an earlier run", self.skipped)];
        if !self.stashed.is_empty() {
            extra.push(format!("{} stashed", self.stashed.len()));
        }
        if self.retries > 0 {
            extra.push(format!("{} retries", self.retries));
        }
        format!(
            "imported {} table{} into {}: {} rows, {:.1} MB in {} batches ({}), {} sequences set, in {:.1} s ({:.1} MB/s)",
            self.tables,
            if self.tables == 1 { "" } else { "s" },
            self.target,
            self.rows,
            mb,
            self.batches,
            extra.join(", "),
            self.sequences,
            self.seconds,
            mb / self.seconds.max(0.001)
        )
    }
}

/// One file to load into one table.
#[derive(Clone, Debug)]
struct Job {
    schema: String,
    name: String,
    /// `schema.name` as messages and records name it.
    key: String,
    /// `COPY` target: quoted name and column list.
    target_sql: String,
    path: PathBuf,
    /// The file as `pg2znb.imported` names it.
    file_key: String,
    /// The range, for one part of a table an export split.
    part: Option<i32>,
    layout: Layout,
}

impl Job {
    fn copy_sql(&self) -> String {
        format!("COPY {} FROM STDIN WITH {}", self.target_sql, self.layout.copy_options())
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-=:@%+,".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Find `schema.name` on the target (`None`: no such table).
fn resolve_table(c: &mut Client, name: &str) -> Result<Option<(String, String)>, VerifyError> {
    let row = c
        .query_opt(
            "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass($1::text)",
            &[&name],
        )
        .map_err(|e| VerifyError::query(&format!("look up table {name}"), &e))?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

/// The jobs, checked against the target; the export manifest for an export directory.
fn plan(source: &ImportSource, c: &mut Client) -> Result<(Vec<Job>, Option<ExportManifest>, PathBuf), ImportError> {
    match source {
        ImportSource::File { table, file, layout } => {
            let Some((schema, name)) = resolve_table(c, table)? else {
                return Err(ImportError::Refused(format!(
                    "table {table} is not on the target: create it first (pg2znb apply pre-data.sql), or name it as SQL \
                     does (schema.table, quoted where needed)"
                )));
            };
            let abs = std::fs::canonicalize(file).map_err(io_err(file))?;
            if !abs.is_file() {
                return Err(ImportError::Io { path: file.display().to_string(), message: "not a file".into() });
            }
            let key = format!("{}.{}", display_ident(&schema), display_ident(&name));
            let job = Job {
                target_sql: format!("{}.{}", quote_ident(&schema), quote_ident(&name)),
                schema,
                name,
                key,
                file_key: abs.display().to_string(),
                path: abs,
                part: None,
                layout: layout.clone(),
            };
            Ok((vec![job], None, PathBuf::from("errors")))
        }
        ImportSource::Export(dir) => {
            let m = ExportManifest::read(dir).map_err(|e| ImportError::Refused(e.to_string()))?;
            let pending: Vec<String> = m.tables.iter().filter(|t| !t.is_done()).map(|t| t.key()).collect();
            if !pending.is_empty() {
                return Err(ImportError::Refused(format!(
                    "{}: the export is not finished ({} of {} tables pending, e.g. {}): run pg2znb export -o {} --resume first",
                    dir.display(),
                    pending.len(),
                    m.tables.len(),
                    pending[0],
                    dir.display()
                )));
            }
            let mut jobs = Vec::new();
            let mut missing = Vec::new();
            for t in &m.tables {
                let qualified = format!("{}.{}", quote_ident(&t.schema), quote_ident(&t.name));
                if resolve_table(c, &qualified)?.is_none() {
                    missing.push(t.key());
                    continue;
                }
                let table = t.table();
                let target_sql =
                    if table.columns.is_empty() { qualified } else { format!("{qualified} ({})", table.column_list()) };
                for (range, f) in t.files() {
                    jobs.push(Job {
                        schema: t.schema.clone(),
                        name: t.name.clone(),
                        key: t.key(),
                        target_sql: target_sql.clone(),
                        path: dir.join(&f.file),
                        file_key: format!("{}/{}", f.snapshot, f.file),
                        part: range,
                        layout: Layout::new(m.copy_format, m.header),
                    });
                }
            }
            if !missing.is_empty() {
                return Err(ImportError::Refused(format!(
                    "{} of the export's tables are not on the target ({}): create them first (pg2znb apply pre-data.sql \
                     --target URL, with the scripts pg2znb compile wrote for this database)",
                    missing.len(),
                    missing.join(", ")
                )));
            }
            Ok((jobs, Some(m), dir.join("errors")))
        }
    }
}

/// Why loading a batch failed.
#[derive(Debug)]
enum LoadError {
    Pg(postgres::Error),
    /// Connecting, or writing COPY data: the connection is gone.
    Connection(String),
    /// Reading the file.
    File(std::io::Error),
    /// PostgreSQL read another number of rows than the batch holds.
    Count {
        server: u64,
        batch: u64,
    },
}

impl From<postgres::Error> for LoadError {
    fn from(e: postgres::Error) -> Self {
        LoadError::Pg(e)
    }
}

impl LoadError {
    fn transient(&self) -> bool {
        match self {
            LoadError::Pg(e) => super::retry::transient(e),
            LoadError::Connection(_) => true,
            LoadError::File(_) | LoadError::Count { .. } => false,
        }
    }

    /// Rejected for its data: SQLSTATE class 22 (data exception) or 23 (integrity constraint).
    fn is_data(&self) -> bool {
        match self {
            LoadError::Pg(e) => super::retry::data_error(e),
            _ => false,
        }
    }

    fn message(&self) -> String {
        match self {
            LoadError::Pg(e) => pg_message(e),
            LoadError::Connection(m) => m.clone(),
            LoadError::File(e) => format!("reading the file: {e}"),
            LoadError::Count { server, batch } => format!(
                "the target read {server} rows where pg2znb counted {batch}: the file's quoting or line ends are not \
                 what COPY reads (check --format, --delimiter and quoting)"
            ),
        }
    }

    /// The record number PostgreSQL's CONTEXT names (`COPY t, line 3, column v: …`).
    fn context_record(&self) -> Option<(u64, String)> {
        let LoadError::Pg(e) = self else { return None };
        let w = e.as_db_error()?.where_()?.to_string();
        let at = w.find(", line ")? + ", line ".len();
        let n: String = w[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        Some((n.parse().ok()?, w.split_whitespace().collect::<Vec<_>>().join(" ")))
    }
}

/// A reader of the batch's bytes in its file.
fn open_batch(path: &Path, b: &Batch) -> std::io::Result<std::io::Take<File>> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(b.offset))?;
    Ok(f.take(b.bytes))
}

/// Load one batch and record it, in one transaction. Returns the batch's sha256.
fn load(c: &mut Client, job: &Job, b: &Batch, limits: Limits) -> Result<String, LoadError> {
    let mut reader = open_batch(&job.path, b).map_err(LoadError::File)?;
    let mut tx = c.transaction()?;
    let mut w = tx.copy_in(job.copy_sql().as_str())?;
    let mut sha = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LoadError::File(e)),
        };
        sha.update(&buf[..n]);
        w.write_all(&buf[..n]).map_err(|e| LoadError::Connection(format!("connection lost: {e}")))?;
    }
    let rows = w.finish()?;
    if rows != b.rows {
        return Err(LoadError::Count { server: rows, batch: b.rows });
    }
    let sha = hex(&sha.finish());
    record(&mut tx, job, b, &sha, None, limits)?;
    tx.commit()?;
    Ok(sha)
}

/// The batch's row in `pg2znb.imported`: loaded (`stashed_to` none) or set aside in that file.
fn record(
    c: &mut impl postgres::GenericClient,
    job: &Job,
    b: &Batch,
    sha: &str,
    stashed_to: Option<&str>,
    limits: Limits,
) -> Result<u64, postgres::Error> {
    c.execute(
        RECORD,
        &[
            &job.key,
            &job.file_key,
            &(b.number as i32),
            &(b.offset as i64),
            &(b.bytes as i64),
            &(b.rows as i64),
            &sha,
            &stashed_to,
            &(limits.rows as i64),
            &(limits.bytes as i64),
        ],
    )
}

fn is_recorded(c: &mut Client, job: &Job, b: &Batch) -> Result<bool, LoadError> {
    Ok(c.query_opt(
        "SELECT 1 FROM pg2znb.imported WHERE table_name = $1 AND file = $2 AND batch = $3",
        &[&job.key, &job.file_key, &(b.number as i32)],
    )?
    .is_some())
}

/// Progress of one job, to say when its table is done.
#[derive(Clone, Debug, Default)]
struct JobProgress {
    queued: u64,
    finished: u64,
    rows: u64,
    /// The whole file is cut (queued is final).
    cut: bool,
}

/// The shared state of a run.
struct Run<'a> {
    opts: &'a ImportOptions,
    connector: Connector,
    jobs: Vec<Job>,
    errors_dir: PathBuf,
    replay_target: String,
    stop: AtomicBool,
    failure: Mutex<Option<ImportError>>,
    report: Mutex<ImportReport>,
    progress: Mutex<Vec<JobProgress>>,
    notify: &'a (dyn Fn(&str) + Sync),
}

impl Run<'_> {
    fn fail(&self, e: ImportError) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert(e);
        }
    }

    /// One batch is finished (loaded, stashed or skipped): say so when its table is done.
    fn finished(&self, job: usize, rows: u64) {
        let Ok(mut p) = self.progress.lock() else { return };
        let jp = &mut p[job];
        jp.finished += 1;
        jp.rows += rows;
        if jp.cut && jp.finished == jp.queued {
            let j = &self.jobs[job];
            let what = match j.part {
                Some(r) => format!("{} range {r}", j.key),
                None => j.key.clone(),
            };
            (self.notify)(&format!("imported {what} ({} rows in {} batches)", jp.rows, jp.queued));
        }
    }

    /// The replay command and file names of a stashed batch.
    fn stash_paths(&self, job: &Job, b: &Batch) -> (PathBuf, PathBuf, String) {
        let ext = match job.layout.format {
            batch::CopyFormat::Csv => "csv",
            batch::CopyFormat::Text => "copy",
        };
        // Parts of one table number their batches alike: the range tells them apart.
        let stem = match job.part {
            Some(r) => format!("{r:04}.{}", b.number),
            None => b.number.to_string(),
        };
        let data = self.errors_dir.join(export::file_name(&job.schema, &job.name, &format!("{stem}.{ext}")));
        let msg = self.errors_dir.join(export::file_name(&job.schema, &job.name, &format!("{stem}.txt")));
        let mut layout = job.layout.clone();
        layout.header = false;
        let mut cmd = vec![
            "pg2znb".to_string(),
            "import".into(),
            "--target".into(),
            self.replay_target.clone(),
            "--table".into(),
            job.key.clone(),
            "--file".into(),
            data.display().to_string(),
        ];
        cmd.extend(layout.import_flags());
        let replay = cmd.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ");
        (data, msg, replay)
    }

    /// Say what failed: table, file, batch, lines, the server's message with its record as a file line.
    fn describe(&self, job: &Job, b: &Batch, e: &LoadError) -> String {
        let mut m = format!(
            "{}: batch {} of {} (lines {}-{}) failed: {}",
            job.key,
            b.number,
            job.path.display(),
            b.first_line,
            b.last_line,
            e.message()
        );
        if let Some((n, context)) = e.context_record() {
            let line = open_batch(&job.path, b)
                .and_then(|mut r| batch::record_line(job.layout.format, &mut r, b.first_line, n))
                .ok();
            match line {
                Some(l) => m.push_str(&format!(" at line {l} of the file (CONTEXT: {context})")),
                None => m.push_str(&format!(" (CONTEXT: {context})")),
            }
        }
        m
    }

    /// Write the batch and the message under the errors directory; record the batch as stashed.
    fn stash(
        &self,
        c: &mut Client,
        job: &Job,
        b: &Batch,
        limits: Limits,
        message: &str,
    ) -> Result<Stashed, ImportError> {
        std::fs::create_dir_all(&self.errors_dir).map_err(io_err(&self.errors_dir))?;
        let (data, msg, replay) = self.stash_paths(job, b);
        let mut reader = open_batch(&job.path, b).map_err(io_err(&job.path))?;
        let mut out = File::create(&data).map_err(io_err(&data))?;
        let mut sha = openssl::sha::Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf).map_err(io_err(&job.path))?;
            if n == 0 {
                break;
            }
            sha.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io_err(&data))?;
        }
        out.sync_all().map_err(io_err(&data))?;
        // As a replay names it (`--file` is canonicalised), so a re-run can tell it was replayed.
        let data = std::fs::canonicalize(&data).unwrap_or(data);
        let text = format!("{message}\n\nreplay, once the rows or the target are fixed:\n{replay}\n");
        std::fs::write(&msg, text).map_err(io_err(&msg))?;
        let stashed_to = data.display().to_string();
        record(c, job, b, &hex(&sha.finish()), Some(&stashed_to), limits).map_err(|e| {
            ImportError::Batch(format!("{}: recording stashed batch {}: {}", job.key, b.number, pg_message(&e)))
        })?;
        Ok(Stashed {
            table: job.key.clone(),
            batch: b.number,
            lines: (b.first_line, b.last_line),
            data,
            message_file: msg,
            message: message.to_string(),
            replay,
            earlier: false,
        })
    }

    /// A worker: load batches from the queue until it is empty or the run stops.
    fn worker(&self, queue: &Mutex<mpsc::Receiver<(usize, Batch, Limits)>>) {
        let mut client: Option<Client> = None;
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let Some((ji, b, limits)) = queue.lock().ok().and_then(|q| q.recv().ok()) else { return };
            let job = &self.jobs[ji];
            let tries = self.opts.tries.max(1);
            let mut attempt = 1;
            let outcome = loop {
                let r = (|| {
                    let c = match client.take() {
                        Some(c) if !c.is_closed() => client.insert(c),
                        _ => client.insert(self.connector.connect().map_err(|e| LoadError::Connection(e.to_string()))?),
                    };
                    // After a lost connection the transaction may have committed before the loss.
                    if attempt > 1 && is_recorded(c, job, &b)? {
                        return Ok(());
                    }
                    load(c, job, &b, limits).map(|_| ())
                })();
                match r {
                    Err(e) if e.transient() && attempt < tries => {
                        let wait = super::retry::backoff(self.opts.backoff, attempt);
                        (self.notify)(&format!(
                            "{} batch {}: transient error, retrying in {} ms (try {} of {tries}): {}",
                            job.key,
                            b.number,
                            wait.as_millis(),
                            attempt + 1,
                            e.message()
                        ));
                        if let Ok(mut r) = self.report.lock() {
                            r.retries += 1;
                        }
                        client = None;
                        attempt += 1;
                        std::thread::sleep(wait);
                    }
                    other => break other,
                }
            };
            match outcome {
                Ok(()) => {
                    if let Ok(mut r) = self.report.lock() {
                        (r.rows, r.bytes, r.batches) = (r.rows + b.rows, r.bytes + b.bytes, r.batches + 1);
                    }
                    self.finished(ji, b.rows);
                }
                Err(e) if e.is_data() && self.opts.on_error == OnError::Stash => {
                    let message = self.describe(job, &b, &e);
                    let stashed = client
                        .as_mut()
                        .ok_or_else(|| ImportError::Batch(message.clone()))
                        .and_then(|c| self.stash(c, job, &b, limits, &message));
                    match stashed {
                        Ok(s) => {
                            (self.notify)(&format!(
                                "stashed {} batch {} in {}: {message}",
                                job.key,
                                b.number,
                                s.data.display()
                            ));
                            if let Ok(mut r) = self.report.lock() {
                                r.stashed.push(s);
                            }
                            self.finished(ji, 0);
                        }
                        Err(e) => return self.fail(e),
                    }
                }
                Err(e) => return self.fail(ImportError::Batch(self.describe(job, &b, &e))),
            }
        }
    }

    /// Cut every file into batches and queue those not recorded yet (on this thread).
    fn produce(&self, state: &mut Client, tx: mpsc::SyncSender<(usize, Batch, Limits)>) {
        for (ji, job) in self.jobs.iter().enumerate() {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let (earlier, recorded) = match state.query(
                "SELECT batch, byte_offset, bytes, rows, stashed_to, batch_rows, batch_bytes FROM pg2znb.imported \
                 WHERE table_name = $1 AND file = $2",
                &[&job.key, &job.file_key],
            ) {
                Ok(rows) => (
                    rows.first().map(|r| Limits { rows: r.get::<_, i64>(5) as u64, bytes: r.get::<_, i64>(6) as u64 }),
                    rows.iter()
                        .map(|r| {
                            let (n, o, by, ro, st): (i32, i64, i64, i64, Option<String>) =
                                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
                            (n as u32, (o as u64, by as u64, ro as u64, st))
                        })
                        .collect::<BTreeMap<_, _>>(),
                ),
                Err(e) => {
                    return self.fail(ImportError::Batch(format!("reading pg2znb.imported: {}", pg_message(&e))));
                }
            };
            // Stashed batches whose file has since been loaded (replayed) are no longer listed.
            let mut replayed = std::collections::BTreeSet::new();
            for (n, (_, _, _, st)) in &recorded {
                let Some(to) = st else { continue };
                match state
                    .query_opt("SELECT 1 FROM pg2znb.imported WHERE file = $1 AND stashed_to IS NULL LIMIT 1", &[to])
                {
                    Ok(Some(_)) => {
                        replayed.insert(*n);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        return self.fail(ImportError::Batch(format!("reading pg2znb.imported: {}", pg_message(&e))))
                    }
                }
            }
            let mut file = match File::open(&job.path) {
                Ok(f) => std::io::BufReader::with_capacity(256 * 1024, f),
                Err(e) => return self.fail(io_err(&job.path)(e)),
            };
            let mut changed = None;
            // A file resumes with the limits it was cut with, so the recorded batches line up.
            let limits = earlier.unwrap_or(self.opts.limits);
            if (limits.rows, limits.bytes) != (self.opts.limits.rows, self.opts.limits.bytes) {
                (self.notify)(&format!(
                    "{}: continuing with the batch size of its earlier run ({} rows, {} bytes) so its recorded batches line up",
                    job.path.display(),
                    limits.rows,
                    limits.bytes
                ));
            }
            let cut = batch::cut(&mut file, &job.layout, limits, &mut |b| {
                if let Some((o, by, ro, st)) = recorded.get(&b.number) {
                    if (*o, *by, *ro) != (b.offset, b.bytes, b.rows) {
                        changed = Some(b.number);
                        return false;
                    }
                    if let Ok(mut r) = self.report.lock() {
                        r.skipped += 1;
                        if let Some(to) = st.as_ref().filter(|_| !replayed.contains(&b.number)) {
                            let (_, msg, replay) = self.stash_paths(job, &b);
                            let message = std::fs::read_to_string(&msg)
                                .ok()
                                .and_then(|t| t.lines().next().map(str::to_string))
                                .unwrap_or_default();
                            r.stashed.push(Stashed {
                                table: job.key.clone(),
                                batch: b.number,
                                lines: (b.first_line, b.last_line),
                                data: PathBuf::from(to),
                                message_file: msg,
                                message,
                                replay,
                                earlier: true,
                            });
                        }
                    }
                    if let Ok(mut p) = self.progress.lock() {
                        p[ji].queued += 1;
                        p[ji].finished += 1;
                    }
                    return !self.stop.load(Ordering::SeqCst);
                }
                if let Ok(mut p) = self.progress.lock() {
                    p[ji].queued += 1;
                }
                // Never block on a full queue after the workers stopped.
                let mut item = (ji, b, limits);
                loop {
                    if self.stop.load(Ordering::SeqCst) {
                        return false;
                    }
                    match tx.try_send(item) {
                        Ok(()) => return true,
                        Err(mpsc::TrySendError::Full(back)) => {
                            item = back;
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        Err(mpsc::TrySendError::Disconnected(_)) => return false,
                    }
                }
            });
            match cut {
                Ok(_) => {}
                Err(CutError::Stopped) => {
                    if let Some(n) = changed {
                        return self.fail(ImportError::Refused(format!(
                            "{}: batch {n} recorded by an earlier run no longer matches the file (its byte range or row \
                             count differs): the file changed since; import a \
                             changed file under another name, or delete its records (DELETE FROM pg2znb.imported WHERE \
                             table_name = '{}' AND file = '{}') after removing its rows",
                            job.path.display(),
                            job.key.replace('\'', "''"),
                            job.file_key.replace('\'', "''")
                        )));
                    }
                    return;
                }
                Err(CutError::Io(e)) => return self.fail(io_err(&job.path)(e)),
                Err(e @ CutError::Unterminated { .. }) => {
                    return self.fail(ImportError::Io { path: job.path.display().to_string(), message: e.to_string() })
                }
            }
            // The whole file is queued: a table with nothing left to load is done now.
            let done_now = self.progress.lock().ok().map(|mut p| {
                p[ji].cut = true;
                (p[ji].queued == p[ji].finished).then(|| p[ji].clone())
            });
            if let Some(Some(p)) = done_now {
                (self.notify)(&format!(
                    "{}: nothing to load ({} batches recorded by an earlier run)",
                    job.key, p.queued
                ));
            }
        }
    }
}

/// Run the import. `notify` hears one line per table done, retry and stashed batch.
pub fn run(
    source: &ImportSource,
    opts: &ImportOptions,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let connector = Connector::parse(&opts.target)?.application_name("pg2znb import");
    let mut state = connector.connect()?;
    state.batch_execute(STATE_DDL).map_err(|e| {
        ImportError::Refused(format!("{}: creating pg2znb.imported failed: {}", connector.name(), pg_message(&e)))
    })?;
    let (jobs, manifest, default_errors) = plan(source, &mut state)?;
    let errors_dir = opts.errors_dir.clone().unwrap_or(default_errors);
    let errors_dir = if errors_dir.is_relative() {
        std::env::current_dir().map(|d| d.join(&errors_dir)).unwrap_or(errors_dir)
    } else {
        errors_dir
    };
    let replay_target = connector.libpq_conninfo().0;
    let run = Run {
        opts,
        report: Mutex::new(ImportReport {
            target: connector.name().to_string(),
            tables: jobs.iter().map(|j| &j.key).collect::<std::collections::BTreeSet<_>>().len(),
            ..ImportReport::default()
        }),
        progress: Mutex::new(vec![JobProgress::default(); jobs.len()]),
        connector,
        jobs,
        errors_dir,
        replay_target,
        stop: AtomicBool::new(false),
        failure: Mutex::new(None),
        notify,
    };
    let workers = opts.jobs.max(1);
    let (tx, rx) = mpsc::sync_channel::<(usize, Batch, Limits)>(workers * 2);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| run.worker(&rx));
        }
        run.produce(&mut state, tx);
    });
    if let Some(e) = run.failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut report = run.report.into_inner().unwrap_or_default();
    // Sequences after their tables.
    if let Some(m) = manifest {
        for p in &m.sequences {
            if copy::set_sequence(&mut state, p)? {
                report.sequences += 1;
            }
        }
    }
    report.stashed.sort_by(|a, b| (&a.table, a.batch).cmp(&(&b.table, b.batch)));
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("public.t"), "public.t");
        assert_eq!(shell_quote("host='h' port='5'"), "'host='\\''h'\\'' port='\\''5'\\'''");
        assert_eq!(shell_quote(""), "''");
    }
}

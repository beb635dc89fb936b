//! `migrate`'s copy and sequences stages: every table's rows streamed from the source, read in the
//! exported snapshot, into the target, range by range, and every sequence set to its position in
//! that snapshot.
//!
//! - The plan: each table cut into ranges ([`super::ranges`]: integer key, else ctid pages),
//!   planned once in the snapshot and stored in the target (`pg2znb.copy_tables`,
//!   `pg2znb.ranges`), so a re-run and a joined process use the same bounds.
//! - A range is `COPY (SELECT cols FROM ONLY t WHERE …) TO STDOUT` on a source connection that
//!   imported the snapshot, streamed in chunks into `COPY t (cols) FROM STDIN` on the target:
//!   memory does not grow with the table.
//! - Exactly once: a worker claims a range by locking its `pg2znb.ranges` row
//!   (`FOR UPDATE SKIP LOCKED`) in the transaction that copies it, and commits the rows, the
//!   range's `pg2znb.copied` record and its state together. A killed worker's lock goes with its
//!   connection and nothing of its range commits, so the range is simply pending again. The
//!   queue lives in the target, so `migrate --join` on another machine shares the work.
//! - Largest ranges first; `jobs` workers, each with its own source and target connection
//!   (spread over the target's hosts, [`super::znbase`]).
//! - Transient errors ([`super::retry`]) are retried with backoff on new connections; data errors
//!   (class 22, 23) stop the copy naming table, range and the server's message, or with
//!   `--on-error stash` leave the range's rows and the message in `WORKDIR/errors/` ([`super::stash`]).
//! - Generated columns are left out of both COPY statements (the target computes them).
//! - When the target's role cannot create the `pg2znb` schema ([`Records::Dir`]), the plan and
//!   the records live in the work directory ([`super::copy_journal`]): one process, tables split
//!   by integer key only, and each range's rows deleted in the transaction that copies it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use postgres::Client;

use super::copy_journal::{CopyJournal, Mark, Planned};
use super::copy_progress::{CopyProgress, TablePlan};
use super::ranges::{self, Cut, Range, SplitOptions};
use super::records::Records;
use super::relay::{self, Source};
use super::znbase::{self, TargetKind};
use super::{retry, stash};
use crate::manifest::{ChangeKind, Manifest, ObjectKind};
use crate::verify::catalog::display_ident;
use crate::verify::{pg_message, Connector, VerifyError};

/// One table to copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: String,
    pub name: String,
    /// The columns copied (not dropped, not generated), in order.
    pub columns: Vec<String>,
}

impl Table {
    /// `schema.name`, quoted where needed: the key of its record in `pg2znb.copied`.
    pub fn key(&self) -> String {
        format!("{}.{}", display_ident(&self.schema), display_ident(&self.name))
    }

    pub(crate) fn column_list(&self) -> String {
        self.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
    }
}

pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn qerr(context: &str, e: &postgres::Error) -> VerifyError {
    VerifyError::Query { origin: String::new(), context: context.to_string(), message: pg_message(e) }
}

/// Begin a read-only REPEATABLE READ transaction on `client` that sees snapshot `id`.
pub fn import_snapshot(client: &mut Client, id: &str) -> Result<(), VerifyError> {
    client.batch_execute(&snapshot_sql(id)).map_err(|e| qerr("set transaction snapshot", &e))
}

/// A read-only repeatable-read transaction in the exported snapshot `id`.
pub(crate) fn snapshot_sql(id: &str) -> String {
    format!("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'", id.replace('\'', "''"))
}

/// The tables to copy, read on `source` (inside the snapshot): [`source_tables`] that the manifest
/// lists and does not drop.
pub fn tables(source: &mut Client, manifest: &Manifest) -> Result<Vec<Table>, VerifyError> {
    let listed: BTreeSet<(String, String)> = manifest
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Table)
        .map(|o| (o.schema.clone().unwrap_or_default(), o.name.clone()))
        .collect();
    let dropped: BTreeSet<(String, String)> = manifest
        .changes
        .iter()
        .filter(|c| c.kind == ObjectKind::Table && c.change == ChangeKind::Dropped)
        .map(|c| (c.schema.clone().unwrap_or_default(), c.name.clone()))
        .collect();
    let all = source_tables(source)?;
    Ok(all
        .into_iter()
        .filter(|t| {
            let key = (t.schema.clone(), t.name.clone());
            listed.contains(&key) && !dropped.contains(&key)
        })
        .collect())
}

/// Every table of the source's catalog (as `source` sees it, e.g. in a snapshot): plain tables
/// and leaf partitions outside the system schemas and extensions, sorted. Partitioned parents and
/// foreign tables hold no rows of their own.
pub fn source_tables(source: &mut Client) -> Result<Vec<Table>, VerifyError> {
    let version: i32 = source
        .query_one("SELECT pg_catalog.current_setting('server_version_num')::int", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| qerr("read server_version_num", &e))?;
    let generated = if version >= 120000 { "a.attgenerated = ''" } else { "true" };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, \
             coalesce(pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '{{}}') \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND {generated} \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg2znb') \
           AND n.nspname !~ '^pg_(toast|temp_)' \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                           AND d.objid = c.oid AND d.deptype = 'e') \
         GROUP BY n.nspname, c.relname ORDER BY 1, 2"
    );
    let rows = source.query(&sql, &[]).map_err(|e| qerr("list tables", &e))?;
    let mut out = Vec::new();
    for r in rows {
        let (schema, name, columns): (String, String, Vec<String>) = (r.get(0), r.get(1), r.get(2));
        out.push(Table { schema, name, columns });
    }
    Ok(out)
}

const STATE_DDL: &str = "CREATE SCHEMA IF NOT EXISTS pg2znb; \
    CREATE TABLE IF NOT EXISTS pg2znb.copy_run (id int PRIMARY KEY, snapshot text NOT NULL, source text NOT NULL, \
        planned boolean NOT NULL DEFAULT false, started_at timestamptz NOT NULL DEFAULT pg_catalog.now()); \
    CREATE TABLE IF NOT EXISTS pg2znb.copy_tables (table_name text PRIMARY KEY, schema_name text NOT NULL, \
        rel_name text NOT NULL, columns text[] NOT NULL, est_rows bigint NOT NULL, est_bytes bigint NOT NULL, \
        ranges int NOT NULL); \
    CREATE TABLE IF NOT EXISTS pg2znb.ranges (table_name text NOT NULL, range_id int NOT NULL, kind text NOT NULL, \
        key_column text, lower bigint, upper bigint, est_rows bigint NOT NULL, est_bytes bigint NOT NULL, \
        state text NOT NULL DEFAULT 'pending', PRIMARY KEY (table_name, range_id)); \
    CREATE TABLE IF NOT EXISTS pg2znb.copied (table_name text NOT NULL, range_id int NOT NULL, bounds text NOT NULL, \
        rows bigint NOT NULL, bytes bigint NOT NULL, finished_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(), \
        PRIMARY KEY (table_name, range_id))";

pub use super::retry::OnError;

/// How the copy runs.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// Workers, each with a source and a target connection (at least 1).
    pub jobs: usize,
    pub split: SplitOptions,
    pub on_error: OnError,
    /// Where stashed ranges go (`WORKDIR/errors`).
    pub errors_dir: PathBuf,
    /// Tries per range for transient errors (at least 1).
    pub tries: u32,
    /// Wait before the first retry; doubled for each further one (capped at 5 s).
    pub backoff: Duration,
    /// Where the plan and the records go.
    pub records: Records,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            jobs: 1,
            split: SplitOptions::default(),
            on_error: OnError::Abort,
            errors_dir: PathBuf::from("errors"),
            tries: 5,
            backoff: Duration::from_millis(200),
            records: Records::Target,
        }
    }
}

/// Why the copy stopped. Messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Db(#[from] VerifyError),
    /// The target rejected a range's rows, or a range kept failing.
    #[error("{table} range {range} ({bounds}): {message}; {help}")]
    Range { table: String, range: i32, bounds: String, message: String, help: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// `--join` found nothing to join.
    #[error("--join: {0}")]
    Join(String),
}

/// A range set aside by `--on-error stash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stashed {
    pub table: String,
    pub range: i32,
    pub bounds: String,
    /// The range's rows in COPY text format.
    pub file: PathBuf,
    pub message: String,
}

/// What the copy stage did.
#[derive(Clone, Debug, Default)]
pub struct CopyReport {
    pub tables: usize,
    /// Ranges in the plan.
    pub ranges: usize,
    /// Ranges this process copied.
    pub copied: usize,
    /// Ranges recorded before this run started (by an earlier run).
    pub skipped: usize,
    pub rows: u64,
    pub bytes: u64,
    pub retries: usize,
    pub stashed: Vec<Stashed>,
}

impl CopyReport {
    /// A range an earlier run (or another process) stashed, unless this run reported it.
    fn stashed_earlier(&mut self, table: String, range: i32, bounds: String, errors_dir: &std::path::Path) {
        if !self.stashed.iter().any(|s| s.table == table && s.range == range) {
            self.stashed.push(Stashed {
                file: errors_dir.join(stash::file_name(&table, range)),
                table,
                range,
                bounds,
                message: "stashed by an earlier run".into(),
            });
        }
    }

    /// `3 tables in 12 ranges: 9 copied (1000 rows, 81920 bytes), 3 recorded by an earlier run`.
    pub fn summary_line(&self) -> String {
        let mut s = format!(
            "{} tables in {} ranges: {} copied ({} rows, {} bytes), {} recorded by an earlier run",
            self.tables, self.ranges, self.copied, self.rows, self.bytes, self.skipped
        );
        if self.retries > 0 {
            s.push_str(&format!(", {} retried", self.retries));
        }
        if !self.stashed.is_empty() {
            s.push_str(&format!(
                ", {} stashed in {} (each with a .txt saying why and how to replay it)",
                self.stashed.len(),
                self.stashed[0].file.parent().map(|p| p.display().to_string()).unwrap_or_default()
            ));
        }
        s
    }
}

fn state_err(context: &str) -> impl Fn(postgres::Error) -> CopyError + '_ {
    move |e| CopyError::Db(VerifyError::query(context, &e))
}

/// The stored plan: the tables (by key) and how many of their ranges are recorded.
struct Plan {
    tables: BTreeMap<String, (Table, TablePlan)>,
    ranges: usize,
    done: usize,
}

fn load_plan(target: &mut Client) -> Result<Plan, CopyError> {
    let rows = target
        .query(
            "SELECT t.table_name, t.schema_name, t.rel_name, t.columns, t.est_rows, t.est_bytes, t.ranges, \
                    count(c.range_id), coalesce(sum(c.rows), 0)::int8, coalesce(sum(c.bytes), 0)::int8 \
             FROM pg2znb.copy_tables t LEFT JOIN pg2znb.copied c ON c.table_name = t.table_name \
             GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1",
            &[],
        )
        .map_err(state_err("read the copy plan (pg2znb.copy_tables)"))?;
    let mut plan = Plan { tables: BTreeMap::new(), ranges: 0, done: 0 };
    for r in rows {
        let key: String = r.get(0);
        let table = Table { schema: r.get(1), name: r.get(2), columns: r.get(3) };
        let tp = TablePlan {
            table: key.clone(),
            est_rows: r.get::<_, i64>(4).max(0) as u64,
            est_bytes: r.get::<_, i64>(5).max(0) as u64,
            ranges: r.get::<_, i32>(6).max(0) as usize,
            done_ranges: r.get::<_, i64>(7).max(0) as usize,
            done_rows: r.get::<_, i64>(8).max(0) as u64,
            done_bytes: r.get::<_, i64>(9).max(0) as u64,
        };
        plan.ranges += tp.ranges;
        plan.done += tp.done_ranges;
        plan.tables.insert(key, (table, tp));
    }
    Ok(plan)
}

/// Every table's ranges, planned in the snapshot; `key_only`: a table without an integer key is
/// copied whole (a ctid range names no rows of the target, so it cannot be redone by deleting).
fn plan_tables(
    source: &Connector,
    snapshot: &str,
    tables: &[Table],
    split: &SplitOptions,
    key_only: bool,
    progress: &dyn CopyProgress,
) -> Result<Vec<Vec<Range>>, CopyError> {
    let mut src = source.connect()?;
    import_snapshot(&mut src, snapshot)?;
    let version: i32 = src
        .query_one("SELECT pg_catalog.current_setting('server_version_num')::int", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| VerifyError::query("read server_version_num", &e))?;
    let mut ctid_split = Vec::new();
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let mut ranges = ranges::plan(&mut src, t, split)?;
        if ranges.len() > 1 && ranges[0].cut == Cut::Pages {
            if key_only {
                ranges = vec![ranges::whole(ranges)];
            } else {
                ctid_split.push(t.key());
            }
        }
        out.push(ranges);
    }
    if !ctid_split.is_empty() && version < 140000 {
        progress.note(&format!(
            "copy: note: {} split by ctid on a PostgreSQL {} source, which reads each ctid range with a scan of the whole table (TID range scans came in PostgreSQL 14): use --split-mb 0 to copy such tables whole",
            ctid_split.join(", "),
            version / 10000
        ));
    }
    Ok(out)
}

/// Plan every table in the snapshot and store the plan in one transaction.
fn store_plan(
    source: &Connector,
    snapshot: &str,
    target: &mut Client,
    tables: &[Table],
    split: &SplitOptions,
    progress: &dyn CopyProgress,
) -> Result<(), CopyError> {
    let planned = plan_tables(source, snapshot, tables, split, false, progress)?;
    let mut tx = target.transaction().map_err(state_err("store the copy plan"))?;
    for (t, ranges) in tables.iter().zip(planned) {
        let (rows, bytes) = ranges.iter().fold((0i64, 0i64), |(r, b), x| (r + x.est_rows, b + x.est_bytes));
        tx.execute(
            "INSERT INTO pg2znb.copy_tables (table_name, schema_name, rel_name, columns, est_rows, est_bytes, ranges) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&t.key(), &t.schema, &t.name, &t.columns, &rows, &bytes, &(ranges.len() as i32)],
        )
        .map_err(state_err("store the copy plan (pg2znb.copy_tables)"))?;
        for r in &ranges {
            tx.execute(
                "INSERT INTO pg2znb.ranges (table_name, range_id, kind, key_column, lower, upper, est_rows, est_bytes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&r.table, &r.id, &r.cut.kind(), &r.cut.column(), &r.lower, &r.upper, &r.est_rows, &r.est_bytes],
            )
            .map_err(state_err("store the copy plan (pg2znb.ranges)"))?;
        }
    }
    tx.execute("UPDATE pg2znb.copy_run SET planned = true WHERE id = 1", &[])
        .map_err(state_err("store the copy plan (pg2znb.copy_run)"))?;
    tx.commit().map_err(state_err("store the copy plan"))?;
    Ok(())
}

/// Copy every table of `tables` from `snapshot` into the target, range by range, `opts.jobs` at a
/// time, skipping the ranges recorded in the target. The first run plans the ranges; later runs
/// and `--join`ed processes reuse that plan. Returns when every range is recorded or stashed.
pub fn run(
    source: &Connector,
    target: &Connector,
    snapshot: &str,
    tables: &[Table],
    opts: &CopyOptions,
    progress: &dyn CopyProgress,
) -> Result<CopyReport, CopyError> {
    if let Records::Dir(dir) = &opts.records {
        return run_in_dir(source, target, snapshot, tables, opts, progress, dir);
    }
    let mut state = target.connect()?;
    state.batch_execute(STATE_DDL).map_err(state_err("create the pg2znb copy tables"))?;
    let previous: Option<(String, bool)> = state
        .query_opt("SELECT snapshot, planned FROM pg2znb.copy_run WHERE id = 1", &[])
        .map_err(state_err("read pg2znb.copy_run"))?
        .map(|r| (r.get(0), r.get(1)));
    // Joining processes read the snapshot here while this process holds it.
    state
        .execute(
            "INSERT INTO pg2znb.copy_run (id, snapshot, source) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot, source = EXCLUDED.source",
            &[&snapshot, &source.name()],
        )
        .map_err(state_err("record the snapshot in pg2znb.copy_run"))?;
    match &previous {
        Some((_, true)) => progress.note("copy: the ranges planned by the first run are reused"),
        _ => store_plan(source, snapshot, &mut state, tables, &opts.split, progress)?,
    }
    if let Some((old, true)) = &previous {
        let mixed: i64 = state
            .query_one(
                "SELECT count(DISTINCT r.table_name) FROM pg2znb.ranges r WHERE r.kind = 'ctid' \
                 AND EXISTS (SELECT 1 FROM pg2znb.ranges d WHERE d.table_name = r.table_name AND d.state <> 'pending') \
                 AND EXISTS (SELECT 1 FROM pg2znb.ranges p WHERE p.table_name = r.table_name AND p.state = 'pending')",
                &[],
            )
            .and_then(|r| r.try_get(0))
            .map_err(state_err("read pg2znb.ranges"))?;
        if mixed > 0 && old != snapshot {
            progress.note(&format!(
                "copy: note: {mixed} table(s) split by ctid resume in a new snapshot: rows the source moved between pages since the first run's snapshot can be missed or copied twice; verify's checksums tell"
            ));
        }
    }
    run_plan(source, target, &mut state, snapshot, opts, progress)
}

/// Share the copy of a migration that a `pg2znb migrate` (without `--join`) runs on `target`:
/// take pending ranges from its plan until none is left. The source snapshot is `snapshot` when
/// given, else the one the first process recorded (it must still hold it).
pub fn join(
    source: &Connector,
    target: &Connector,
    snapshot: Option<&str>,
    opts: &CopyOptions,
    progress: &dyn CopyProgress,
) -> Result<CopyReport, CopyError> {
    let mut state = target.connect()?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let recorded = loop {
        // Errors until the first process has created its tables.
        let row = state.query_opt("SELECT snapshot, planned FROM pg2znb.copy_run WHERE id = 1", &[]);
        match row {
            Ok(Some(r)) if r.get::<_, bool>(1) => break r.get::<_, String>(0),
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(500)),
            _ => {
                return Err(CopyError::Join(format!(
                    "no planned copy on the target {} after 2 minutes: start `pg2znb migrate` without --join first, and --join once it is copying (a migration whose target role cannot create the pg2znb schema keeps its records in its work directory and cannot be joined)",
                    target.name()
                )))
            }
        }
    };
    let snapshot = snapshot.map(str::to_string).unwrap_or(recorded);
    let mut probe = source.connect()?;
    import_snapshot(&mut probe, &snapshot).map_err(|e| {
        CopyError::Join(format!(
            "cannot read the source in snapshot {snapshot} ({e}): the process that exported it no longer holds it (it finished its copy or stopped); give a held snapshot with --snapshot, or run pg2znb migrate without --join to continue"
        ))
    })?;
    drop(probe);
    run_plan(source, target, &mut state, &snapshot, opts, progress)
}

/// Workers copying the stored plan's pending ranges until none is left.
fn run_plan(
    source: &Connector,
    target: &Connector,
    state: &mut Client,
    snapshot: &str,
    opts: &CopyOptions,
    progress: &dyn CopyProgress,
) -> Result<CopyReport, CopyError> {
    let plan = load_plan(state)?;
    let kind = znbase::detect(state)?;
    let pending: i64 = state
        .query_one("SELECT count(*) FROM pg2znb.ranges WHERE state = 'pending'", &[])
        .and_then(|r| r.try_get(0))
        .map_err(state_err("read pg2znb.ranges"))?;
    let mut report = work(source, target, snapshot, &plan, &kind, pending as usize, None, opts, progress)?;
    // Ranges stashed by an earlier run (or another process) are still set aside: say so.
    let stashed = state
        .query("SELECT table_name, range_id FROM pg2znb.ranges WHERE state = 'stashed' ORDER BY 1, 2", &[])
        .map_err(state_err("read pg2znb.ranges"))?;
    for r in stashed {
        report.stashed_earlier(r.get(0), r.get(1), String::new(), &opts.errors_dir);
    }
    Ok(report)
}

/// Run the workers over `plan` (`pending` ranges left; `dir`: the queue and records of
/// [`Records::Dir`], else the target's) until none is left or one stops the copy.
#[allow(clippy::too_many_arguments)]
fn work(
    source: &Connector,
    target: &Connector,
    snapshot: &str,
    plan: &Plan,
    kind: &TargetKind,
    pending: usize,
    dir: Option<(&Mutex<VecDeque<Range>>, &CopyJournal)>,
    opts: &CopyOptions,
    progress: &dyn CopyProgress,
) -> Result<CopyReport, CopyError> {
    progress.planned(&plan.tables.values().map(|(_, p)| p.clone()).collect::<Vec<_>>());
    let report = Mutex::new(CopyReport {
        tables: plan.tables.len(),
        ranges: plan.ranges,
        skipped: plan.done,
        ..CopyReport::default()
    });
    let workers = opts.jobs.max(1).min(pending.max(1));
    let connectors = znbase::spread(target, kind, workers);
    let done: Mutex<BTreeMap<String, usize>> =
        Mutex::new(plan.tables.iter().map(|(k, (_, p))| (k.clone(), p.done_ranges)).collect());
    let failed: Mutex<Option<CopyError>> = Mutex::new(None);
    let ctx = Worker {
        source,
        snapshot,
        plan,
        kind,
        opts,
        progress,
        report: &report,
        done: &done,
        failed: &failed,
        queue: dir.map(|(q, _)| q),
        journal: dir.map(|(_, j)| j),
    };
    std::thread::scope(|scope| {
        for c in &connectors {
            let ctx = &ctx;
            scope.spawn(move || ctx.run(c));
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(report.into_inner().unwrap_or_default())
}

/// [`run`] with [`Records::Dir`]: the plan in `dir/copy-plan.json` (made on the first run), the
/// records in `dir/copied.log`, the queue in this process.
fn run_in_dir(
    source: &Connector,
    target: &Connector,
    snapshot: &str,
    tables: &[Table],
    opts: &CopyOptions,
    progress: &dyn CopyProgress,
    dir: &std::path::Path,
) -> Result<CopyReport, CopyError> {
    let journal = CopyJournal::open(dir)?;
    let planned = match journal.plan()? {
        Some((_, planned)) => {
            progress.note("copy: the ranges planned by the first run are reused");
            planned
        }
        None => {
            let ranges = plan_tables(source, snapshot, tables, &opts.split, true, progress)?;
            let planned: Planned = tables.iter().cloned().zip(ranges).collect();
            journal.store_plan(snapshot, &planned)?;
            planned
        }
    };
    let marks = journal.marks();
    let mut plan = Plan { tables: BTreeMap::new(), ranges: 0, done: 0 };
    let mut queue = Vec::new();
    let mut stashed = Vec::new();
    for (table, ranges) in planned {
        let key = table.key();
        let mut tp = TablePlan { table: key.clone(), ranges: ranges.len(), ..TablePlan::default() };
        for r in ranges {
            tp.est_rows += r.est_rows.max(0) as u64;
            tp.est_bytes += r.est_bytes.max(0) as u64;
            match marks.get(&(key.clone(), r.id)) {
                Some(Mark::Done { rows, bytes }) => {
                    tp.done_ranges += 1;
                    tp.done_rows += rows;
                    tp.done_bytes += bytes;
                }
                Some(Mark::Stashed) => stashed.push(r),
                None => queue.push(r),
            }
        }
        plan.ranges += tp.ranges;
        plan.done += tp.done_ranges;
        plan.tables.insert(key, (table, tp));
    }
    // Largest first, as the target's queue orders them.
    queue.sort_by(|a, b| b.est_bytes.cmp(&a.est_bytes).then_with(|| (&a.table, a.id).cmp(&(&b.table, b.id))));
    let pending = queue.len();
    let queue = Mutex::new(VecDeque::from(queue));
    let kind = znbase::detect(&mut target.connect()?)?;
    let mut report = work(source, target, snapshot, &plan, &kind, pending, Some((&queue, &journal)), opts, progress)?;
    for r in stashed {
        let bounds = r.bounds();
        report.stashed_earlier(r.table, r.id, bounds, &opts.errors_dir);
    }
    Ok(report)
}

/// Why one range failed.
struct Failure {
    range: Option<Range>,
    /// `source` or `target`.
    side: &'static str,
    error: FailError,
    /// Rows and bytes streamed before the failure (rolled back).
    streamed: (u64, u64),
}

enum FailError {
    Pg(postgres::Error),
    Io(String),
}

impl Failure {
    fn transient(&self) -> bool {
        match &self.error {
            FailError::Pg(e) => retry::transient(e),
            FailError::Io(_) => true,
        }
    }

    fn data_error(&self) -> bool {
        self.side == "target" && matches!(&self.error, FailError::Pg(e) if retry::data_error(e))
    }

    /// The server's message with its CONTEXT (which names the row's line in the COPY data).
    fn message(&self) -> String {
        let m = match &self.error {
            FailError::Pg(e) => {
                let mut m = pg_message(e);
                if let Some(w) = e.as_db_error().and_then(|d| d.where_()) {
                    m.push_str(&format!(" (CONTEXT: {})", w.split_whitespace().collect::<Vec<_>>().join(" ")));
                }
                m
            }
            FailError::Io(m) => m.clone(),
        };
        format!("{}: {m}", self.side)
    }
}

fn fail(range: &Option<Range>, side: &'static str, e: postgres::Error) -> Failure {
    Failure { range: range.clone(), side, error: FailError::Pg(e), streamed: (0, 0) }
}

/// The server's error behind a failed write of COPY data, when there is one.
fn write_error(e: std::io::Error) -> FailError {
    match e.into_inner().map(|i| i.downcast::<postgres::Error>()) {
        Some(Ok(pg)) => FailError::Pg(*pg),
        Some(Err(other)) => FailError::Io(format!("connection lost: {other}")),
        None => FailError::Io("connection lost".into()),
    }
}

enum Outcome {
    /// Nothing pending could be claimed.
    Nothing,
    Copied {
        range: Range,
        rows: u64,
        bytes: u64,
    },
}

/// What every worker shares.
struct Worker<'a> {
    source: &'a Connector,
    snapshot: &'a str,
    plan: &'a Plan,
    kind: &'a TargetKind,
    opts: &'a CopyOptions,
    progress: &'a dyn CopyProgress,
    report: &'a Mutex<CopyReport>,
    done: &'a Mutex<BTreeMap<String, usize>>,
    failed: &'a Mutex<Option<CopyError>>,
    /// With [`Records::Dir`]: the ranges left, and where their records go.
    queue: Option<&'a Mutex<VecDeque<Range>>>,
    journal: Option<&'a CopyJournal>,
}

impl Worker<'_> {
    fn stop(&self, e: CopyError) {
        if let Ok(mut f) = self.failed.lock() {
            f.get_or_insert(e);
        }
    }

    fn stopped(&self) -> bool {
        self.failed.lock().map(|f| f.is_some()).unwrap_or(true)
    }

    fn connect(&self, target: &Connector) -> Result<(Source, Client), VerifyError> {
        let src = Source::open(self.source, self.snapshot)?;
        let tgt = target.connect()?;
        Ok((src, tgt))
    }

    fn run(&self, target: &Connector) {
        let mut conns: Option<(Source, Client)> = None;
        let mut tries = 0u32;
        let max = self.opts.tries.max(1);
        loop {
            if self.stopped() {
                return;
            }
            if conns.is_none() {
                match self.connect(target) {
                    Ok(c) => conns = Some(c),
                    Err(e) => {
                        tries += 1;
                        if tries >= max {
                            return self.stop(e.into());
                        }
                        self.retry_wait(tries, &e.to_string());
                        continue;
                    }
                }
            }
            let Some((src, tgt)) = conns.as_mut() else { continue };
            match self.claim_and_copy(src, tgt) {
                Ok(Outcome::Copied { range, rows, bytes }) => {
                    tries = 0;
                    let table_done = self
                        .done
                        .lock()
                        .map(|mut d| {
                            let n = d.entry(range.table.clone()).or_default();
                            *n += 1;
                            self.plan.tables.get(&range.table).is_some_and(|(_, p)| *n >= p.ranges)
                        })
                        .unwrap_or(false);
                    if let Ok(mut r) = self.report.lock() {
                        r.copied += 1;
                        r.rows += rows;
                        r.bytes += bytes;
                    }
                    self.progress.range_done(&range.table, range.id, rows, bytes, table_done);
                }
                Ok(Outcome::Nothing) if self.queue.is_some() => return,
                Ok(Outcome::Nothing) => {
                    // Ranges other workers (or processes) hold are pending until they commit; a
                    // holder that dies releases its range to whoever asks next.
                    let left: Result<i64, _> = tgt
                        .query_one("SELECT count(*) FROM pg2znb.ranges WHERE state = 'pending'", &[])
                        .and_then(|r| r.try_get(0));
                    match left {
                        Ok(0) => return,
                        Ok(_) => std::thread::sleep(Duration::from_millis(250)),
                        Err(_) => conns = None,
                    }
                }
                Err(f) => {
                    conns = None; // both: the source may still be sending the range's rows
                    if let Some(r) = &f.range {
                        self.progress.rolled_back(&r.table, f.streamed.0, f.streamed.1);
                    }
                    if f.transient() && tries + 1 < max {
                        // A claim in this process is given back (the target's rolls back by itself).
                        if let (Some(q), Some(r)) = (self.queue, &f.range) {
                            q.lock().unwrap_or_else(|e| e.into_inner()).push_front(r.clone());
                        }
                        tries += 1;
                        if let Ok(mut r) = self.report.lock() {
                            r.retries += 1;
                        }
                        self.retry_wait(tries, &f.message());
                        continue;
                    }
                    match (&f.range, f.data_error(), self.opts.on_error) {
                        (Some(range), true, OnError::Stash) => {
                            if let Err(e) = self.stash(target, range, &f.message()) {
                                return self.stop(e);
                            }
                        }
                        _ => return self.stop(self.range_error(&f)),
                    }
                }
            }
        }
    }

    fn retry_wait(&self, attempt: u32, message: &str) {
        let wait = retry::backoff(self.opts.backoff, attempt);
        self.progress.note(&format!(
            "copy: transient error, retrying on a new connection in {} ms (try {} of {}): {message}",
            wait.as_millis(),
            attempt + 1,
            self.opts.tries.max(1)
        ));
        std::thread::sleep(wait);
    }

    fn range_error(&self, f: &Failure) -> CopyError {
        let Some(r) = &f.range else {
            return CopyError::Db(VerifyError::Query {
                origin: String::new(),
                context: "copy: claim a range".into(),
                message: f.message(),
            });
        };
        let help = if f.data_error() {
            "the target rejects a row of this range (the CONTEXT's line is the row's line in the range's COPY data) and nothing of the range was committed: fix the row on the source or the target's definition and run the same command again, or run it with --on-error stash to set the range aside in WORKDIR/errors/ and copy the rest".to_string()
        } else if f.transient() {
            format!(
                "still failing after {} tries: check the connection and run the same command again to resume",
                self.opts.tries.max(1)
            )
        } else {
            "nothing of the range was committed: fix the cause and run the same command again to resume".to_string()
        };
        CopyError::Range { table: r.table.clone(), range: r.id, bounds: r.bounds(), message: f.message(), help }
    }

    /// Write the range's rows and the message under the errors directory and mark the range
    /// stashed, holding its row's lock meanwhile: another worker that failed on it too finds it
    /// no longer pending and leaves it.
    fn stash(&self, target: &Connector, range: &Range, message: &str) -> Result<(), CopyError> {
        let (table, _) = self.plan.tables.get(&range.table).ok_or_else(|| not_planned(range))?;
        let write = || -> Result<PathBuf, CopyError> {
            let mut src = self.source.connect()?;
            import_snapshot(&mut src, self.snapshot)?;
            stash::write(&mut src, &self.opts.errors_dir, table, range, &out_sql(table, range), message)
        };
        let file = if let Some(j) = self.journal {
            // Only this process holds the range: no lock to take.
            let file = write()?;
            j.stashed(range)
                .map_err(|e| CopyError::Io { path: j.path().display().to_string(), message: e.to_string() })?;
            file
        } else {
            let mut tgt = target.connect()?;
            let mut tx = tgt.transaction().map_err(state_err("stash a range"))?;
            let pending = tx
                .query_opt(
                    "SELECT 1 FROM pg2znb.ranges WHERE table_name = $1 AND range_id = $2 AND state = 'pending' FOR UPDATE",
                    &[&range.table, &range.id],
                )
                .map_err(state_err("lock a range in pg2znb.ranges"))?;
            if pending.is_none() {
                return Ok(());
            }
            let file = write()?;
            tx.execute(
                "UPDATE pg2znb.ranges SET state = 'stashed' WHERE table_name = $1 AND range_id = $2",
                &[&range.table, &range.id],
            )
            .map_err(state_err("mark a range stashed in pg2znb.ranges"))?;
            tx.commit().map_err(state_err("mark a range stashed in pg2znb.ranges"))?;
            file
        };
        self.progress.range_stashed(&range.table, range.id, &file);
        self.progress.note(&format!(
            "copy: {} range {} ({}) stashed in {}: {message}",
            range.table,
            range.id,
            range.bounds(),
            file.display()
        ));
        if let Ok(mut r) = self.report.lock() {
            r.stashed.push(Stashed {
                table: range.table.clone(),
                range: range.id,
                bounds: range.bounds(),
                file,
                message: message.to_string(),
            });
        }
        Ok(())
    }

    /// Claim the largest pending range and copy it in the same target transaction.
    // One Failure per failed range: its size does not matter.
    #[allow(clippy::result_large_err)]
    fn claim_and_copy(&self, src: &mut Source, tgt: &mut Client) -> Result<Outcome, Failure> {
        let none = None;
        let mut tx = tgt.transaction().map_err(|e| fail(&none, "target", e))?;
        let range = if let Some(q) = self.queue {
            let Some(range) = q.lock().unwrap_or_else(|e| e.into_inner()).pop_front() else {
                return Ok(Outcome::Nothing);
            };
            range
        } else {
            let row = tx
                .query_opt(
                    "SELECT table_name, range_id, kind, key_column, lower, upper, est_rows, est_bytes \
                     FROM pg2znb.ranges WHERE state = 'pending' \
                     ORDER BY est_bytes DESC, table_name, range_id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    &[],
                )
                .map_err(|e| fail(&none, "target", e))?;
            let Some(row) = row else { return Ok(Outcome::Nothing) };
            Range {
                table: row.get(0),
                id: row.get(1),
                cut: Cut::from_stored(row.get::<_, &str>(2), row.get(3)),
                lower: row.get(4),
                upper: row.get(5),
                est_rows: row.get(6),
                est_bytes: row.get(7),
            }
        };
        let some = Some(range.clone());
        let Some((table, _)) = self.plan.tables.get(&range.table) else {
            return Err(Failure {
                range: some,
                side: "target",
                error: FailError::Io(not_planned(&range).to_string()),
                streamed: (0, 0),
            });
        };
        let qualified = format!("{}.{}", quote(&table.schema), quote(&table.name));
        if self.journal.is_some() {
            // Without a record in this transaction a range may have committed unrecorded: what an
            // earlier try left is replaced, not doubled.
            let delete = match range.predicate() {
                Some(p) => format!("DELETE FROM ONLY {qualified} WHERE {p}"),
                None => format!("DELETE FROM ONLY {qualified}"),
            };
            tx.batch_execute(&delete).map_err(|e| fail(&some, "target", e))?;
        }
        let in_sql = znbase::copy_in_sql(&qualified, &table.column_list(), self.kind.znbase, range.max_rows());
        let mut reader = src.copy_out(out_sql(table, &range).as_str()).map_err(|e| fail(&some, "source", e))?;
        let mut writer = tx.copy_in(in_sql.as_str()).map_err(|e| fail(&some, "target", e))?;
        let mut buf = Vec::with_capacity(relay::BATCH + 64 * 1024);
        let (mut rows, mut bytes) = (0u64, 0u64);
        let failure = |error, streamed| Failure { range: some.clone(), side: "target", error, streamed };
        let mut more = true;
        while more {
            buf.clear();
            more = reader.next_batch(&mut buf, relay::BATCH).map_err(|e| {
                let mut f = failure(FailError::Pg(e), (rows, bytes));
                f.side = "source";
                f
            })?;
            let n = buf.len();
            if n == 0 {
                continue;
            }
            if let Err(e) = writer.write_all(&buf) {
                // The server's reason comes with the end of the COPY when the write only saw the
                // connection refuse more data.
                let err = match write_error(e) {
                    FailError::Pg(pg) if pg.as_db_error().is_none() => match writer.finish() {
                        Err(e2) if e2.as_db_error().is_some() => FailError::Pg(e2),
                        _ => FailError::Pg(pg),
                    },
                    other => other,
                };
                return Err(failure(err, (rows, bytes)));
            }
            // One row per line: newlines inside values are escaped in COPY text.
            let lines = super::batch::newlines_in(&buf);
            rows += lines;
            bytes += n as u64;
            self.progress.streamed(&range.table, lines, n as u64);
        }
        let copied = writer.finish().map_err(|e| failure(FailError::Pg(e), (rows, bytes)))?;
        let record = |tx: &mut postgres::Transaction<'_>| -> Result<(), postgres::Error> {
            tx.execute(
                "INSERT INTO pg2znb.copied (table_name, range_id, bounds, rows, bytes) VALUES ($1, $2, $3, $4, $5)",
                &[&range.table, &range.id, &range.bounds(), &(copied as i64), &(bytes as i64)],
            )?;
            tx.execute(
                "UPDATE pg2znb.ranges SET state = 'done' WHERE table_name = $1 AND range_id = $2",
                &[&range.table, &range.id],
            )?;
            Ok(())
        };
        if let Some(j) = self.journal {
            tx.commit().map_err(|e| failure(FailError::Pg(e), (rows, bytes)))?;
            j.done(&range, copied, bytes)
                .map_err(|e| failure(FailError::Io(format!("{}: {e}", j.path().display())), (0, 0)))?;
            return Ok(Outcome::Copied { range, rows: copied, bytes });
        }
        record(&mut tx).map_err(|e| failure(FailError::Pg(e), (rows, bytes)))?;
        tx.commit().map_err(|e| failure(FailError::Pg(e), (rows, bytes)))?;
        Ok(Outcome::Copied { range, rows: copied, bytes })
    }
}

fn not_planned(range: &Range) -> CopyError {
    CopyError::Join(format!(
        "range {} of {} is not in pg2znb.copy_tables: the target's pg2znb schema is damaged; drop its copy tables (pg2znb.copy_run, copy_tables, ranges, copied) and the copied rows to start the copy again",
        range.id, range.table
    ))
}

/// `COPY (SELECT cols FROM ONLY t WHERE …) TO STDOUT` for one range.
pub fn out_sql(t: &Table, r: &Range) -> String {
    let qualified = format!("{}.{}", quote(&t.schema), quote(&t.name));
    let filter = r.predicate().map(|p| format!(" WHERE {p}")).unwrap_or_default();
    // A table without columns still has rows; the SELECT list may be empty.
    format!("COPY (SELECT {} FROM ONLY {qualified}{filter}) TO STDOUT", t.column_list())
}

/// A sequence's position in the source (as `source` sees it, e.g. in a snapshot).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SequencePosition {
    pub schema: String,
    pub name: String,
    /// `last_value` as text (a bigint).
    pub last_value: String,
    pub is_called: bool,
}

/// Every sequence of the source outside the system schemas and extensions, with its position.
pub fn sequence_positions(source: &mut Client) -> Result<Vec<SequencePosition>, VerifyError> {
    let rows = source
        .query(
            "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg2znb') \
               AND n.nspname !~ '^pg_(toast|temp_)' \
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                               AND d.objid = c.oid AND d.deptype = 'e') \
             ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| qerr("list sequences", &e))?;
    let mut out = Vec::new();
    for r in rows {
        let (schema, name): (String, String) = (r.get(0), r.get(1));
        let qualified = format!("{}.{}", quote(&schema), quote(&name));
        let what = format!("sequence {}.{}", display_ident(&schema), display_ident(&name));
        let pos = source
            .query_one(&format!("SELECT last_value::text, is_called FROM {qualified}"), &[])
            .map_err(|e| qerr(&format!("read {what}"), &e))?;
        out.push(SequencePosition { schema, name, last_value: pos.get(0), is_called: pos.get(1) });
    }
    Ok(out)
}

/// `setval` of one sequence on the target; `false` when the target has no such sequence.
pub fn set_sequence(target: &mut Client, p: &SequencePosition) -> Result<bool, VerifyError> {
    let qualified = format!("{}.{}", quote(&p.schema), quote(&p.name));
    let what = format!("sequence {}.{}", display_ident(&p.schema), display_ident(&p.name));
    let exists: bool = target
        .query_one("SELECT pg_catalog.to_regclass($1::text) IS NOT NULL", &[&qualified])
        .and_then(|r| r.try_get(0))
        .map_err(|e| qerr(&format!("find {what}"), &e))?;
    if exists {
        target
            .execute(
                "SELECT pg_catalog.setval($1::text::regclass, $2::text::bigint, $3)",
                &[&qualified, &p.last_value, &p.is_called],
            )
            .map_err(|e| qerr(&format!("setval {what}"), &e))?;
    }
    Ok(exists)
}

/// Set every sequence the target has to its position in the snapshot `source` imported. Returns
/// how many were set.
pub fn sequences(source: &mut Client, target: &mut Client) -> Result<usize, VerifyError> {
    let mut set = 0;
    for p in sequence_positions(source)? {
        if set_sequence(target, &p)? {
            set += 1;
        }
    }
    Ok(set)
}

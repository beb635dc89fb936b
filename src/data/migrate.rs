//! `pg2znb migrate`: the whole data path as named steps, each with its state and timing in
//! `WORKDIR/status.json` (rewritten after every change), so a re-run skips finished steps and
//! each step resumes from the target's records.
//!
//! 1. `prepare`: [`super::prepare`] checks pg_dump, both servers, the target's engine (and with
//!    it the compile target), that the target is empty or holds this run (`pg2znb.run`), and the
//!    connections `--jobs` needs; it creates a missing target database. Run every time.
//! 2. `snapshot`: a source connection in `REPEATABLE READ READ ONLY` exports its snapshot
//!    (`pg_export_snapshot()`) and holds it for the run; the source's write counters are saved
//!    ([`super::changes`]).
//! 3. `schema`: `pg_dump --schema-only --snapshot=<id>` into `WORKDIR/schema.sql` (the password
//!    through `PGPASSWORD`, never on its command line), compiled into `WORKDIR/compiled/` by the
//!    caller's compile function (the same writer as `pg2znb compile`), which also gives the
//!    post-data graph (`WORKDIR/finalize-plan.json`).
//! 4. `pre-data`: [`super::apply`] of `compiled/pre-data.sql`.
//! 5. `copy`: [`super::copy`] every table, in the snapshot, each with its record in one target
//!    transaction.
//! 6. `sequences`: `setval` of every sequence to its position in the snapshot.
//! 7. `finalize`: [`super::finalize`] runs `compiled/post-data.sql` over `--jobs` connections in
//!    the compile's dependency order.
//! 8. `verify`: [`crate::verify::run`] with the manifest and row checksums, reading the source in
//!    the snapshot the copy used (held until then), so writes to the source during the run are not
//!    differences. A resumed run whose copy was already done has no snapshot left: it reads the
//!    source as it is, and says so.
//!
//! At the end the source's write counters are read again: the summary says whether the source
//! changed after the snapshot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use postgres::Client;
use serde::{Deserialize, Serialize};

use super::apply::{self, ApplyOptions};
use super::changes::{self, Counters, SourceChange};
use super::copy::{self, CopyOptions};
use super::copy_progress::{CopyProgress, Lines, StatusTap, TableStatus};
use super::finalize::{self, FinalizeOptions, Plan};
use super::gate::{Gate, Opening};
use super::prepare::{self, PrepareOptions};
use super::records::Records;
use crate::rules::Targets;
use crate::verify::{self, Connector, RowMode, VerifyError, VerifyOptions, VerifyReport};

pub const EXIT_OK: i32 = 0;
pub const EXIT_DIFFERENCES: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// The steps, in order.
pub const STEPS: [&str; 8] = ["prepare", "snapshot", "schema", "pre-data", "copy", "sequences", "finalize", "verify"];

/// The steps that change the target, started over when the target holds none of this run.
const TARGET_STEPS: [&str; 5] = ["pre-data", "copy", "sequences", "finalize", "verify"];

/// The version the schema is compiled for (prepare decides it).
#[derive(Clone, Debug, PartialEq)]
pub struct CompileTarget {
    pub version: String,
    /// What the target said it runs, when it is not `version` itself (compile's `--target-version` as written).
    pub requested: Option<String>,
}

/// What the compile function gives back.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// One line for status.json.
    pub summary: String,
    /// The post-data graph ([`Plan::from_compilation`]).
    pub plan: Plan,
}

/// Compiles `schema.sql` (first argument) into the directory (second argument) for the target
/// version; returns a one-line summary and the post-data plan, or the error.
pub type CompileFn<'a> = dyn Fn(&Path, &Path, &CompileTarget) -> Result<Compiled, String> + 'a;

/// What `migrate` was asked to do.
#[derive(Clone, Debug)]
pub struct MigrateOptions {
    pub source: String,
    pub target: String,
    pub workdir: PathBuf,
    /// Tables copied in parallel (at least 1).
    pub jobs: usize,
    /// The `pg_dump` program (default: `pg_dump` on `PATH`).
    pub pg_dump: PathBuf,
    /// How the copy splits, retries and handles rejected rows (`jobs` above wins over its own).
    pub copy: CopyOptions,
    /// Only share the copy of a migration another `pg2znb migrate` runs on the same target.
    pub join: bool,
    /// With `join`: the source snapshot to read in (default: the one the first process recorded).
    pub snapshot: Option<String>,
    /// The ZNbaseDB version to compile for, resolved (`None`: from the target's `version()`).
    pub target_version: Option<String>,
    /// The versions pg2znb knows (the rule pack's).
    pub targets: Targets,
    /// Finalize records a failing statement and goes on with what does not need it.
    pub continue_on_error: bool,
}

impl MigrateOptions {
    pub fn new(source: impl Into<String>, target: impl Into<String>, workdir: impl Into<PathBuf>) -> Self {
        MigrateOptions {
            source: source.into(),
            target: target.into(),
            workdir: workdir.into(),
            jobs: 1,
            pg_dump: PathBuf::from("pg_dump"),
            copy: CopyOptions::default(),
            join: false,
            snapshot: None,
            target_version: None,
            targets: Targets::builtin(),
            continue_on_error: false,
        }
    }
}

/// Why a step failed (exit code 2). Messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{step}: {message}")]
    Step { step: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

fn step_error(step: &str, message: impl ToString) -> MigrateError {
    MigrateError::Step { step: step.to_string(), message: message.to_string() }
}

/// One step's state in `status.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StepStatus {
    pub name: String,
    /// `pending`, `running`, `done`, `skipped` (done by an earlier run, or not needed) or `failed`.
    pub state: String,
    /// Unix seconds.
    pub started_at: Option<u64>,
    pub seconds: Option<f64>,
    /// What the step did (`42 tables, 1200 rows`) or why it failed.
    pub detail: Option<String>,
}

/// `WORKDIR/status.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Status {
    /// `host:port/db`, never with the password.
    pub source: String,
    pub target: String,
    /// This migration's id, recorded in the target's `pg2znb.run` (prepare checks it on resume).
    #[serde(default)]
    pub run_id: String,
    pub steps: Vec<StepStatus>,
    /// Each table's copy, updated as ranges commit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableStatus>,
    /// Whether the source was written after the snapshot (read at the end of a run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_changed: Option<SourceChange>,
}

/// Serialises writes of status.json with the interrupt's last word; `true` once interrupted.
static STATUS_WRITES: std::sync::Mutex<bool> = std::sync::Mutex::new(false);

impl Status {
    fn fresh(source: &str, target: &str) -> Status {
        Status {
            source: source.to_string(),
            target: target.to_string(),
            run_id: new_run_id(),
            source_changed: None,
            steps: STEPS
                .iter()
                .map(|s| StepStatus { name: s.to_string(), state: "pending".into(), ..StepStatus::default() })
                .collect(),
            tables: Vec::new(),
        }
    }

    pub fn path(workdir: &Path) -> PathBuf {
        workdir.join("status.json")
    }

    /// Read `WORKDIR/status.json`.
    pub fn read(workdir: &Path) -> Result<Status, MigrateError> {
        let p = Status::path(workdir);
        let text = std::fs::read_to_string(&p)
            .map_err(|e| MigrateError::Io { path: p.display().to_string(), message: e.to_string() })?;
        serde_json::from_str(&text)
            .map_err(|e| MigrateError::Io { path: p.display().to_string(), message: e.to_string() })
    }

    fn write(&self, workdir: &Path) -> Result<(), MigrateError> {
        // After an interrupt the file says so and stays so: workers still running until the
        // process exits must not write `running` over it.
        let stopped = STATUS_WRITES.lock().unwrap_or_else(|e| e.into_inner());
        if *stopped {
            return Ok(());
        }
        self.store(workdir)
    }

    /// Write the file (temporary name, then rename); callers hold [`STATUS_WRITES`].
    fn store(&self, workdir: &Path) -> Result<(), MigrateError> {
        let p = Status::path(workdir);
        let tmp = workdir.join("status.json.tmp");
        let io = |e: std::io::Error| MigrateError::Io { path: p.display().to_string(), message: e.to_string() };
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&tmp, text + "\n").map_err(io)?;
        std::fs::rename(&tmp, &p).map_err(io)
    }

    /// After an interrupt (Ctrl-C, SIGTERM): the steps `status.json` says are running are marked
    /// `interrupted`, so `migrate status` does not show a dead process at work. Returns their
    /// names. Called from the signal handler while workers may still run: from then on `write`
    /// writes nothing (both hold [`STATUS_WRITES`]); what it cannot read or write it leaves alone
    /// (a re-run treats any unfinished step alike).
    pub fn mark_interrupted(workdir: &Path) -> Vec<String> {
        let mut stopped = STATUS_WRITES.lock().unwrap_or_else(|e| e.into_inner());
        *stopped = true;
        let Ok(mut s) = Status::read(workdir) else { return Vec::new() };
        let mut names = Vec::new();
        for step in s.steps.iter_mut().filter(|st| st.state == "running") {
            step.state = "interrupted".into();
            step.detail = Some("stopped by an interrupt; what committed is recorded in the target".into());
            names.push(step.name.clone());
        }
        if !names.is_empty() {
            let _ = s.store(workdir);
        }
        names
    }

    fn step(&mut self, name: &str) -> &mut StepStatus {
        let i = self.steps.iter().position(|s| s.name == name).unwrap_or_else(|| {
            self.steps.push(StepStatus { name: name.to_string(), state: "pending".into(), ..StepStatus::default() });
            self.steps.len() - 1
        });
        &mut self.steps[i]
    }

    fn is_done(&self, name: &str) -> bool {
        self.steps.iter().any(|s| s.name == name && s.state == "done")
    }

    /// The steps as a table: step, state, seconds, detail; then whether the source changed.
    pub fn render_table(&self) -> String {
        let mut out = format!("source: {}\ntarget: {}\nrun: {}\n", self.source, self.target, self.run_id);
        out.push_str(&format!("{:<10} {:<11} {:>9}  {}\n", "STEP", "STATE", "SECONDS", "DETAIL"));
        for s in &self.steps {
            let secs = s.seconds.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "{:<10} {:<11} {:>9}  {}\n",
                s.name,
                s.state,
                secs,
                s.detail.as_deref().unwrap_or("")
            ));
        }
        if let Some(c) = &self.source_changed {
            out.push_str(&c.line());
            out.push('\n');
        }
        out
    }
}

/// What a run did.
#[derive(Debug)]
pub struct MigrateReport {
    pub status: Status,
    /// `None` when verify did not run (it had passed in an earlier run).
    pub verify: Option<VerifyReport>,
    /// Verify read the source in the snapshot the copy used (this run held it throughout); `false`
    /// when a resumed run had no snapshot left to read in.
    pub verified_in_snapshot: bool,
}

impl MigrateReport {
    pub fn exit_code(&self) -> i32 {
        match &self.verify {
            Some(r) if r.exit_code() != verify::EXIT_OK => EXIT_DIFFERENCES,
            _ => EXIT_OK,
        }
    }
}

/// A run id: the time and the process, in hex (unique enough to tell two runs apart).
fn new_run_id() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{:x}-{:x}", t, std::process::id())
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Runs the steps, keeping `status` (and its file) up to date.
struct Runner<'a> {
    status: Status,
    workdir: &'a Path,
    notify: &'a (dyn Fn(&str) + Sync),
}

impl Runner<'_> {
    /// Run `f` as step `name` unless an earlier run finished it (`redo`: run it anyway).
    fn step<T>(
        &mut self,
        name: &str,
        redo: bool,
        f: impl FnOnce(&mut Self) -> Result<(T, String), MigrateError>,
    ) -> Result<Option<T>, MigrateError> {
        if self.status.is_done(name) && !redo {
            (self.notify)(&format!("{name}: done in an earlier run, skipped"));
            return Ok(None);
        }
        let started = Instant::now();
        self.mark_running(name, "")?;
        self.step_since(name, started, f)
    }

    /// Mark step `name` running from now (`detail`: what it does meanwhile, may be empty).
    fn mark_running(&mut self, name: &str, detail: &str) -> Result<(), MigrateError> {
        *self.status.step(name) = StepStatus {
            name: name.into(),
            state: "running".into(),
            started_at: Some(now()),
            detail: (!detail.is_empty()).then(|| detail.to_string()),
            ..StepStatus::default()
        };
        (self.notify)(&if detail.is_empty() {
            format!("{name}: running")
        } else {
            format!("{name}: running, {detail}")
        });
        self.status.write(self.workdir)
    }

    /// Mark step `name`, which did part of its work, pending again.
    fn mark_pending(&mut self, name: &str, detail: &str) -> Result<(), MigrateError> {
        let s = self.status.step(name);
        s.state = "pending".into();
        s.detail = Some(detail.into());
        (self.notify)(&format!("{name}: {detail}"));
        self.status.write(self.workdir)
    }

    /// Finish step `name`, marked running at `started`, with the result of `f`.
    fn step_since<T>(
        &mut self,
        name: &str,
        started: Instant,
        f: impl FnOnce(&mut Self) -> Result<(T, String), MigrateError>,
    ) -> Result<Option<T>, MigrateError> {
        let result = f(self);
        let s = self.status.step(name);
        s.seconds = Some((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
        let out = match result {
            Ok((value, detail)) => {
                s.state = "done".into();
                (self.notify)(&format!("{name}: {detail}"));
                s.detail = Some(detail);
                Ok(Some(value))
            }
            Err(e) => {
                s.state = "failed".into();
                s.detail = Some(e.to_string());
                Err(e)
            }
        };
        self.status.write(self.workdir)?;
        out
    }

    /// Run `f` (the copy) with its per-table progress passed on to `progress` and written to
    /// status.json as it goes.
    fn with_table_status<T>(&mut self, progress: &dyn CopyProgress, f: impl FnOnce(&dyn CopyProgress) -> T) -> T {
        let r = std::sync::Mutex::new(self);
        let write = |t: Vec<TableStatus>| {
            if let Ok(mut r) = r.lock() {
                r.status.tables = t;
                let _ = r.status.write(r.workdir);
            }
        };
        f(&StatusTap::new(progress, &write))
    }

    /// Mark a step not needed in this run.
    fn skip(&mut self, name: &str, why: &str) -> Result<(), MigrateError> {
        let s = self.status.step(name);
        if s.state != "done" {
            s.state = "skipped".into();
            s.detail = Some(why.into());
        }
        self.status.write(self.workdir)
    }
}

fn verr(step: &str) -> impl Fn(VerifyError) -> MigrateError + '_ {
    move |e| step_error(step, e)
}

/// Run `pg_dump --schema-only --snapshot=<id>` into `out`.
fn pg_dump(program: &Path, source: &Connector, snapshot: &str, out: &Path) -> Result<(), String> {
    let (conninfo, password) = source.libpq_conninfo();
    let mut cmd = Command::new(program);
    cmd.arg("--schema-only").arg(format!("--snapshot={snapshot}")).arg("-f").arg(out).arg("-d").arg(conninfo);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let output = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{} not found on PATH: install PostgreSQL's client programs (a pg_dump at least as new as the source server)",
                program.display()
            )
        } else {
            format!("cannot run {}: {e}", program.display())
        }
    })?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(format!("pg_dump failed ({}): {err}", output.status));
    }
    Ok(())
}

fn run_apply(
    step: &str,
    script: &Path,
    target: &str,
    records: &Records,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<((), String), MigrateError> {
    if !script.exists() {
        return Ok(((), format!("{}: nothing to apply", script.display())));
    }
    let text = std::fs::read_to_string(script)
        .map_err(|e| MigrateError::Io { path: script.display().to_string(), message: e.to_string() })?;
    let name = script.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let opts = ApplyOptions { records: records.clone(), ..ApplyOptions::new(target, name) };
    let report = apply::run(&text, &opts, &mut |m| notify(&format!("{step}: {m}"))).map_err(|e| step_error(step, e))?;
    if let Some(m) = report.stop_message() {
        return Err(step_error(step, m));
    }
    if report.failed > 0 {
        return Err(step_error(step, format!("{} statements failed", report.failed)));
    }
    Ok(((), report.summary_line()))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> MigrateError + '_ {
    move |e| MigrateError::Io { path: path.display().to_string(), message: e.to_string() }
}

/// Write `path` whole or not at all.
fn write_atomic(path: &Path, text: &str) -> Result<(), MigrateError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(io_err(path))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Run the migration. `compile` turns `schema.sql` into the compiled directory; `notify` hears
/// progress lines.
pub fn run(
    opts: &MigrateOptions,
    compile: &CompileFn,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<MigrateReport, MigrateError> {
    run_with(opts, compile, notify, &Lines(notify))
}

/// [`run`], with the copy's progress (per table and range) reported to `progress`.
pub fn run_with(
    opts: &MigrateOptions,
    compile: &CompileFn,
    notify: &(dyn Fn(&str) + Sync),
    progress: &dyn CopyProgress,
) -> Result<MigrateReport, MigrateError> {
    let workdir = opts.workdir.as_path();
    std::fs::create_dir_all(workdir).map_err(io_err(workdir))?;
    let source = Connector::parse(&opts.source).map_err(verr("source"))?.application_name("pg2znb migrate");
    let target = Connector::parse(&opts.target).map_err(verr("target"))?.application_name("pg2znb migrate");
    let mut status = match Status::read(workdir) {
        Ok(s) if s.source == source.name() && s.target == target.name() => s,
        Ok(s) if Status::path(workdir).exists() => {
            return Err(MigrateError::Io {
                path: Status::path(workdir).display().to_string(),
                message: format!(
                    "the work directory belongs to the migration of {} to {}; use another -w",
                    s.source, s.target
                ),
            })
        }
        _ => Status::fresh(source.name(), target.name()),
    };
    if status.run_id.is_empty() {
        status.run_id = new_run_id();
    }
    let mut r = Runner { status, workdir, notify };
    let mut copy_opts = opts.copy.clone();
    copy_opts.jobs = opts.jobs.max(1);
    copy_opts.errors_dir = workdir.join("errors");
    if opts.join {
        // Only the copy: the first process does every other step.
        r.step("copy", true, |r| {
            let rep = r
                .with_table_status(progress, |tap| {
                    copy::join(&source, &target, opts.snapshot.as_deref(), &copy_opts, tap)
                })
                .map_err(|e| step_error("copy", e))?;
            Ok(((), rep.summary_line()))
        })?;
        return Ok(MigrateReport { status: r.status, verify: None, verified_in_snapshot: false });
    }
    let compiled = workdir.join("compiled");
    let schema_sql = workdir.join("schema.sql");
    let plan_path = workdir.join("finalize-plan.json");
    let counters_path = workdir.join("snapshot-counters.json");

    // 1. prepare: every run (the target may have changed since the last one).
    let run_id = r.status.run_id.clone();
    let prepared = r
        .step("prepare", true, |_| {
            let p = prepare::run(&PrepareOptions {
                source: &source,
                target: &target,
                pg_dump: &opts.pg_dump,
                jobs: opts.jobs.max(1),
                given_version: opts.target_version.as_deref(),
                targets: &opts.targets,
                run_id: &run_id,
                workdir,
            })
            .map_err(|e| step_error("prepare", e))?;
            let detail = p.detail.clone();
            Ok((p, detail))
        })?
        .ok_or_else(|| step_error("prepare", "did not run"))?;
    if let Some(note) = &prepared.note {
        notify(&format!("note: {note}"));
    }
    if prepared.fresh_target {
        // A target without this run's record holds none of its work, whatever status.json says.
        let mut restarted = Vec::new();
        for name in TARGET_STEPS {
            let s = r.status.step(name);
            if s.state != "pending" {
                restarted.push(name);
                *s = StepStatus { name: name.into(), state: "pending".into(), ..StepStatus::default() };
            }
        }
        if !restarted.is_empty() {
            notify(&format!(
                "the target holds none of this run's work: starting over its steps ({})",
                restarted.join(", ")
            ));
        }
        r.status.write(workdir)?;
    }
    let compile_target = CompileTarget { version: prepared.version.clone(), requested: prepared.requested.clone() };
    let records = prepared.records.clone();
    copy_opts.records = records.clone();

    // 2. snapshot: needed while a step still reads the source in it.
    let needs_snapshot = ["schema", "copy", "sequences"].iter().any(|s| !r.status.is_done(s));
    let mut held: Option<(Client, String)> = None;
    if needs_snapshot {
        held = r.step("snapshot", true, |_| {
            let mut c = source.connect().map_err(verr("snapshot"))?;
            // The write counters as the snapshot is taken (kept from the first snapshot of the run).
            if !counters_path.exists() {
                let counters = changes::read(&mut c).map_err(verr("snapshot"))?;
                write_atomic(&counters_path, &serde_json::to_string_pretty(&counters).unwrap_or_default())?;
            }
            c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .map_err(|e| step_error("snapshot", verify::pg_message(&e)))?;
            let id: String = c
                .query_one("SELECT pg_catalog.pg_export_snapshot()", &[])
                .and_then(|row| row.try_get(0))
                .map_err(|e| step_error("snapshot", verify::pg_message(&e)))?;
            let detail = format!("snapshot {id} exported by {}", source.name());
            Ok(((c, id), detail))
        })?;
    } else {
        r.skip("snapshot", "every step that reads the source is done")?;
    }
    let snapshot_id = held.as_ref().map(|(_, id)| id.clone()).unwrap_or_default();

    // 3. schema
    r.step("schema", false, |_| {
        pg_dump(&opts.pg_dump, &source, &snapshot_id, &schema_sql).map_err(|m| step_error("schema", m))?;
        let mut out = compile(&schema_sql, &compiled, &compile_target).map_err(|m| step_error("schema", m))?;
        let post = compiled.join("post-data.sql");
        let text = std::fs::read_to_string(&post).map_err(io_err(&post))?;
        out.plan.script_sha256 = finalize::script_sha256(&text);
        write_atomic(&plan_path, &serde_json::to_string(&out.plan).unwrap_or_default())?;
        Ok(((), out.summary))
    })?;
    let manifest_path = compiled.join("manifest.json");
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(io_err(&manifest_path))?;
    let manifest = verify::parse_manifest(&manifest_text).map_err(verr("schema"))?;

    // 4. pre-data
    r.step("pre-data", false, |_| {
        run_apply("pre-data", &compiled.join("pre-data.sql"), &opts.target, &records, notify)
    })?;

    // 5–7. copy, sequences, finalize. Finalize starts with the copy: a table's indexes and
    // constraints are built once its rows are in, while other tables still copy (the gate).
    let tables = match held.as_mut() {
        Some((client, _)) if !r.status.is_done("copy") => copy::tables(client, &manifest).map_err(verr("copy"))?,
        _ => Vec::new(),
    };
    let gate = if r.status.is_done("copy") { Gate::open() } else { Gate::closed(&tables) };
    let finalized = std::thread::scope(|scope| -> Result<Option<()>, MigrateError> {
        let early = if !r.status.is_done("finalize") && !gate.is_open() {
            let started = Instant::now();
            r.mark_running("finalize", "started with the copy: each table's statements run once its rows are in")?;
            Some((started, scope.spawn(|| run_finalize(opts, &compiled, &plan_path, &gate, &records, notify))))
        } else {
            None
        };
        let copied = r.step("copy", false, |r| {
            let (_, id) = held.as_mut().ok_or_else(|| step_error("copy", "no snapshot"))?;
            let rep = r
                .with_table_status(progress, |tap| {
                    copy::run(&source, &target, id, &tables, &copy_opts, &Opening { gate: &gate, inner: tap })
                })
                .map_err(|e| step_error("copy", e))?;
            Ok(((), rep.summary_line()))
        });
        if let Err(e) = copied {
            gate.shut();
            if let Some((_, handle)) = early {
                let done = handle.join().ok().and_then(Result::ok).map(|(n, _)| n).unwrap_or(0);
                r.mark_pending(
                    "finalize",
                    &format!("{done} statements applied while the copy ran (recorded); the rest run after the copy"),
                )?;
            }
            return Err(e);
        }
        gate.open_all();
        // 6. sequences
        let sequenced = r.step("sequences", false, |_| {
            let (client, _) = held.as_mut().ok_or_else(|| step_error("sequences", "no snapshot"))?;
            let mut tgt = target.connect().map_err(verr("sequences"))?;
            let n = copy::sequences(client, &mut tgt).map_err(verr("sequences"))?;
            Ok(((), format!("{n} sequences set")))
        });
        let sequenced = match (sequenced, &early) {
            (Err(e), None) => return Err(e),
            (s, _) => s,
        };
        // 7. finalize (already running when it started with the copy)
        let finalized = match early {
            Some((started, handle)) => r.step_since("finalize", started, |_| {
                let result =
                    handle.join().unwrap_or_else(|_| Err(step_error("finalize", "the finalize thread panicked")));
                result.map(|(_, line)| ((), line))
            }),
            None => r.step("finalize", false, |_| {
                run_finalize(opts, &compiled, &plan_path, &gate, &records, notify).map(|(_, line)| ((), line))
            }),
        };
        sequenced?;
        finalized
    });
    // The snapshot stays held for verify: it reads the source as of the snapshot, as copied.
    if finalized.is_err() {
        // The summary still says what the source did.
        source_changes(&mut r, &source, &counters_path);
        let _ = r.status.write(workdir);
    }
    finalized?;

    // 8. verify: done only when nothing unexpected differs.
    let mut report = None;
    let mut verified_in_snapshot = false;
    if !r.status.is_done("verify") {
        let started = Instant::now();
        *r.status.step("verify") = StepStatus {
            name: "verify".into(),
            state: "running".into(),
            started_at: Some(now()),
            ..StepStatus::default()
        };
        r.status.write(workdir)?;
        notify("verify: running");
        let in_snapshot = held.as_ref().map(|(_, id)| id.clone());
        let vopts = VerifyOptions {
            source: opts.source.clone(),
            target: opts.target.clone(),
            manifest: Some(manifest),
            rows: RowMode::Checksum,
            source_snapshot: in_snapshot.clone(),
            ..VerifyOptions::default()
        };
        let result = verify::run(&vopts);
        verified_in_snapshot = in_snapshot.is_some();
        let s = r.status.step("verify");
        s.seconds = Some((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
        match result {
            Ok(v) => {
                let clean = v.exit_code() == verify::EXIT_OK;
                s.state = if clean { "done" } else { "failed" }.into();
                s.detail = Some(format!(
                    "{} unexpected difference{}, {} expected",
                    v.summary.unexpected,
                    if v.summary.unexpected == 1 { "" } else { "s" },
                    v.summary.expected
                ));
                report = Some(v);
            }
            Err(e) => {
                s.state = "failed".into();
                s.detail = Some(e.to_string());
                r.status.write(workdir)?;
                return Err(step_error("verify", e));
            }
        }
        r.status.write(workdir)?;
    } else {
        notify("verify: passed in an earlier run, skipped");
    }
    drop(held);
    source_changes(&mut r, &source, &counters_path);
    r.status.write(workdir)?;
    Ok(MigrateReport { status: r.status, verify: report, verified_in_snapshot })
}

/// Compare the source's write counters with those saved at the snapshot (best effort: a source
/// that cannot be read now leaves the summary without the line, and says so).
fn source_changes(r: &mut Runner<'_>, source: &Connector, counters_path: &Path) {
    let Ok(text) = std::fs::read_to_string(counters_path) else { return };
    let Ok(before) = serde_json::from_str::<Counters>(&text) else { return };
    match source.connect().map_err(|e| e.to_string()).and_then(|mut c| changes::read(&mut c).map_err(|e| e.to_string()))
    {
        Ok(now) => {
            let change = SourceChange::between(&before, &now);
            (r.notify)(&change.line());
            r.status.source_changed = Some(change);
        }
        Err(e) => (r.notify)(&format!("note: cannot tell whether the source changed after the snapshot: {e}")),
    }
}

/// Finalize: post-data over the jobs, in the compile's dependency order, each statement once
/// `gate` admits it. Returns how many statements it applied and its summary line.
fn run_finalize(
    opts: &MigrateOptions,
    compiled: &Path,
    plan_path: &Path,
    gate: &Gate,
    records: &Records,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<(usize, String), MigrateError> {
    let script = compiled.join("post-data.sql");
    if !script.exists() {
        return Ok((0, format!("{}: nothing to apply", script.display())));
    }
    let text = std::fs::read_to_string(&script).map_err(io_err(&script))?;
    let plan: Option<Plan> = std::fs::read_to_string(plan_path).ok().and_then(|t| serde_json::from_str(&t).ok());
    if plan.as_ref().is_some_and(|p| p.script_sha256 != finalize::script_sha256(&text)) {
        notify("finalize: post-data.sql changed since it was compiled: its statements run one after the other");
    }
    let fopts = FinalizeOptions {
        target: opts.target.clone(),
        jobs: opts.jobs.max(1),
        continue_on_error: opts.continue_on_error,
        script_name: "post-data.sql".into(),
        records: records.clone(),
    };
    let notify_step = |m: &str| notify(&format!("finalize: {m}"));
    let report =
        finalize::run(&text, plan.as_ref(), gate, &fopts, &notify_step).map_err(|e| step_error("finalize", e))?;
    match report.failure_message() {
        Some(m) => Err(step_error("finalize", format!("{}; {m}", report.summary_line(fopts.jobs)))),
        None => Ok((report.applied, report.summary_line(fopts.jobs))),
    }
}

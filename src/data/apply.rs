//! `pg2znb apply SCRIPT --target URL`: run one compiled script against a target, statement by
//! statement, recording each, so a re-run continues after the last applied statement.
//!
//! - The script is split by the psql-faithful scanner ([`crate::scan`]), never by `;`. Statements
//!   are numbered from 1 in script order (session statements included), which is what the records
//!   name.
//! - Session statements (`SET …`, `RESET …`, `SELECT pg_catalog.set_config(…)`) are not recorded: they
//!   run where they stand and again, in order, on every (re)connection, so a resumed run runs under
//!   the settings the script established.
//! - Every other statement runs in its own transaction with the insert of its record:
//!   `BEGIN; <statement>; INSERT INTO pg2znb.applied …; COMMIT`. A kill never leaves a statement
//!   applied but unrecorded. `COPY … FROM stdin` streams its data block (from the script's text)
//!   through the COPY protocol inside that transaction.
//! - Statements PostgreSQL refuses in a transaction block (`CREATE INDEX CONCURRENTLY`,
//!   `CREATE DATABASE`, `VACUUM`, `ALTER SYSTEM`, `ALTER TYPE … ADD VALUE` before PostgreSQL 12, …)
//!   run alone, then their record is inserted: a kill between the two leaves the statement applied
//!   but unrecorded, and the re-run runs it again.
//! - Transient errors (SQLSTATE class 08, 40001, 40P01, 57P01-57P03, a lost connection) are retried
//!   with backoff, on a new connection with the session settings replayed; before a retry the
//!   records are read again, in case the lost transaction committed. Other errors are never retried.
//! - A failure is recorded in `pg2znb.failed`; without `continue_on_error` the run stops there.
//! - With [`Records::Dir`] (migrate, when the target's role cannot create the `pg2znb` schema)
//!   the records go to `applied-<sha256>.log` in that directory instead ([`super::records`]).
//! - psql meta-commands are refused before anything runs (the line is named), except `\restrict`
//!   and `\unrestrict`, which are skipped. So are transaction control statements (`BEGIN`,
//!   `COMMIT`, …) and scripts the scanner finds broken (an unterminated quote or COPY block).

use std::collections::BTreeSet;
use std::io::Write;
use std::time::{Duration, Instant};

use postgres::Client;
use serde::Serialize;

use super::records::{Journal, Records};
use super::retry;
use crate::scan::{self, PieceKind};
use crate::verify::{pg_message, Connector, VerifyError};

/// Exit codes: everything applied (or skipped); a statement failed or the connection was lost
/// for good; the script was refused or the target unreachable.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// The target's state schema and its tables (created when missing).
const STATE_DDL: &str = "CREATE SCHEMA IF NOT EXISTS pg2znb; \
    CREATE TABLE IF NOT EXISTS pg2znb.applied (script_sha256 text NOT NULL, statement int NOT NULL, \
        kind text NOT NULL, applied_at timestamptz NOT NULL DEFAULT pg_catalog.now(), script_name text, \
        PRIMARY KEY (script_sha256, statement)); \
    CREATE TABLE IF NOT EXISTS pg2znb.failed (script_sha256 text NOT NULL, script_name text, \
        statement int NOT NULL, line int NOT NULL, sqlstate text, message text NOT NULL, \
        failed_at timestamptz NOT NULL DEFAULT pg_catalog.now()); \
    ALTER TABLE pg2znb.applied ADD COLUMN IF NOT EXISTS finished_at timestamptz";

/// `applied_at` is when the statement's transaction began, `finished_at` when it had run.
const RECORD: &str = "INSERT INTO pg2znb.applied (script_sha256, statement, kind, script_name, finished_at) \
    VALUES ($1, $2, $3, $4, pg_catalog.clock_timestamp())";

/// What `apply` was asked to do.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// libpq-style URL or `key=value` string (see `verify`).
    pub target: String,
    /// The script's file name, stored with its records and used in messages (`pre-data.sql:12`).
    pub script_name: String,
    /// Record a failing statement and go on instead of stopping.
    pub continue_on_error: bool,
    /// Tries per statement for transient errors (at least 1).
    pub tries: u32,
    /// Wait before the first retry; doubled for each further one (capped at 5 s).
    pub backoff: Duration,
    /// Where the records go.
    pub records: Records,
}

impl ApplyOptions {
    pub fn new(target: impl Into<String>, script_name: impl Into<String>) -> Self {
        ApplyOptions {
            target: target.into(),
            script_name: script_name.into(),
            continue_on_error: false,
            tries: 5,
            backoff: Duration::from_millis(200),
            records: Records::Target,
        }
    }
}

/// Why `apply` did not run the script at all. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The script holds something apply cannot run (a meta-command, transaction control, a scan error).
    #[error("{file}:{line}: {message}")]
    Refused { file: String, line: usize, message: String },
    #[error("{0}")]
    Connect(#[from] VerifyError),
    /// Creating or reading the `pg2znb` schema failed.
    #[error("{target}: {context} failed: {message}")]
    State { target: String, context: String, message: String },
    /// The records file in the work directory.
    #[error("{path}: {message}")]
    Records { path: String, message: String },
}

impl ApplyError {
    pub fn exit_code(&self) -> i32 {
        EXIT_ERROR
    }
}

/// One statement that failed.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// Its number in the script (from 1).
    pub statement: u32,
    pub line: usize,
    /// The statement's first line.
    pub text: String,
    pub sqlstate: Option<String>,
    /// The server's message (or the client's, for a lost connection), one line.
    pub message: String,
}

/// Records of another script with the same file name (its content changed since).
#[derive(Clone, Debug, Serialize)]
pub struct OtherVersion {
    pub sha256: String,
    pub statements: i64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub script: String,
    pub sha256: String,
    pub target: String,
    /// Statements in the script, session statements included.
    pub statements: usize,
    pub applied: usize,
    /// Recorded by an earlier run of the same script.
    pub skipped: usize,
    pub failed: usize,
    /// Session statements run (not recorded; replayed on every connection).
    pub session: usize,
    pub retries: usize,
    pub seconds: f64,
    pub failures: Vec<Failure>,
    /// The failure that stopped the run (without `continue_on_error`, or a connection lost for good).
    pub stopped: Option<Failure>,
    pub other_versions: Vec<OtherVersion>,
}

impl ApplyReport {
    pub fn exit_code(&self) -> i32 {
        if self.stopped.is_some() || self.failed > 0 {
            EXIT_FAILED
        } else {
            EXIT_OK
        }
    }

    /// `pre-data.sql: applied 12, skipped 3, failed 0 (4 session settings, 1 retry) in 0.8 s`.
    pub fn summary_line(&self) -> String {
        let mut extra = vec![format!("{} session setting{}", self.session, plural(self.session))];
        if self.retries > 0 {
            extra.push(format!("{} retr{}", self.retries, if self.retries == 1 { "y" } else { "ies" }));
        }
        format!(
            "{}: applied {}, skipped {}, failed {} ({}) in {:.1} s",
            self.script,
            self.applied,
            self.skipped,
            self.failed,
            extra.join(", "),
            self.seconds
        )
    }

    /// Why the run stopped and how to go on, one line (`None` when it did not stop).
    pub fn stop_message(&self) -> Option<String> {
        let f = self.stopped.as_ref()?;
        let state = f.sqlstate.as_deref().map(|s| format!(" (SQLSTATE {s})")).unwrap_or_default();
        Some(format!(
            "{}:{}: statement {} failed: {}: {}{state}; the statements before it are recorded in \
             pg2znb.applied on the target: fix the cause and run the same command again to continue from this statement",
            self.script, f.line, f.statement, f.text, f.message
        ))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// How a statement runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Not recorded; replayed on every connection.
    Session,
    /// In a transaction with its record.
    Statement,
    /// `COPY … FROM stdin` with its data block, in a transaction with its record.
    Copy,
    /// Alone, then recorded.
    NoTransaction,
    /// `ALTER TYPE … ADD VALUE`: alone before PostgreSQL 12, else in a transaction.
    AddValue,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Session => "session",
            Kind::Statement | Kind::AddValue => "statement",
            Kind::Copy => "copy",
            Kind::NoTransaction => "no-transaction",
        }
    }
}

/// One statement of the script.
#[derive(Debug)]
pub(super) struct Unit<'a> {
    pub(super) number: u32,
    pub(super) line: usize,
    /// Byte offset in the script.
    pub(super) offset: usize,
    pub(super) text: &'a str,
    /// The COPY data block without its `\.` line.
    data: Option<&'a str>,
    pub(super) kind: Kind,
}

impl Unit<'_> {
    pub(super) fn first_line(&self) -> String {
        let l = self.text.lines().next().unwrap_or("").trim_end();
        if l.chars().count() > 80 {
            format!("{}…", l.chars().take(79).collect::<String>())
        } else {
            l.to_string()
        }
    }
}

/// Upper-cased words and single punctuation characters at the start of a statement, comments
/// skipped; stops at a quote (nothing the classification needs is after one).
fn head_words(text: &str, max: usize) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < max {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"--") {
            i = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |k| i + k + 1);
        } else if b[i..].starts_with(b"/*") {
            i = text[i + 2..].find("*/").map_or(b.len(), |k| i + 2 + k + 2);
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(text[start..i].to_ascii_uppercase());
        } else if matches!(c, b'\'' | b'"') {
            break;
        } else {
            out.push((c as char).to_string());
            i += 1;
        }
    }
    out
}

/// The kind of a statement, or why apply refuses it.
fn classify(text: &str) -> Result<Kind, String> {
    let w = head_words(text, 12);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let has = |word: &str| w.contains(&word);
    match w.as_slice() {
        ["SET", "LOCAL" | "TRANSACTION" | "CONSTRAINTS", ..] => Ok(Kind::Statement),
        ["SET" | "RESET", ..] => Ok(Kind::Session),
        ["SELECT", "PG_CATALOG", ".", "SET_CONFIG", "(", ..] | ["SELECT", "SET_CONFIG", "(", ..] => Ok(Kind::Session),
        ["COMMIT" | "ROLLBACK", "PREPARED", ..] => Ok(Kind::NoTransaction),
        ["BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE", ..]
        | ["PREPARE", "TRANSACTION", ..] => Err(format!(
            "transaction control (`{}`) cannot be applied: apply runs every statement in its own transaction \
             with its record; remove it from the script",
            text.lines().next().unwrap_or("").trim()
        )),
        ["CREATE" | "DROP" | "REINDEX", ..] if w.iter().take(5).any(|x| *x == "CONCURRENTLY") => {
            Ok(Kind::NoTransaction)
        }
        ["CREATE" | "DROP", "DATABASE" | "TABLESPACE" | "SUBSCRIPTION", ..]
        | ["ALTER", "SYSTEM", ..]
        | ["VACUUM", ..] => Ok(Kind::NoTransaction),
        ["ALTER", "DATABASE", ..] if has("TABLESPACE") => Ok(Kind::NoTransaction),
        ["ALTER", "TYPE", ..] if w.windows(2).any(|p| p == ["ADD", "VALUE"]) => Ok(Kind::AddValue),
        _ => Ok(Kind::Statement),
    }
}

/// Split the script into units; refuse what cannot be applied.
pub(super) fn plan<'a>(script: &'a str, file: &str) -> Result<Vec<Unit<'a>>, ApplyError> {
    let s = scan::scan(script);
    let line_at =
        |offset: usize| script.as_bytes()[..offset.min(script.len())].iter().filter(|&&c| c == b'\n').count() + 1;
    let refuse =
        |offset: usize, message: String| ApplyError::Refused { file: file.to_string(), line: line_at(offset), message };
    if let Some(e) = s.errors.first() {
        return Err(refuse(e.offset, format!("the script is broken: {}", e.message)));
    }
    let mut units = Vec::new();
    let mut number = 0u32;
    // Line numbers counted as the pieces go by (one pass).
    let (mut line, mut counted) = (1usize, 0usize);
    for (i, p) in s.pieces.iter().enumerate() {
        let text = p.text(script);
        match p.kind {
            PieceKind::Whitespace | PieceKind::Comment | PieceKind::CopyData => continue,
            PieceKind::Meta => {
                let name = text[1..].split(|c: char| c.is_whitespace()).next().unwrap_or("");
                if name == "restrict" || name == "unrestrict" {
                    continue;
                }
                return Err(refuse(
                    p.span.start,
                    format!(
                        "psql meta-command `{}` cannot be applied: apply runs SQL only (run this script with psql, \
                         or remove the line)",
                        text.trim_end()
                    ),
                ));
            }
            PieceKind::Statement => {}
        }
        line += script.as_bytes()[counted..p.span.start].iter().filter(|&&c| c == b'\n').count();
        counted = p.span.start;
        number += 1;
        let mut kind = classify(text).map_err(|m| refuse(p.span.start, m))?;
        let data = s.copy_data_of(i).map(|j| {
            kind = Kind::Copy;
            copy_rows(s.pieces[j].text(script))
        });
        units.push(Unit { number, line, offset: p.span.start, text, data, kind });
    }
    Ok(units)
}

/// A data block without its final `\.` line (the COPY protocol ends the data itself).
fn copy_rows(block: &str) -> &str {
    let body = block.strip_suffix('\n').unwrap_or(block);
    let body = body.strip_suffix('\r').unwrap_or(body);
    match body.strip_suffix("\\.") {
        Some(rows) if rows.is_empty() || rows.ends_with('\n') => rows,
        _ => block,
    }
}

pub(super) fn sha256_hex(text: &str) -> String {
    openssl::sha::sha256(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn failure_of(u: &Unit<'_>, e: &ExecError) -> Failure {
    Failure { statement: u.number, line: u.line, text: u.first_line(), sqlstate: e.sqlstate(), message: e.message() }
}

/// The connection and what must be replayed on a new one.
pub(super) struct Session<'a> {
    pub(super) connector: Connector,
    pub(super) client: Option<Client>,
    pub(super) settings: Vec<&'a str>,
}

impl<'a> Session<'a> {
    /// A new connection with the session settings replayed.
    fn reconnect(&mut self) -> Result<&mut Client, ExecError> {
        self.client = None;
        let mut c = self.connector.connect().map_err(|e| ExecError::Connect(e.to_string()))?;
        for s in &self.settings {
            c.batch_execute(s)?;
        }
        Ok(self.client.insert(c))
    }

    fn client(&mut self) -> Result<&mut Client, ExecError> {
        match self.client.take() {
            Some(c) if !c.is_closed() => Ok(self.client.insert(c)),
            _ => self.reconnect(),
        }
    }
}

/// Why running a unit failed.
#[derive(Debug)]
pub(super) enum ExecError {
    Pg(postgres::Error),
    /// Connecting again failed (the message names the endpoint).
    Connect(String),
    /// Writing COPY data failed: the connection is gone.
    Io(std::io::Error),
}

impl From<postgres::Error> for ExecError {
    fn from(e: postgres::Error) -> Self {
        ExecError::Pg(e)
    }
}

impl ExecError {
    /// Whether a retry on a new connection may succeed.
    pub(super) fn transient(&self) -> bool {
        match self {
            ExecError::Pg(e) => retry::transient(e),
            ExecError::Connect(_) | ExecError::Io(_) => true,
        }
    }

    pub(super) fn sqlstate(&self) -> Option<String> {
        match self {
            ExecError::Pg(e) => e.code().map(|c| c.code().to_string()),
            _ => None,
        }
    }

    pub(super) fn message(&self) -> String {
        match self {
            ExecError::Pg(e) => pg_message(e),
            ExecError::Connect(m) => m.clone(),
            ExecError::Io(e) => format!("connection lost: {e}"),
        }
    }
}

/// Apply `script` (named `opts.script_name`) to `opts.target`. `notify` gets one-line notices as they
/// happen (another version of the script recorded, retries).
pub fn run(script: &str, opts: &ApplyOptions, notify: &mut dyn FnMut(&str)) -> Result<ApplyReport, ApplyError> {
    let start = Instant::now();
    let units = plan(script, &opts.script_name)?;
    let sha = sha256_hex(script);
    let connector = Connector::parse(&opts.target)?.application_name("pg2znb apply");
    let target = connector.name().to_string();
    let mut client = connector.connect()?;
    let state = open_state(&mut client, &target, &sha, &opts.script_name, &opts.records)?;
    let state_err = |context: &str, e: &postgres::Error| ApplyError::State {
        target: target.clone(),
        context: context.to_string(),
        message: pg_message(e),
    };
    let other_versions: Vec<OtherVersion> = match opts.records {
        Records::Target => client
            .query(
                "SELECT script_sha256, count(*) FROM pg2znb.applied WHERE script_name = $1 AND script_sha256 <> $2 \
                 GROUP BY 1 ORDER BY 1",
                &[&opts.script_name, &sha],
            )
            .map_err(|e| state_err("reading pg2znb.applied", &e))?
            .iter()
            .map(|r| OtherVersion { sha256: r.get(0), statements: r.get(1) })
            .collect(),
        // The file is per script version: another version's records are in another file.
        Records::Dir(_) => Vec::new(),
    };
    for o in &other_versions {
        notify(&format!(
            "note: the target holds {} statement record(s) of another {} (sha256 {}): its content changed, so this \
             is a different script and none of its statements are skipped for them",
            o.statements,
            opts.script_name,
            &o.sha256[..12.min(o.sha256.len())]
        ));
    }

    let mut report = ApplyReport {
        script: opts.script_name.clone(),
        sha256: sha.clone(),
        target: target.clone(),
        statements: units.len(),
        applied: 0,
        skipped: 0,
        failed: 0,
        session: 0,
        retries: 0,
        seconds: 0.0,
        failures: Vec::new(),
        stopped: None,
        other_versions,
    };
    let mut session = Session { connector, client: Some(client), settings: Vec::new() };
    for u in &units {
        if u.kind != Kind::Session && state.done.contains(&(u.number as i32)) {
            report.skipped += 1;
            continue;
        }
        let (outcome, retries) = run_unit(&mut session, u, &state, opts, notify);
        report.retries += retries;
        match outcome {
            Ok(()) if u.kind == Kind::Session => {
                session.settings.push(u.text);
                report.session += 1;
            }
            Ok(()) => report.applied += 1,
            Err(e) => {
                let f = failure_of(u, &e);
                record_failure(&mut session, &state, &f);
                report.failed += 1;
                report.failures.push(f.clone());
                if !opts.continue_on_error || e.transient() {
                    report.stopped = Some(f);
                    break;
                }
            }
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

/// What a run knows of the script's records.
pub(super) struct State {
    /// The server's major version.
    pub major: u32,
    /// Statements recorded already.
    pub done: BTreeSet<i32>,
    pub sha: String,
    pub name: String,
    /// With [`Records::Dir`]: the file, and the statements begun but not recorded by an earlier
    /// run (they may have committed).
    journal: Option<Journal>,
    in_doubt: BTreeSet<i32>,
}

/// SQLSTATEs of a statement that finds its object there: duplicate table/relation, object,
/// schema, function, column, database.
const ALREADY_THERE: [&str; 6] = ["42P07", "42710", "42P06", "42723", "42701", "42P04"];

/// Create the `pg2znb` schema when missing (or open the records file); the server's major
/// version and the statements of the script (`sha`) recorded already.
pub(super) fn open_state(
    c: &mut Client,
    target: &str,
    sha: &str,
    name: &str,
    records: &Records,
) -> Result<State, ApplyError> {
    let state_err = |context: &str, e: &postgres::Error| ApplyError::State {
        target: target.to_string(),
        context: context.to_string(),
        message: pg_message(e),
    };
    let mut state = State {
        major: 15,
        done: BTreeSet::new(),
        sha: sha.to_string(),
        name: name.to_string(),
        journal: None,
        in_doubt: BTreeSet::new(),
    };
    if let Records::Dir(dir) = records {
        let path = dir.join(format!("applied-{sha}.log"));
        let j = Journal::open(&path)
            .map_err(|e| ApplyError::Records { path: path.display().to_string(), message: e.to_string() })?;
        let mut begun = BTreeSet::new();
        for line in j.lines() {
            match line.split_once(' ') {
                Some(("begin", n)) => begun.extend(n.parse::<i32>().ok()),
                Some(("done", n)) => state.done.extend(n.parse::<i32>().ok()),
                _ => {}
            }
        }
        state.in_doubt = begun.difference(&state.done).copied().collect();
        state.journal = Some(j);
    } else {
        c.batch_execute(STATE_DDL).map_err(|e| state_err("creating the pg2znb schema", &e))?;
    }
    let major = c
        .simple_query("SHOW server_version_num")
        .map_err(|e| state_err("reading the server version", &e))?
        .iter()
        .find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse::<u32>().ok()),
            _ => None,
        })
        .map_or(15, |n| n / 10000);
    state.major = major;
    if state.journal.is_none() {
        state.done = c
            .query("SELECT statement FROM pg2znb.applied WHERE script_sha256 = $1", &[&sha])
            .map_err(|e| state_err("reading pg2znb.applied", &e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
    }
    Ok(state)
}

/// Run one unit on the session (and record it), retrying transient errors with backoff on a new
/// connection (`opts.tries`, `opts.backoff`); also the number of retries.
pub(super) fn run_unit(
    session: &mut Session<'_>,
    u: &Unit<'_>,
    state: &State,
    opts: &ApplyOptions,
    notify: &mut dyn FnMut(&str),
) -> (Result<(), ExecError>, usize) {
    let tries = opts.tries.max(1);
    let name = state.name.as_str();
    let mut attempt = 1;
    loop {
        let r = session.client().and_then(|c| {
            // After a lost connection the transaction may have committed before the loss.
            if attempt > 1
                && u.kind != Kind::Session
                && state.journal.is_none()
                && is_recorded(c, &state.sha, u.number)?
            {
                return Ok(());
            }
            execute(c, u, state)
        });
        // Without a record in the target's transaction, a statement that may have committed (begun
        // by an earlier run, or before a lost connection) and now finds its object had committed.
        let n = u.number as i32;
        let r = match (r, &state.journal) {
            (Err(e), Some(j))
                if (attempt > 1 || state.in_doubt.contains(&n))
                    && e.sqlstate().is_some_and(|s| ALREADY_THERE.contains(&s.as_str())) =>
            {
                notify(&format!(
                    "{name}:{}: statement {} had committed before the run stopped (the target says: {}): recorded",
                    u.line,
                    u.number,
                    e.message()
                ));
                j.append(&format!("done {n}")).map_err(ExecError::Io)
            }
            (r, _) => r,
        };
        match r {
            Ok(()) => return (Ok(()), attempt as usize - 1),
            Err(e) if e.transient() && attempt < tries => {
                let wait = retry::backoff(opts.backoff, attempt);
                notify(&format!(
                    "{name}:{}: transient error, retrying in {} ms (try {} of {tries}): {}",
                    u.line,
                    wait.as_millis(),
                    attempt + 1,
                    e.message()
                ));
                attempt += 1;
                session.client = None;
                std::thread::sleep(wait);
            }
            Err(e) => return (Err(e), attempt as usize - 1),
        }
    }
}

fn is_recorded(c: &mut Client, sha: &str, number: u32) -> Result<bool, ExecError> {
    let n = number as i32;
    Ok(c.query_opt("SELECT 1 FROM pg2znb.applied WHERE script_sha256 = $1 AND statement = $2", &[&sha, &n])?.is_some())
}

/// Run one unit (and record it).
fn execute(c: &mut Client, u: &Unit<'_>, state: &State) -> Result<(), ExecError> {
    let (sha, name) = (state.sha.as_str(), state.name.as_str());
    let n = u.number as i32;
    let kind = u.kind.label();
    let alone = u.kind == Kind::NoTransaction || (u.kind == Kind::AddValue && state.major < 12);
    if u.kind == Kind::Session {
        return Ok(c.batch_execute(u.text)?);
    }
    if let Some(j) = &state.journal {
        j.append(&format!("begin {n}")).map_err(ExecError::Io)?;
        if alone {
            c.batch_execute(u.text)?;
        } else {
            let mut tx = c.transaction()?;
            match u.data {
                Some(rows) => copy_block(&mut tx, u.text, rows)?,
                None => tx.batch_execute(u.text)?,
            }
            tx.commit()?;
        }
        return j.append(&format!("done {n}")).map_err(ExecError::Io);
    }
    if alone {
        c.batch_execute(u.text)?;
        c.execute(RECORD, &[&sha, &n, &kind, &name])?;
        return Ok(());
    }
    let mut tx = c.transaction()?;
    match u.data {
        Some(rows) => copy_block(&mut tx, u.text, rows)?,
        None => tx.batch_execute(u.text)?,
    }
    tx.execute(RECORD, &[&sha, &n, &kind, &name])?;
    Ok(tx.commit()?)
}

/// `COPY … FROM stdin` with its data block.
fn copy_block(tx: &mut postgres::Transaction<'_>, statement: &str, rows: &str) -> Result<(), ExecError> {
    let mut w = tx.copy_in(statement)?;
    // The block is already in memory (the script); hand it over in pieces.
    for chunk in rows.as_bytes().chunks(64 * 1024) {
        w.write_all(chunk).map_err(ExecError::Io)?;
    }
    w.finish()?;
    Ok(())
}

/// Record a failure in `pg2znb.failed` or the records file (best effort: the connection may be gone).
pub(super) fn record_failure(session: &mut Session<'_>, state: &State, f: &Failure) {
    let (sha, name) = (state.sha.as_str(), state.name.as_str());
    let (n, line) = (f.statement as i32, f.line as i32);
    if let Some(j) = &state.journal {
        let _ = j.append(&format!("failed {n} line {line} {}: {}", f.sqlstate.as_deref().unwrap_or("-"), f.message));
        return;
    }
    if let Ok(c) = session.client() {
        let _ = c.execute(
            "INSERT INTO pg2znb.failed (script_sha256, script_name, statement, line, sqlstate, message) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&sha, &name, &n, &line, &f.sqlstate, &f.message],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statements() {
        for (sql, kind) in [
            ("SET statement_timeout = 0;", Kind::Session),
            ("SELECT pg_catalog.set_config('search_path', '', false);", Kind::Session),
            ("RESET ALL;", Kind::Session),
            ("SET LOCAL work_mem = '1MB';", Kind::Statement),
            ("CREATE TABLE t (id int);", Kind::Statement),
            ("CREATE UNIQUE INDEX CONCURRENTLY i ON t (id);", Kind::NoTransaction),
            ("create index concurrently if not exists i on t (id);", Kind::NoTransaction),
            ("VACUUM ANALYZE t;", Kind::NoTransaction),
            ("ALTER SYSTEM SET work_mem = '4MB';", Kind::NoTransaction),
            ("CREATE DATABASE x;", Kind::NoTransaction),
            ("ALTER TYPE public.mood ADD VALUE 'meh';", Kind::AddValue),
            ("-- c\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'x' AFTER 'y';", Kind::AddValue),
            ("ALTER TYPE mood RENAME VALUE 'a' TO 'b';", Kind::Statement),
            ("SELECT 'SET x' ;", Kind::Statement),
        ] {
            assert_eq!(classify(sql), Ok(kind), "{sql}");
        }
        assert!(classify("BEGIN;").unwrap_err().contains("transaction control"));
        assert!(classify("commit;").is_err());
    }

    #[test]
    fn plans_copy_blocks_and_meta_commands() {
        let script = "\\restrict k\nSET a = 1;\nCOPY t (a) FROM stdin;\n1\n2\n\\.\n\nSELECT 1;\n\\unrestrict k\n";
        let units = plan(script, "data.sql").unwrap();
        let got: Vec<(u32, usize, Kind, Option<&str>)> =
            units.iter().map(|u| (u.number, u.line, u.kind, u.data)).collect();
        assert_eq!(
            got,
            [(1, 2, Kind::Session, None), (2, 3, Kind::Copy, Some("1\n2\n")), (3, 8, Kind::Statement, None)]
        );
        let e = plan("SELECT 1;\n\n\\connect other\nSELECT 2;\n", "pre-data.sql").unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("pre-data.sql:3: psql meta-command `\\connect other`"), "{m}");
        let e = plan("SELECT 1;\nSELECT 'oops;\n", "x.sql").unwrap_err();
        assert!(e.to_string().starts_with("x.sql:2: the script is broken"), "{e}");
    }

    #[test]
    fn copy_rows_drop_the_end_marker() {
        assert_eq!(copy_rows("1\n2\n\\.\n"), "1\n2\n");
        assert_eq!(copy_rows("1\r\n\\.\r\n"), "1\r\n");
        assert_eq!(copy_rows("\\.\n"), "");
        assert_eq!(copy_rows("1\n\\."), "1\n");
    }
}

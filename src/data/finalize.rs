//! `migrate`'s finalize step: `post-data.sql` run over `--jobs` connections in the compile's
//! dependency order.
//!
//! - The order comes from the compile that wrote the script ([`Plan::from_compilation`]: the
//!   order stage's post-data edges, `Order::post_data_after`, and where each statement stands in
//!   the script, `Emitter::marks`), saved beside the work so a resumed run uses the same graph.
//!   There is no second graph: without a plan (or for a script edited since) the statements run
//!   one after the other.
//! - A statement starts once everything it needs has committed, and never beside another one on
//!   the same table (so two `ALTER TABLE`s cannot deadlock on each other's locks); independent
//!   statements (indexes and constraints of different tables) run at the same time.
//! - Each statement commits with its record in `pg2znb.applied` exactly as [`super::apply`] does
//!   (same script hash and numbering), so a re-run — by migrate or by `pg2znb apply` — skips it.
//! - In migrate it starts with the copy: [`Gate`] holds back every statement until the tables it
//!   needs are copied (only the kinds marked [`PlanNode::early`]; the rest wait for the whole copy).
//! - A failure is recorded in `pg2znb.failed`. Without `continue_on_error` nothing new starts and
//!   the statements in flight finish; with it, everything that does not need the failed statement
//!   goes on, and what needs it is skipped and listed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::apply::{self, ApplyError, ApplyOptions, Failure, Kind, Session, Unit};
use super::gate::{Admit, Gate};
use super::records::Records;
use crate::compile::Compilation;
use crate::emit::ScriptKind;
use crate::ir::{Detail, ObjKind};
use crate::verify::Connector;

/// The post-data graph of one compile, by position in `post-data.sql`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    /// sha256 of the script the plan is about.
    pub script_sha256: String,
    /// In script order.
    pub nodes: Vec<PlanNode>,
}

/// One statement of the compile (with what the emitter put before it: settings, prerequisites).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PlanNode {
    /// Byte offset in the script where its part begins.
    pub start: usize,
    /// Indexes of the nodes it needs (all before it).
    pub after: Vec<usize>,
    /// `schema.table` of the tables it changes or reads.
    pub tables: Vec<String>,
    /// It carries a prerequisite (`CREATE EXTENSION …`) other statements may need too: everything
    /// after it waits for it.
    pub barrier: bool,
    /// It may run as soon as its tables are copied, before the rest of the copy is done: an index,
    /// a key or foreign key, or a comment, whose statement calls no function (a function may read
    /// tables still copying), or a trigger (creating one runs nothing). Plans written before this field
    /// read as `false`: they wait for the whole copy.
    #[serde(default)]
    pub early: bool,
    /// `schema.name` of the tables whose rows it reads or builds on (what it needs, not what it
    /// defines): an early statement waits for their copy.
    #[serde(default)]
    pub reads: Vec<String>,
}

impl Plan {
    /// The plan of `c`'s post-data script; the caller sets `script_sha256` from the script written.
    pub fn from_compilation(c: &Compilation) -> Plan {
        let marks = c.emitter().marks(ScriptKind::PostData);
        let index: BTreeMap<usize, usize> = marks.iter().enumerate().map(|(i, &(_, id))| (id, i)).collect();
        let nodes = marks
            .iter()
            .enumerate()
            .map(|(i, &(start, id))| {
                let s = &c.ir.stmts[id];
                // Cycle members keep source order in the script: only edges pointing back are kept.
                let after = c
                    .order
                    .post_data_after
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .filter_map(|d| index.get(d).copied())
                    .filter(|&j| j < i)
                    .collect();
                let table_of = |k: &crate::ir::ObjKey| match (&k.kind, &k.table) {
                    (_, Some(t)) => Some(format!("{}.{t}", k.schema)),
                    (ObjKind::Relation, None) => Some(format!("{}.{}", k.schema, k.name)),
                    _ => None,
                };
                let mut reads: BTreeSet<String> = s.refs.iter().filter_map(table_of).collect();
                if let Detail::AddConstraint { table, .. } = &s.detail {
                    reads.insert(format!("{}.{}", table.schema, table.name));
                }
                let mut tables = reads.clone();
                tables.extend(s.defines.iter().filter_map(table_of));
                let calls = s.refs.iter().any(|k| k.kind == ObjKind::Function);
                let early = s.prelude.is_empty()
                    && match s.kind.as_str() {
                        "create_trigger" => true,
                        "create_index" | "comment" => !calls,
                        // A CHECK's expression may call a function whose reads the refs do not show.
                        "alter_table" => match &s.detail {
                            Detail::AddConstraint { constraint, .. } => {
                                !calls && matches!(constraint.kind.as_str(), "primary_key" | "unique" | "foreign_key")
                            }
                            _ => false,
                        },
                        _ => false,
                    };
                PlanNode {
                    start,
                    after,
                    tables: tables.into_iter().collect(),
                    barrier: !s.prelude.is_empty(),
                    early,
                    reads: reads.into_iter().collect(),
                }
            })
            .collect();
        Plan { script_sha256: String::new(), nodes }
    }
}

/// The sha256 of a script's text, as its records in `pg2znb.applied` name it.
pub fn script_sha256(text: &str) -> String {
    apply::sha256_hex(text)
}

/// What finalize was asked to do.
#[derive(Clone, Debug)]
pub struct FinalizeOptions {
    pub target: String,
    /// Connections (at least 1).
    pub jobs: usize,
    pub continue_on_error: bool,
    /// `post-data.sql`.
    pub script_name: String,
    /// Where the records go.
    pub records: Records,
}

/// A statement not run because one it needs failed.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    pub statement: u32,
    pub line: usize,
    pub text: String,
    /// The failed statement's number.
    pub because_of: u32,
}

/// What a run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FinalizeReport {
    pub script: String,
    /// Statements in the script, session statements included.
    pub statements: usize,
    pub applied: usize,
    /// Recorded by an earlier run.
    pub recorded: usize,
    pub retries: usize,
    pub failures: Vec<Failure>,
    /// Not run: they need a failed statement.
    pub skipped: Vec<Skipped>,
    /// Not run: the run stopped at a failure first (without `continue_on_error`).
    pub not_started: usize,
    /// The most statements that ran at the same time.
    pub peak: usize,
    /// Statements applied while the copy still ran (their tables were copied).
    pub during_copy: usize,
    /// Whether the compile's graph was used (else one statement after the other).
    pub parallel: bool,
    pub seconds: f64,
}

impl FinalizeReport {
    /// `post-data.sql: applied 12, 3 recorded by an earlier run, 0 failed; up to 2 at once over 2 jobs in 1.2 s;
    /// 5 while the copy ran`.
    pub fn summary_line(&self, jobs: usize) -> String {
        format!(
            "{}: applied {}, {} recorded by an earlier run, {} failed{}; up to {} at once over {} in {:.1} s{}{}",
            self.script,
            self.applied,
            self.recorded,
            self.failures.len(),
            if self.skipped.is_empty() { String::new() } else { format!(", {} skipped", self.skipped.len()) },
            self.peak,
            crate::text::count(jobs, "job", "jobs"),
            self.seconds,
            if self.during_copy > 0 { format!("; {} while the copy ran", self.during_copy) } else { String::new() },
            if self.parallel { "" } else { " (no plan from the compile: one statement after the other)" }
        )
    }

    /// What failed and how to go on, one line; `None` when nothing failed.
    pub fn failure_message(&self) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        let failed: Vec<String> = self
            .failures
            .iter()
            .map(|f| {
                let state = f.sqlstate.as_deref().map(|s| format!(" (SQLSTATE {s})")).unwrap_or_default();
                format!(
                    "{}:{}: statement {} failed: {}: {}{state}",
                    self.script, f.line, f.statement, f.text, f.message
                )
            })
            .collect();
        let mut m = failed.join("; ");
        if !self.skipped.is_empty() {
            let list: Vec<String> = self
                .skipped
                .iter()
                .map(|s| format!("{}:{} {} (needs statement {})", self.script, s.line, s.text, s.because_of))
                .collect();
            m.push_str(&format!("; skipped because they need a failed statement: {}", list.join(", ")));
        }
        if self.not_started > 0 {
            m.push_str(&format!(
                "; {} not started (the step stops at the first failure; --continue-on-error runs everything that does not need it)",
                crate::text::count(self.not_started, "statement", "statements")
            ));
        }
        m.push_str(
            "; the statements that ran are recorded in pg2znb.applied and the failures in pg2znb.failed on the target: \
             fix the cause (the data, or the statement in post-data.sql) and run the same command again — recorded \
             statements are skipped",
        );
        Some(m)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Waiting,
    Running,
    Done,
    Failed,
    Skipped,
}

/// The work: nodes, each a run of units of the script (in order).
struct Work<'a> {
    units: Vec<Unit<'a>>,
    /// Units (non-session) of each node, by index into `units`.
    members: Vec<Vec<usize>>,
    after: Vec<Vec<usize>>,
    tables: Vec<Vec<String>>,
    /// The tables an early node waits for (`None`: it waits for the whole copy).
    early: Vec<Option<Vec<String>>>,
    /// For each unit: how many session units come before it (the settings it runs under).
    settings_before: Vec<usize>,
    sessions: Vec<&'a str>,
}

impl<'a> Work<'a> {
    fn new(units: Vec<Unit<'a>>, plan: Option<&Plan>) -> Work<'a> {
        let mut sessions = Vec::new();
        let mut settings_before = Vec::with_capacity(units.len());
        for u in &units {
            settings_before.push(sessions.len());
            if u.kind == Kind::Session {
                sessions.push(u.text);
            }
        }
        let (mut members, mut after, mut tables, mut early) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        match plan {
            Some(p) if !p.nodes.is_empty() => {
                // Units before the first statement's part (none in what emit writes) go first.
                let lead = usize::from(units.iter().any(|u| u.kind != Kind::Session && u.offset < p.nodes[0].start));
                members.resize(p.nodes.len() + lead, Vec::new());
                for (i, u) in units.iter().enumerate().filter(|(_, u)| u.kind != Kind::Session) {
                    let n = p.nodes.partition_point(|n| n.start <= u.offset);
                    members[if n == 0 { 0 } else { n - 1 + lead }].push(i);
                }
                if lead == 1 {
                    after.push(Vec::new());
                    tables.push(Vec::new());
                    early.push(None);
                }
                let mut barrier: Option<usize> = None;
                for (i, n) in p.nodes.iter().enumerate() {
                    let mut a: Vec<usize> = n.after.iter().map(|&j| j + lead).collect();
                    a.extend((lead == 1).then_some(0));
                    a.extend(barrier);
                    a.sort_unstable();
                    a.dedup();
                    after.push(a);
                    tables.push(n.tables.clone());
                    early.push(n.early.then(|| n.reads.clone()));
                    if n.barrier {
                        barrier = Some(i + lead);
                    }
                }
            }
            _ => {
                // One after the other.
                for (i, _) in units.iter().enumerate().filter(|(_, u)| u.kind != Kind::Session) {
                    after.push(members.len().checked_sub(1).into_iter().collect());
                    members.push(vec![i]);
                    tables.push(Vec::new());
                    early.push(None);
                }
            }
        }
        Work { units, members, after, tables, early, settings_before, sessions }
    }
}

/// The scheduler's shared state.
struct Board {
    state: Vec<State>,
    /// Needs not yet done, per node.
    waiting_on: Vec<usize>,
    ready: BTreeSet<usize>,
    busy: BTreeSet<String>,
    running: usize,
    stop: bool,
    report: FinalizeReport,
}

/// Run `script` (post-data) with `plan` (the compile's graph; `None`: in script order), starting
/// each statement when `gate` admits it ([`Gate::open`] when the copy is done).
pub fn run(
    script: &str,
    plan: Option<&Plan>,
    gate: &Gate,
    opts: &FinalizeOptions,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<FinalizeReport, ApplyError> {
    let start = Instant::now();
    let units = apply::plan(script, &opts.script_name)?;
    let sha = apply::sha256_hex(script);
    let plan = plan.filter(|p| p.script_sha256 == sha);
    let connector = Connector::parse(&opts.target)?.application_name("pg2znb finalize");
    let target = connector.name().to_string();
    let mut first = connector.connect()?;
    let book = apply::open_state(&mut first, &target, &sha, &opts.script_name, &opts.records)?;
    let done = &book.done;
    let work = Work::new(units, plan);
    let n = work.members.len();
    let mut dependents = vec![Vec::new(); n];
    for (i, a) in work.after.iter().enumerate() {
        for &j in a {
            dependents[j].push(i);
        }
    }
    let mut report = FinalizeReport {
        script: opts.script_name.clone(),
        statements: work.units.len(),
        parallel: plan.is_some(),
        ..FinalizeReport::default()
    };
    // Nodes whose statements are all recorded are done before anything starts.
    let mut state = vec![State::Waiting; n];
    for (i, m) in work.members.iter().enumerate() {
        let recorded = m.iter().filter(|&&u| done.contains(&(work.units[u].number as i32))).count();
        report.recorded += recorded;
        if recorded == m.len() {
            state[i] = State::Done;
        }
    }
    let waiting_on: Vec<usize> =
        (0..n).map(|i| work.after[i].iter().filter(|&&j| state[j] != State::Done).count()).collect();
    let ready = (0..n).filter(|&i| state[i] == State::Waiting && waiting_on[i] == 0).collect();
    let board = Mutex::new(Board { state, waiting_on, ready, busy: BTreeSet::new(), running: 0, stop: false, report });
    let wake = Condvar::new();
    let apply_opts = ApplyOptions {
        continue_on_error: opts.continue_on_error,
        records: opts.records.clone(),
        ..ApplyOptions::new(opts.target.clone(), opts.script_name.clone())
    };
    let jobs = opts.jobs.max(1);
    let mut first = Some(first);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let client = first.take();
            let connector = Connector::parse(&opts.target).map(|c| c.application_name("pg2znb finalize"));
            let (work, board, wake, book, apply_opts, dependents) =
                (&work, &board, &wake, &book, &apply_opts, &dependents);
            scope.spawn(move || {
                let Ok(connector) = connector else { return };
                let mut session = Session { connector, client, settings: Vec::new() };
                let mut have_settings = 0usize;
                while let Some(node) = take(board, wake, work, gate) {
                    let during_copy = !gate.is_open();
                    let mut result = Ok(());
                    let mut retries = 0;
                    let mut applied = 0;
                    for &u in &work.members[node] {
                        let unit = &work.units[u];
                        if book.done.contains(&(unit.number as i32)) {
                            continue;
                        }
                        // A new connection replays the settings the statement was written under.
                        let want = work.settings_before[u];
                        if want != have_settings {
                            session.settings = work.sessions[..want].to_vec();
                            session.client = None;
                            have_settings = want;
                        }
                        let mut quiet = |m: &str| notify(m);
                        let (r, tries) = apply::run_unit(&mut session, unit, book, apply_opts, &mut quiet);
                        retries += tries;
                        match r {
                            Ok(()) => applied += 1,
                            Err(e) => {
                                let f = apply::failure_of(unit, &e);
                                apply::record_failure(&mut session, book, &f);
                                notify(&format!(
                                    "{}:{}: statement {} failed: {}",
                                    apply_opts.script_name, f.line, f.statement, f.message
                                ));
                                result = Err(f);
                                break;
                            }
                        }
                    }
                    let outcome = Outcome { result, applied, retries, during_copy };
                    finish(board, wake, work, dependents, node, outcome, apply_opts.continue_on_error);
                }
            });
        }
    });
    let mut b = board.into_inner().unwrap_or_else(|e| e.into_inner());
    b.report.not_started = b
        .state
        .iter()
        .enumerate()
        .filter(|(_, s)| **s == State::Waiting)
        .map(|(i, _)| work.members[i].iter().filter(|&&u| !done.contains(&(work.units[u].number as i32))).count())
        .sum();
    b.report.seconds = start.elapsed().as_secs_f64();
    b.report.failures.sort_by_key(|f| f.statement);
    b.report.skipped.sort_by_key(|s| s.statement);
    Ok(b.report)
}

/// The next node to run: the first ready one whose tables are free and that the gate admits;
/// `None` when nothing is left this worker could ever take.
fn take(board: &Mutex<Board>, wake: &Condvar, work: &Work<'_>, gate: &Gate) -> Option<usize> {
    let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if b.stop && b.running == 0 {
            return None;
        }
        let mut held_back = false;
        if !b.stop {
            let pick = b.ready.iter().copied().find(|&i| {
                if work.tables[i].iter().any(|t| b.busy.contains(t)) {
                    return false;
                }
                match gate.admits(work.early[i].as_deref()) {
                    Admit::Yes => true,
                    Admit::Wait => {
                        held_back = true;
                        false
                    }
                    Admit::Never => false,
                }
            });
            if let Some(i) = pick {
                b.ready.remove(&i);
                b.state[i] = State::Running;
                b.busy.extend(work.tables[i].iter().cloned());
                b.running += 1;
                b.report.peak = b.report.peak.max(b.running);
                return Some(i);
            }
        }
        if b.running == 0 && !held_back {
            return None;
        }
        // Woken when a running statement finishes; the gate opens without a wake-up, so it is
        // asked again soon while it holds something back.
        let wait = if held_back { Duration::from_millis(100) } else { Duration::from_secs(1) };
        b = wake.wait_timeout(b, wait).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
    }
}

/// What running one node did.
struct Outcome {
    result: Result<(), Failure>,
    applied: usize,
    retries: usize,
    /// It started while the copy still ran.
    during_copy: bool,
}

fn finish(
    board: &Mutex<Board>,
    wake: &Condvar,
    work: &Work<'_>,
    dependents: &[Vec<usize>],
    node: usize,
    outcome: Outcome,
    continue_on_error: bool,
) {
    let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
    b.running -= 1;
    for t in &work.tables[node] {
        b.busy.remove(t);
    }
    b.report.applied += outcome.applied;
    b.report.retries += outcome.retries;
    if outcome.during_copy {
        b.report.during_copy += outcome.applied;
    }
    match outcome.result {
        Ok(()) => {
            b.state[node] = State::Done;
            for &d in &dependents[node] {
                b.waiting_on[d] -= 1;
                if b.waiting_on[d] == 0 && b.state[d] == State::Waiting {
                    b.ready.insert(d);
                }
            }
        }
        Err(f) => {
            b.state[node] = State::Failed;
            let cause = f.statement;
            b.report.failures.push(f);
            if continue_on_error {
                // Everything that needs it, directly or not, is skipped.
                let mut stack = dependents[node].clone();
                while let Some(d) = stack.pop() {
                    if b.state[d] != State::Waiting {
                        continue;
                    }
                    b.state[d] = State::Skipped;
                    b.ready.remove(&d);
                    for &u in &work.members[d] {
                        let unit = &work.units[u];
                        b.report.skipped.push(Skipped {
                            statement: unit.number,
                            line: unit.line,
                            text: unit.first_line(),
                            because_of: cause,
                        });
                    }
                    stack.extend(dependents[d].iter().copied());
                }
            } else {
                b.stop = true;
            }
        }
    }
    drop(b);
    wake.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{ApplyOptions, DeferCategory, RulePack};
    use crate::source::SourceFile;

    /// Which post-data statements may run before the whole copy is done.
    #[test]
    fn early_marks_what_only_needs_its_tables_copied() {
        let sql = "CREATE FUNCTION public.f(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v';\n\
             CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
             CREATE TABLE public.a (id int PRIMARY KEY, v int);\n\
             CREATE TABLE public.b (id int PRIMARY KEY, a_id int);\n\
             CREATE INDEX a_v ON public.a (v);\n\
             CREATE INDEX a_f ON public.a (public.f(v));\n\
             ALTER TABLE public.a ADD CONSTRAINT a_v_key UNIQUE (v);\n\
             ALTER TABLE public.b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES public.a (id);\n\
             ALTER TABLE public.b ADD CONSTRAINT b_f CHECK (public.f(a_id) > 0);\n\
             CREATE TRIGGER t BEFORE INSERT ON public.b FOR EACH ROW EXECUTE FUNCTION public.tg();\n";
        let pack = RulePack::builtin().unwrap();
        let mut opts = ApplyOptions::default();
        opts.defer.insert(DeferCategory::Indexes);
        let c = crate::compile::compile(vec![SourceFile::new("x.sql", sql)], &pack, &opts);
        let plan = Plan::from_compilation(&c);
        let script = c.emitter().text(ScriptKind::PostData).unwrap_or_default();
        let early = |needle: &str| {
            let at = script.find(needle).unwrap_or_else(|| panic!("{needle} not in post-data:\n{script}"));
            plan.nodes[plan.nodes.partition_point(|n| n.start <= at) - 1].early
        };
        assert!(early("a_v ON"), "an index on a column");
        assert!(!early("a_f ON"), "an index calling a function");
        assert!(early("a_v_key"), "a unique constraint");
        assert!(early("b_a_fk"), "a foreign key");
        assert!(!early("b_f"), "a check calling a function");
        assert!(early("CREATE TRIGGER"), "a trigger");
    }
}

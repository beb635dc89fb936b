//! The rule-test harness behind `pg2znb rules test [DIR]` and `tests/rule_cases.rs`.
//!
//! A rule directory holds `rule.yaml`, `cases/*.sql` and `snapshots/`. Each case is compiled with
//! only its rule selected, at a target version where the rule applies, with unsafe fixes applied
//! and every defer category on, so that every rule acts. The result is a snapshot text with three
//! sections (`-- before`, `-- diagnostics` (each finding with its help, fix and labels), `-- after: <phase>`) compared with
//! `snapshots/<case>.snap`, and these checks:
//!
//! * `fires_*` cases (and the rule's `docs.before`, run as the case `docs`) report the rule's code;
//! * `ok_*` cases report nothing with the rule's code and emit exactly what the pipeline emits
//!   with no rule at all (the input statements, unchanged and in the same phases);
//! * every statement of the emitted scripts re-parses with pg_query;
//! * a second pass over the output changes nothing (no statement rewritten, merged or dropped, and
//!   the same statements in the same phases);
//! * `docs.after`'s statements appear in the docs case's output (in the phase a `-- pre-data.sql`
//!   / `-- post-data.sql` label line names, when there is one);
//! * a rule has at least one `fires_*` and one `ok_*` case, and no snapshot without a case.
//!
//! Snapshot files are insta-compatible: a small YAML header between `---` lines, then the body.
//! The harness compares only the body, and on `--update` keeps an existing header, so the same
//! file serves `pg2znb rules test` (users need no insta) and the project's insta test.
//!
//! Pure apart from reading the rule directory and, with `update`, writing its snapshots; it
//! returns data and never prints.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compile::{compile, Compilation};
use crate::diagnostic::Severity;
use crate::ir::{Fate, Phase, Session};
use crate::parse::{self, Parsed};
use crate::rules::{model, ApplyOptions, DeferCategory, Rule, RuleError, RulePack, Targets};
use crate::scan::{self, PieceKind};
use crate::source::SourceFile;

/// A problem that stops the harness before any case runs: a rule file or an I/O error.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}: no rule.yaml below this directory", .0.display())]
    NoRules(PathBuf),
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Io { path: path.to_path_buf(), message: e.to_string() }
}

/// One rule's directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDir {
    pub dir: PathBuf,
    pub rule_file: PathBuf,
    /// `cases/*.sql`, sorted by name.
    pub cases: Vec<CaseFile>,
    /// `snapshots/` (it may not exist yet).
    pub snapshots: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFile {
    /// The file stem: `fires_pg_dump` for `cases/fires_pg_dump.sql`.
    pub name: String,
    pub path: PathBuf,
}

/// Every directory holding a `rule.yaml` below `root` (sorted), with its cases.
pub fn rule_dirs(root: &Path) -> Result<Vec<RuleDir>, HarnessError> {
    if !root.is_dir() {
        return Err(io_error(root, "not a directory"));
    }
    let list = |d: &Path| -> Result<Vec<PathBuf>, HarnessError> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(d).map_err(|e| io_error(d, e))? {
            out.push(e.map_err(|e| io_error(d, e))?.path());
        }
        out.sort();
        Ok(out)
    };
    let mut dirs = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = list(&d)?;
        let rule_file = d.join("rule.yaml");
        let is_rule = rule_file.is_file();
        for p in &entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() && !(is_rule && (name == "cases" || name == "snapshots")) {
                stack.push(p.clone());
            }
        }
        if is_rule {
            let cases_dir = d.join("cases");
            let mut cases = Vec::new();
            if cases_dir.is_dir() {
                for p in list(&cases_dir)? {
                    if p.is_file() && p.extension().is_some_and(|x| x == "sql") {
                        let name = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                        cases.push(CaseFile { name, path: p });
                    }
                }
            }
            dirs.push(RuleDir { snapshots: d.join("snapshots"), rule_file, cases, dir: d });
        }
    }
    dirs.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(dirs)
}

/// The rule pack a directory is tested with. A directory with its own `targets.yaml` is a whole
/// pack (the project's `rules/`) and is loaded on its own, from disk; any other directory is a
/// user's pack, loaded on top of the built-in rules.
pub fn load_pack(root: &Path) -> Result<RulePack, HarnessError> {
    let targets = root.join("targets.yaml");
    let mut pack = if targets.is_file() {
        let text = std::fs::read_to_string(&targets).map_err(|e| io_error(&targets, e))?;
        let f: model::TargetsFile = serde_saphyr::from_str(&text).map_err(|e| {
            let (line, column) = e.location().map(|l| (l.line() as usize, l.column() as usize)).unwrap_or((1, 1));
            let message = e.to_string().lines().next().unwrap_or_default().to_string();
            RuleError { file: targets.display().to_string(), line, column, message }
        })?;
        let settings = load_settings(&root.join("settings"))?;
        RulePack { targets: Targets { default: f.default, versions: f.versions, settings }, rules: Vec::new() }
    } else {
        RulePack::builtin()?
    };
    pack.add_dir(root)?;
    Ok(pack)
}

/// The settings lists of a pack directory (`settings/postgres-<major>.txt`), by major version;
/// none when the directory does not exist.
pub fn load_settings(dir: &Path) -> Result<BTreeMap<String, Arc<BTreeSet<String>>>, HarnessError> {
    let mut out = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let p = e.map_err(|e| io_error(dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some(major) = crate::rules::settings_major(name) {
            let text = std::fs::read_to_string(&p).map_err(|e| io_error(&p, e))?;
            out.insert(major.to_string(), Arc::new(crate::rules::parse_settings(&text)));
        }
    }
    Ok(out)
}

/// What a case expects, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// `fires_*` and the docs case: the rule reports its code.
    Fires,
    /// `ok_*`: the rule reports nothing and changes nothing.
    Ok,
    /// Any other name: snapshot only (the harness reports the name as a problem).
    Other,
}

impl CaseKind {
    pub fn of(name: &str) -> CaseKind {
        if name.starts_with("fires_") || name == DOCS_CASE {
            CaseKind::Fires
        } else if name.starts_with("ok_") {
            CaseKind::Ok
        } else {
            CaseKind::Other
        }
    }
}

/// The name the rule's `docs.before` runs under (and its snapshot: `snapshots/docs.snap`).
pub const DOCS_CASE: &str = "docs";

/// How a rule's cases compile: only that rule, at the pack's default target (or the rule's
/// `since` version, or the last version before its `until`), unsafe fixes on, every defer
/// category on. `Err` when the rule applies to no version.
pub fn case_options(pack: &RulePack, rule: &Rule) -> Result<ApplyOptions, String> {
    let versions = &pack.targets.versions;
    let default = pack.targets.index(&pack.targets.default).unwrap_or(0);
    let mut at = rule.since.unwrap_or(default);
    if let Some(until) = rule.until {
        if at >= until {
            if until == 0 || rule.since.is_some_and(|s| s >= until) {
                return Err(format!("the rule applies to no target version (until {})", versions[until].version));
            }
            at = until - 1;
        }
    }
    let target = versions.get(at).map(|v| v.version.clone()).unwrap_or_else(|| pack.targets.default.clone());
    Ok(ApplyOptions {
        target,
        defer: DeferCategory::ALL.into_iter().collect(),
        unsafe_fixes: true,
        select: vec![rule.code.clone()],
        ignore: Vec::new(),
        // Only the selected rule runs, so switching every option on exercises rules that
        // are gated by one (e.g. `options.no_owner`) without affecting the others.
        no_owner: true,
        no_privileges: true,
        shard_hints: true,
        // Snapshots show statements without the framing either way.
        psql_restrict: true,
        target_requested: None,
        input_checks: true,
    })
}

/// One case's outcome (before any snapshot comparison).
#[derive(Clone, Debug)]
pub struct CaseResult {
    pub name: String,
    pub kind: CaseKind,
    /// The snapshot body: `-- before`, `-- diagnostics`, `-- after: <phase>` sections.
    pub snapshot: String,
    /// The emitted statements (trimmed text) with their phase, in output order.
    pub after: Vec<(Phase, String)>,
    /// The statements moved to `unsupported.sql` (trimmed source text), in input order.
    pub unsupported: Vec<String>,
    /// Checks that did not hold, one sentence each.
    pub failures: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Compile `sql` as case `name` of `rule` and check it (see the module docs).
pub fn run_case(pack: &RulePack, rule: &Rule, name: &str, sql: &str, opts: &ApplyOptions) -> CaseResult {
    let kind = CaseKind::of(name);
    let file = format!("{name}.sql");
    let c = compile(vec![SourceFile::new(file.clone(), sql)], pack, opts);
    let after = emitted(&c);
    let mut failures = Vec::new();

    for d in c.diagnostics.iter().filter(|d| !d.code.starts_with("ZN") && d.severity == Severity::Error) {
        let at = d.location.map(|l| c.files[l.file].line_col(l.span.start)).unwrap_or((0, 0));
        failures.push(format!("the compile reported {} at {}:{}: {}", d.code, at.0, at.1, d.message));
    }
    let reported = c.diagnostics.iter().any(|d| d.code == rule.code);
    match kind {
        CaseKind::Fires if !reported => {
            failures.push(format!("`{name}` should fire, but {} reported nothing", rule.code));
        }
        CaseKind::Ok => {
            if reported {
                failures.push(format!("`{name}` should not fire, but {} reported something", rule.code));
            }
            let baseline_pack = RulePack { targets: pack.targets.clone(), rules: Vec::new() };
            let baseline = emitted(&compile(vec![SourceFile::new(file.clone(), sql)], &baseline_pack, opts));
            if let Some(d) = first_difference(&baseline, &after) {
                failures.push(format!("`{name}` should change nothing, but the output differs from the input: {d}"));
            }
        }
        _ => {}
    }

    // ZNbaseDB-only syntax (e.g. `PRIMARY KEY (id HASH)`) is beyond PostgreSQL's parser: such a
    // rule's output cannot be re-parsed or compiled again, only compared with its snapshot.
    if rule.action.as_ref().is_some_and(|a| a.produces_target_syntax()) {
        let unsupported = moved(&c);
        return CaseResult {
            name: name.to_string(),
            kind,
            snapshot: render_snapshot(sql, &c),
            after,
            unsupported,
            failures,
        };
    }

    for (phase, script) in scripts(&c) {
        failures.extend(reparse(phase, script));
    }

    // A second pass over the output must be a fixpoint.
    let second_input = Phase::ALL.iter().map(|&p| phase_text(&c, p)).filter(|t| !t.is_empty()).collect::<Vec<_>>();
    let second = compile(vec![SourceFile::new(file, second_input.join("\n\n"))], pack, opts);
    // (Elements of CREATE SCHEMA are merged into it from the start: that is no change.)
    let changed = |s: &&crate::ir::Stmt| {
        matches!(s.fate, Fate::Rewritten | Fate::Merged | Fate::Dropped)
            && !(s.fate == Fate::Merged && s.element_of.is_some())
    };
    for s in second.ir.stmts.iter().filter(changed) {
        let (line, _) = second.files[s.file].line_col(s.span.start);
        failures.push(format!(
            "a second pass over the output changed it again: the statement at line {line} of the output was {} by {}",
            s.fate.as_str(),
            s.codes.join(", ")
        ));
    }
    if let Some(d) = first_difference(&after, &emitted(&second)) {
        failures.push(format!("a second pass over the output changed it again: {d}"));
    }

    let unsupported = moved(&c);
    CaseResult { name: name.to_string(), kind, snapshot: render_snapshot(sql, &c), after, unsupported, failures }
}

/// The statements `c` moved to `unsupported.sql`, as written.
fn moved(c: &Compilation) -> Vec<String> {
    c.ir.stmts
        .iter()
        .filter(|s| s.unsupported.is_some() && s.piece != PieceKind::CopyData)
        // An element of CREATE SCHEMA ends before the next element: unsupported.sql ends it.
        .map(|s| {
            let text = c.files[s.file].slice(s.span).trim();
            if s.element_of.is_some() {
                format!("{text};")
            } else {
                text.to_string()
            }
        })
        .collect()
}

/// Check that every statement of `docs.after` appears in the docs case's output. A `--` line
/// naming a script (`-- pre-data.sql`, `-- data.sql`, `-- post-data.sql`, `-- unsupported.sql`)
/// says where the statements below it must be; other comment lines are labels and ignored.
pub fn check_docs_after(result: &CaseResult, docs_after: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let s = scan::scan(docs_after);
    let mut phase: Option<Phase> = None;
    let mut in_unsupported = false;
    let mut expected = 0;
    for p in &s.pieces {
        let text = p.text(docs_after);
        match p.kind {
            PieceKind::Comment => {
                for line in text.lines() {
                    let label = line.trim_start_matches('-').trim();
                    if let Some(ph) = Phase::ALL.iter().find(|ph| label.starts_with(&format!("{}.sql", ph.as_str()))) {
                        phase = Some(*ph);
                        in_unsupported = false;
                    } else if label.starts_with("unsupported.sql") {
                        in_unsupported = true;
                    }
                }
            }
            PieceKind::Statement => {
                expected += 1;
                let want = normalize(text);
                if in_unsupported {
                    if !result.unsupported.iter().any(|t| normalize(t) == want) {
                        failures.push(format!("docs.after puts `{want}` in unsupported.sql, but it is not there"));
                    }
                    continue;
                }
                let found = result.after.iter().find(|(_, t)| normalize(t) == want);
                match (found, phase) {
                    (None, _) => {
                        let mut msg =
                            format!("docs.after statement not found in the output: `{want}`; the output has:");
                        for (ph, t) in &result.after {
                            let _ = write!(msg, "\n    {}: `{}`", ph.as_str(), normalize(t));
                        }
                        failures.push(msg);
                    }
                    (Some((got, _)), Some(ph)) if *got != ph => failures.push(format!(
                        "docs.after puts `{want}` in {}.sql, but the output has it in {}.sql",
                        ph.as_str(),
                        got.as_str()
                    )),
                    _ => {}
                }
            }
            PieceKind::CopyData | PieceKind::Meta | PieceKind::Whitespace => {}
        }
    }
    if expected == 0 && !docs_after.trim().is_empty() {
        failures.push("docs.after has no SQL statement to compare with the output".into());
    }
    failures
}

/// Whitespace-insensitive form of a statement for comparing documentation with output.
fn normalize(sql: &str) -> String {
    let joined = sql.trim().trim_end_matches(';').split_whitespace().collect::<Vec<_>>().join(" ");
    joined.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
}

/// The first difference between two emitted statement lists, described for a person.
fn first_difference(want: &[(Phase, String)], got: &[(Phase, String)]) -> Option<String> {
    let show = |s: Option<&(Phase, String)>| match s {
        Some((p, t)) => format!("{} `{}`", p.as_str(), normalize(t)),
        None => "nothing".to_string(),
    };
    (0..want.len().max(got.len()))
        .find(|&i| want.get(i) != got.get(i))
        .map(|i| format!("statement {} is {} instead of {}", i + 1, show(got.get(i)), show(want.get(i))))
}

/// The emitted scripts that exist, with their phase.
fn scripts(c: &Compilation) -> Vec<(Phase, &str)> {
    let mut out = vec![(Phase::PreData, c.scripts.pre_data.as_str())];
    if let Some(d) = &c.scripts.data {
        out.push((Phase::Data, d.as_str()));
    }
    out.push((Phase::PostData, c.scripts.post_data.as_str()));
    out
}

/// Every statement of an emitted script must parse (COPY data and meta-commands are not SQL).
fn reparse(phase: Phase, script: &str) -> Vec<String> {
    let s = scan::scan(script);
    let mut failures: Vec<String> = s
        .errors
        .iter()
        .map(|e| format!("{}.sql does not scan at byte {}: {}", phase.as_str(), e.offset, e.message))
        .collect();
    for p in s.pieces.iter().filter(|p| p.kind == PieceKind::Statement) {
        let text = p.text(script);
        if let Parsed::Err { message, .. } = parse::parse_one(text) {
            failures.push(format!("{}.sql: `{}` does not re-parse: {message}", phase.as_str(), normalize(text)));
        }
    }
    failures
}

/// The statements each phase emits, in order, without the replayed session settings and the
/// `\restrict` framing: (phase, trimmed statement text), COPY data blocks included.
fn emitted(c: &Compilation) -> Vec<(Phase, String)> {
    let mut out = Vec::new();
    for phase in Phase::ALL {
        for &id in c.order.phase(phase) {
            let s = &c.ir.stmts[id];
            if matches!(s.session, Session::Restrict | Session::Unrestrict) {
                continue;
            }
            // A rewrite may emit several statements (e.g. a table and the trigger that replaces
            // its generated column): compare statement by statement, as a second pass sees them.
            // Prerequisites written before the statement (e.g. CREATE EXTENSION) come first.
            let mut text: String = s.prelude.iter().map(|p| format!("{}\n", p.sql)).collect();
            text.push_str(&crate::ir::text::statement_text(s, &c.files));
            let pieces = scan::scan(&text);
            for p in pieces.pieces.iter().filter(|p| p.kind != PieceKind::Whitespace && p.kind != PieceKind::Comment) {
                out.push((phase, p.text(&text).trim().to_string()));
            }
            if let Some(d) = s.copy_data {
                let d = &c.ir.stmts[d];
                out.push((phase, c.files[d.file].slice(d.span).trim_end().to_string()));
            }
        }
    }
    out
}

/// One phase's script as the emitter writes it, minus its header, replayed session settings and
/// `\restrict` framing: each statement with the comments that preceded it in the input.
fn phase_text(c: &Compilation, phase: Phase) -> String {
    let mut out = String::new();
    for &id in c.order.phase(phase) {
        let s = &c.ir.stmts[id];
        if matches!(s.session, Session::Restrict | Session::Unrestrict) {
            continue;
        }
        for p in &s.prelude {
            out.push_str(&format!("\n{}\n", p.sql));
        }
        out.push_str(c.files[s.file].slice(s.trivia));
        out.push_str(&crate::ir::text::statement_text(s, &c.files));
        if let Some(d) = s.copy_data {
            let d = &c.ir.stmts[d];
            out.push_str(c.files[d.file].slice(d.trivia));
            out.push_str(c.files[d.file].slice(d.span));
        }
    }
    trim_blank_lines(&out)
}

/// Without leading blank lines and trailing whitespace.
fn trim_blank_lines(s: &str) -> String {
    let s = s.trim_end();
    let start = s.find(|ch: char| ch != '\n' && ch != '\r' && ch != ' ' && ch != '\t').unwrap_or(s.len());
    let line_start = s[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    s[line_start..].to_string()
}

fn render_snapshot(sql: &str, c: &Compilation) -> String {
    let mut out = String::new();
    out.push_str("-- before\n");
    push_section(&mut out, &trim_blank_lines(sql));
    out.push_str("\n-- diagnostics\n");
    if c.diagnostics.is_empty() {
        out.push_str("(none)\n");
    }
    for d in &c.diagnostics {
        let at = match d.location {
            Some(l) => {
                let (line, col) = c.files[l.file].line_col(l.span.start);
                format!("{line}:{col}")
            }
            None => "-".to_string(),
        };
        let _ = writeln!(out, "{} {} {at} {}", d.code, d.severity.as_str(), d.message);
        // Labels carry what a finding groups (the dependents of a moved statement) and its
        // other positions: part of what the case pins down.
        for l in &d.labels {
            let (line, col) = c.files[l.location.file].line_col(l.location.span.start);
            let _ = writeln!(out, "  label {line}:{col} {}", l.message);
        }
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  help: {}", h.lines().collect::<Vec<_>>().join("\n    "));
        }
        if let Some(f) = &d.fix {
            let applied = if f.applied { "applied" } else { "not applied" };
            let _ = writeln!(out, "  fix: {applied} ({})", if f.safe { "safe" } else { "unsafe" });
        }
    }
    for phase in Phase::ALL {
        if phase == Phase::Data && c.scripts.data.is_none() {
            continue;
        }
        let _ = writeln!(out, "\n-- after: {}", phase.as_str());
        push_section(&mut out, &phase_text(c, phase));
    }
    let moved = moved(c);
    if !moved.is_empty() {
        out.push_str("\n-- after: unsupported\n");
        push_section(&mut out, &moved.join("\n\n"));
    }
    out
}

fn push_section(out: &mut String, text: &str) {
    out.push_str(if text.is_empty() { "(empty)" } else { text });
    out.push('\n');
}

/// How a case's snapshot compared with `snapshots/<case>.snap`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotStatus {
    Matches,
    /// No snapshot file (run with `--update`).
    Missing,
    /// A line diff, `-` the snapshot, `+` the new output.
    Differs {
        diff: String,
    },
    /// Written by `--update` (new or changed).
    Written,
    /// `--update` did not write it: the case fails its checks, so its output is not one to
    /// accept. `diff` against the existing snapshot, if any.
    NotWritten {
        diff: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct CaseReport {
    pub result: CaseResult,
    pub snapshot: SnapshotStatus,
}

impl CaseReport {
    pub fn passed(&self) -> bool {
        self.result.passed() && matches!(self.snapshot, SnapshotStatus::Matches | SnapshotStatus::Written)
    }
}

#[derive(Clone, Debug)]
pub struct RuleReport {
    pub code: String,
    pub id: String,
    pub dir: PathBuf,
    /// Problems of the rule directory itself (missing `fires_`/`ok_` cases, a case name that is
    /// neither, a snapshot without a case, a rule that applies to no version).
    pub problems: Vec<String>,
    pub cases: Vec<CaseReport>,
    /// What `--update` did to files other than rewriting snapshots (removed stale ones).
    pub notes: Vec<String>,
}

impl RuleReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.cases.iter().all(CaseReport::passed)
    }
}

#[derive(Clone, Debug)]
pub struct HarnessReport {
    pub root: PathBuf,
    pub rules: Vec<RuleReport>,
}

impl HarnessReport {
    /// (passed, failed): cases that passed; failed cases plus one per rule with problems.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.rules.iter().flat_map(|r| &r.cases).filter(|c| c.passed()).count();
        let failed = self.rules.iter().flat_map(|r| &r.cases).filter(|c| !c.passed()).count()
            + self.rules.iter().filter(|r| !r.problems.is_empty()).count();
        (passed, failed)
    }
    pub fn passed(&self) -> bool {
        self.rules.iter().all(RuleReport::passed)
    }
}

/// Header written before the body of a new snapshot file (the YAML front matter insta reads).
fn default_header(rule: &Rule, case: &str) -> String {
    format!("---\nsource: pg2znb rules test\ndescription: {} {} {case}\n---\n", rule.code, rule.id)
}

/// Split an insta-style snapshot file into (header including both `---` lines, body). A file
/// without front matter is all body.
pub fn split_snapshot(text: &str) -> (&str, &str) {
    if let Some(rest) = text.strip_prefix("---\n") {
        let mut at = 4;
        for line in rest.split_inclusive('\n') {
            at += line.len();
            if line.trim_end() == "---" {
                return (&text[..at], &text[at..]);
            }
        }
    }
    ("", text)
}

fn same_body(a: &str, b: &str) -> bool {
    a.trim_end().replace("\r\n", "\n") == b.trim_end().replace("\r\n", "\n")
}

/// A unified line diff (`-` expected, `+` actual) with three lines of context.
pub fn line_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("snapshot", "actual")
        .to_string()
}

/// Run every rule under `root` (see [`load_pack`] for which pack) against its snapshots; with
/// `update`, write new and changed snapshots and remove those whose case no longer exists.
pub fn run_dir(root: &Path, update: bool) -> Result<HarnessReport, HarnessError> {
    let dirs = rule_dirs(root)?;
    if dirs.is_empty() {
        return Err(HarnessError::NoRules(root.to_path_buf()));
    }
    let pack = load_pack(root)?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let mut rules = Vec::new();
    for rd in &dirs {
        let want = canonical(&rd.rule_file);
        let Some(rule) = pack.rules.iter().find(|r| canonical(Path::new(&r.source)) == want) else {
            return Err(io_error(&rd.rule_file, "the rule file was not loaded into the pack"));
        };
        rules.push(run_rule(&pack, rule, rd, update)?);
    }
    Ok(HarnessReport { root: root.to_path_buf(), rules })
}

fn run_rule(pack: &RulePack, rule: &Rule, rd: &RuleDir, update: bool) -> Result<RuleReport, HarnessError> {
    let mut report = RuleReport {
        code: rule.code.clone(),
        id: rule.id.clone(),
        dir: rd.dir.clone(),
        problems: Vec::new(),
        cases: Vec::new(),
        notes: Vec::new(),
    };
    let kinds: Vec<CaseKind> = rd.cases.iter().map(|c| CaseKind::of(&c.name)).collect();
    if !kinds.contains(&CaseKind::Fires) {
        report.problems.push("no `cases/fires_*.sql` case: add one where the rule reports".into());
    }
    if !kinds.contains(&CaseKind::Ok) {
        report.problems.push("no `cases/ok_*.sql` case: add one where the rule stays silent".into());
    }
    for c in &rd.cases {
        if CaseKind::of(&c.name) == CaseKind::Other {
            report.problems.push(format!("`cases/{}.sql`: a case name starts with `fires_` or `ok_`", c.name));
        }
        if !c.name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
            report.problems.push(format!("`cases/{}.sql`: use letters, digits, `_` and `-` in case names", c.name));
        }
    }
    let opts = match case_options(pack, rule) {
        Ok(o) => o,
        Err(why) => {
            report.problems.push(why);
            return Ok(report);
        }
    };

    let mut names = BTreeSet::new();
    for c in &rd.cases {
        let sql = std::fs::read_to_string(&c.path).map_err(|e| io_error(&c.path, e))?;
        let result = run_case(pack, rule, &c.name, &sql, &opts);
        names.insert(c.name.clone());
        report.cases.push(compare_snapshot(rule, rd, result, update)?);
    }
    if let Some(before) = &rule.docs.before {
        let mut result = run_case(pack, rule, DOCS_CASE, before, &opts);
        if let Some(after) = &rule.docs.after {
            result.failures.extend(check_docs_after(&result, after));
        }
        names.insert(DOCS_CASE.to_string());
        report.cases.push(compare_snapshot(rule, rd, result, update)?);
    }

    if rd.snapshots.is_dir() {
        let entries = std::fs::read_dir(&rd.snapshots).map_err(|e| io_error(&rd.snapshots, e))?;
        let mut stale = Vec::new();
        for e in entries {
            let p = e.map_err(|e| io_error(&rd.snapshots, e))?.path();
            let Some(file) = p.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if let Some(stem) = file.strip_suffix(".snap") {
                if !names.contains(stem) {
                    stale.push((p.clone(), file.to_string()));
                }
            }
        }
        stale.sort();
        for (p, file) in stale {
            if update {
                std::fs::remove_file(&p).map_err(|e| io_error(&p, e))?;
                report.notes.push(format!("removed snapshots/{file} (no such case)"));
            } else {
                report.problems.push(format!("snapshots/{file} has no case (run with --update to remove it)"));
            }
        }
    }
    Ok(report)
}

fn compare_snapshot(rule: &Rule, rd: &RuleDir, result: CaseResult, update: bool) -> Result<CaseReport, HarnessError> {
    let path = rd.snapshots.join(format!("{}.snap", result.name));
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(&path, e)),
    };
    let body = result.snapshot.trim_end().to_string() + "\n";
    let status = match &existing {
        Some(text) if same_body(split_snapshot(text).1, &body) => SnapshotStatus::Matches,
        // A failing case's output is not a reference: writing it would make the failure the
        // expected behaviour for the next run.
        _ if update && !result.passed() => SnapshotStatus::NotWritten {
            diff: existing.as_deref().map(|text| line_diff(split_snapshot(text).1, &body)),
        },
        _ if update => {
            let header = match existing.as_deref().map(split_snapshot) {
                Some((h, _)) if !h.is_empty() => h.to_string(),
                _ => default_header(rule, &result.name),
            };
            std::fs::create_dir_all(&rd.snapshots).map_err(|e| io_error(&rd.snapshots, e))?;
            std::fs::write(&path, header + &body).map_err(|e| io_error(&path, e))?;
            SnapshotStatus::Written
        }
        None => SnapshotStatus::Missing,
        Some(text) => SnapshotStatus::Differs { diff: line_diff(split_snapshot(text).1, &body) },
    };
    Ok(CaseReport { result, snapshot: status })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_insta_front_matter() {
        let text = "---\nsource: tests/rule_cases.rs\nexpression: x\n---\n-- before\nSELECT 1;\n";
        assert_eq!(
            split_snapshot(text),
            ("---\nsource: tests/rule_cases.rs\nexpression: x\n---\n", "-- before\nSELECT 1;\n")
        );
        assert_eq!(split_snapshot("-- before\n"), ("", "-- before\n"));
    }

    #[test]
    fn normalizes_whitespace_around_parentheses() {
        assert_eq!(normalize("CREATE TABLE t (\n    id int ,\n    x text\n);"), "CREATE TABLE t (id int, x text)");
    }

    #[test]
    fn describes_the_first_difference_between_outputs() {
        let a = vec![(Phase::PreData, "CREATE TABLE t (id int);".to_string())];
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b.push((Phase::PostData, "ALTER TABLE t ADD CHECK (id > 0);".to_string()));
        assert_eq!(
            first_difference(&a, &b).unwrap(),
            "statement 2 is post-data `ALTER TABLE t ADD CHECK (id > 0)` instead of nothing"
        );
        b[0].0 = Phase::PostData;
        assert!(first_difference(&a, &b).unwrap().starts_with("statement 1 is post-data `CREATE TABLE t (id int)`"));
    }

    #[test]
    fn trims_leading_blank_lines_only() {
        assert_eq!(trim_blank_lines("\n\n  -- x\nSELECT 1;\n\n"), "  -- x\nSELECT 1;");
    }
}

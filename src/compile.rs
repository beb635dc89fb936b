//! The compile pipeline: scan → parse → lower → rules → order → emit, plus report and manifest.
//! Pure: takes decoded files, returns everything to write; `main.rs` does the I/O.

use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::{self, Scripts};
use crate::ir::{Fate, Ir, Phase};
use crate::manifest::{self, Manifest};
use crate::order::{self, Order};
use crate::parse;
use crate::progress::{Progress, Silent};
use crate::report::{self, Report};
use crate::rules::{self, ApplyOptions, RulePack};
use crate::sanity;
use crate::scan::{self, PieceKind, Scan};
use crate::source::{SourceFile, Span};
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// Wall time of each stage of one compile, for `pg2znb bench` (not part of any output file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StageTimes {
    pub scan: Duration,
    /// Parsing (chunk by chunk, on all cores) and building the IR.
    pub parse_lower: Duration,
    pub rules: Duration,
    /// Re-parsing rewritten statements.
    pub check: Duration,
    pub order: Duration,
    pub report: Duration,
    pub manifest: Duration,
}

pub struct Compilation {
    pub files: Vec<SourceFile>,
    pub ir: Ir,
    pub order: Order,
    pub scripts: Scripts,
    /// In input order (file, position), then by code.
    pub diagnostics: Vec<Diagnostic>,
    pub report: Report,
    pub manifest: Manifest,
    pub times: StageTimes,
}

impl Compilation {
    /// Prints this program's scripts, to `String`s or streamed to files.
    pub fn emitter(&self) -> emit::Emitter<'_> {
        emit::Emitter::new(&self.ir, &self.order, &self.files, &self.report.target)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// Check the conservation invariant (ARCHITECTURE.md): one statement record per statement,
    /// COPY block and meta-command of the input; fates and phases add up; every emitted statement
    /// is in exactly one script's order, merged ones inside a rewritten statement, dropped ones
    /// with a diagnostic inside their span (or labelled at it). For tests and the fuzz target; `Err` says what broke.
    pub fn check_invariants(&self) -> Result<(), String> {
        let s = &self.report.summary;
        let fates: usize = s.fates.values().sum();
        let phases: usize = s.phases.values().sum();
        if fates != s.input_statements || phases != s.input_statements {
            return Err(format!("fates {fates} / phases {phases} do not add up to {} statements", s.input_statements));
        }
        let pieces: usize = self
            .files
            .iter()
            .map(|f| {
                scan::scan(&f.text)
                    .pieces
                    .iter()
                    .filter(|p| matches!(p.kind, PieceKind::Statement | PieceKind::CopyData | PieceKind::Meta))
                    .count()
            })
            .sum();
        // Elements of CREATE SCHEMA are statements of the IR inside their statement's piece.
        let pieces = pieces + self.ir.stmts.iter().filter(|s| s.element_of.is_some()).count();
        if pieces != s.input_statements || pieces != self.ir.stmts.len() {
            return Err(format!(
                "{pieces} input pieces, {} statement records, {} reported",
                self.ir.stmts.len(),
                s.input_statements
            ));
        }
        let mut seen = vec![0usize; self.ir.stmts.len()];
        for p in Phase::ALL {
            for &id in self.order.phase(p) {
                seen[id] += 1;
                if self.ir.stmts[id].phase != p {
                    return Err(format!("statement {id} is listed in {} but its phase differs", p.as_str()));
                }
            }
        }
        for st in &self.ir.stmts {
            let emitted = matches!(st.fate, Fate::Verbatim | Fate::Rewritten) && st.piece != PieceKind::CopyData;
            if seen[st.id] != usize::from(emitted) {
                return Err(format!("statement {} ({}) is in the scripts {} times", st.id, st.kind, seen[st.id]));
            }
            if let Some(host) = st.element_of {
                // Part of its CREATE SCHEMA's text, wherever that goes, unless it moved on its own
                // (then it is in unsupported.sql, and says why below).
                let (h, fate) = (self.ir.stmts[host].fate, st.fate);
                let alone = fate == Fate::Dropped && h != Fate::Dropped && st.unsupported.is_some();
                if !(fate == Fate::Merged && h != Fate::Dropped || fate == Fate::Dropped && h == Fate::Dropped || alone)
                {
                    return Err(format!("element {} ({}) is {fate:?} in a {h:?} CREATE SCHEMA", st.id, st.kind));
                }
                if !alone {
                    continue;
                }
            }
            // Folded into a table created inside CREATE SCHEMA: into the CREATE SCHEMA's text.
            let holder = |t: usize| self.ir.stmts[t].element_of.unwrap_or(t);
            if st.fate == Fate::Merged
                && st.merged_into.is_none_or(|t| self.ir.stmts[holder(t)].fate != Fate::Rewritten)
            {
                return Err(format!("statement {} ({}) is merged into nothing rewritten", st.id, st.kind));
            }
            // A COPY data block is explained by its COPY statement's diagnostic; a statement may
            // also be explained by a label of a finding (`\unrestrict` by its `\restrict`'s).
            let explained_by = self.ir.stmts.iter().find(|s| s.copy_data == Some(st.id)).unwrap_or(st);
            let within = |l: &crate::diagnostic::Location| {
                l.file == explained_by.file
                    && explained_by.span.start <= l.span.start
                    && l.span.end <= explained_by.span.end
            };
            if st.fate == Fate::Dropped
                && !self.diagnostics.iter().any(|d| {
                    d.location.as_ref().is_some_and(within)
                        || d.labels
                            .iter()
                            .any(|l| l.location.file == explained_by.file && l.location.span == explained_by.span)
                })
            {
                return Err(format!("statement {} ({}) was dropped without a diagnostic", st.id, st.kind));
            }
        }
        Ok(())
    }
}

/// The parser's floor: scan every file and parse every statement with `pg_query`, in chunks of
/// [`lower::CHUNK`] on all cores as compile does, keeping nothing. Returns the statements parsed.
/// `pg2znb bench` compares the whole compile with this.
pub fn parse_floor(files: &[SourceFile]) -> usize {
    let mut statements = 0;
    for f in files {
        let texts: Vec<&str> = scan::scan(&f.text).statements().map(|p| f.slice(p.span)).collect();
        for chunk in texts.chunks(crate::lower::CHUNK) {
            statements += parse::parse_all(chunk).len();
        }
    }
    statements
}

/// The whole pipeline; `scripts` holds every script's text.
pub fn compile(files: Vec<SourceFile>, pack: &RulePack, opts: &ApplyOptions) -> Compilation {
    let mut c = compile_unemitted(files, pack, opts);
    c.scripts = c.emitter().scripts();
    c
}

/// The pipeline without printing the scripts: `scripts` is left empty, for callers that stream
/// them with [`Compilation::emitter`] rather than hold them (the CLI: a dump's data can be far
/// larger than the memory one should need to copy it).
pub fn compile_unemitted(files: Vec<SourceFile>, pack: &RulePack, opts: &ApplyOptions) -> Compilation {
    compile_with_progress(files, pack, opts, &Silent)
}

/// [`compile_unemitted`], reporting each stage's progress to `progress`.
pub fn compile_with_progress(
    files: Vec<SourceFile>,
    pack: &RulePack,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Compilation {
    pipeline(files, pack, opts, progress, true)
}

/// The pipeline for `lint`: findings stay where they are (there are no scripts to keep loadable:
/// an error in application SQL is the application's to fix).
pub fn analyse_with_progress(
    files: Vec<SourceFile>,
    pack: &RulePack,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Compilation {
    pipeline(files, pack, opts, progress, false)
}

fn pipeline(
    files: Vec<SourceFile>,
    pack: &RulePack,
    opts: &ApplyOptions,
    progress: &dyn Progress,
    scripts: bool,
) -> Compilation {
    let mut diagnostics = Vec::new();
    let mut times = StageTimes::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        let now = Instant::now();
        *slot = now - clock;
        clock = now;
    };
    let scans: Vec<Scan> = files.iter().map(|f| scan::scan(&f.text)).collect();
    lap(&mut times.scan);
    // One record per statement, COPY block and meta-command: sized once (growing it faulted in
    // and copied the whole vector again at each doubling).
    let (mut statements, mut records) = (0, 0);
    for p in scans.iter().flat_map(|s| &s.pieces) {
        statements += usize::from(p.kind == PieceKind::Statement);
        records += usize::from(matches!(p.kind, PieceKind::Statement | PieceKind::CopyData | PieceKind::Meta));
    }
    progress.stage("parsing", statements as u64);
    let mut ir = Ir::default();
    ir.stmts.reserve_exact(records);
    let blank = if opts.input_checks { Severity::Warning } else { Severity::Info };
    diagnostics.extend(sanity::blank_files(&files, blank));
    for (id, (f, s)) in files.iter().zip(&scans).enumerate() {
        crate::lower::lower_file(&mut ir, id, f, s, &mut diagnostics, progress);
    }
    crate::lower::finish(&mut ir);
    if opts.input_checks {
        diagnostics.extend(sanity::truncation(&ir, &files));
        diagnostics.extend(sanity::duplicates(&mut ir, &files));
        if !opts.psql_restrict {
            diagnostics.extend(sanity::omit_restrict(&mut ir));
        }
    }
    for st in ir.stmts.iter().filter(|s| s.span.len() > parse::LARGE_STATEMENT && !s.parse_error && s.kind == "insert")
    {
        diagnostics.push(
            Diagnostic::new(
                "E004",
                "parse",
                Severity::Info,
                format!(
                    "INSERT of {} MiB analysed from its first row only (a whole parse would need about 100 times its size in memory); it is emitted as written",
                    st.span.len() >> 20
                ),
            )
            .at(st.file, Span::new(st.span.start, st.span.start)),
        );
    }
    lap(&mut times.parse_lower);
    diagnostics.extend(rules::apply(pack, &mut ir, &files, opts, progress));
    lap(&mut times.rules);
    diagnostics.extend(check_rewrites(&mut ir, &files));
    if scripts {
        let along = crate::unsupported::enforce(&mut ir, &files, &mut diagnostics);
        diagnostics.extend(along);
    }
    lap(&mut times.check);
    progress.stage("ordering", 0);
    let (order, order_diags) = order::order(&mut ir);
    diagnostics.extend(order_diags);
    // Elements of CREATE SCHEMA that moved on their own leave its text.
    rules::actions::cut_moved_elements(&mut ir, &files);
    ir.place_prerequisites(&[&order.pre_data, &order.data, &order.post_data]);
    diagnostics.sort_by(|a, b| {
        let k = |d: &Diagnostic| d.location.map(|l| (l.file, l.span.start)).unwrap_or((usize::MAX, 0));
        k(a).cmp(&k(b)).then(a.code.cmp(&b.code))
    });
    lap(&mut times.order);
    let base = pack.targets.base(&opts.target).unwrap_or("11.2");
    let mut report = report::build(&ir, &files, &diagnostics, &opts.target, base);
    report.target_requested.clone_from(&opts.target_requested);
    lap(&mut times.report);
    let mut manifest = manifest::build(&ir, &opts.target);
    if let Some(src) = manifest.source.as_mut() {
        src.database = manifest::dumped_database(&ir, &files);
    }
    lap(&mut times.manifest);
    Compilation { files, ir, order, scripts: Scripts::default(), diagnostics, report, manifest, times }
}

/// Every rewritten statement must still parse; if one does not, its rewrite is undone (and what
/// was merged into it is emitted on its own again), so a rule bug cannot break the output.
fn check_rewrites(ir: &mut Ir, files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // Re-parse in parallel; undo sequentially, in statement order.
    let failed: Vec<(usize, String)> = ir
        .stmts
        .par_iter()
        .filter(|s| s.fate == Fate::Rewritten && !s.target_syntax)
        .filter_map(|s| {
            // A rewrite may emit several statements (e.g. a table plus the trigger that replaces
            // its generated column): all of them must parse.
            // The raw parser alone (no parse tree handed back) is enough to know it parses.
            let text = crate::ir::text::statement_text(s, files);
            pg_query::split_with_parser(&text).err().map(|e| (s.id, e.to_string()))
        })
        .collect();
    for (id, message) in failed {
        let s = &mut ir.stmts[id];
        s.edits.clear();
        s.appended.clear();
        s.fate = Fate::Verbatim;
        let codes = std::mem::take(&mut s.codes).join(", ");
        let (file, span) = (s.file, s.span);
        // What was folded into it, or into one of its elements (CREATE SCHEMA), loads on its own.
        let hosts: Vec<usize> =
            ir.stmts.iter().filter(|e| e.id == id || e.element_of == Some(id)).map(|e| e.id).collect();
        for m in
            ir.stmts.iter_mut().filter(|m| m.merged_into.is_some_and(|t| hosts.contains(&t)) && m.element_of.is_none())
        {
            m.fate = Fate::Verbatim;
            m.merged_into = None;
            m.phase = Phase::PreData;
        }
        diags.push(
            Diagnostic::error(
                "E900",
                "rules",
                format!(
                    "rewrite by {codes} produced SQL that does not parse ({message}); the statement is kept as written"
                ),
            )
            .at(file, span)
            .with_help("this is a bug in a rule; please report it with the statement"),
        );
    }
    diags
}

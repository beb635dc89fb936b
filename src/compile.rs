//! The compile pipeline: scan → parse → lower → rules → order → emit, plus report and manifest.
//! Pure: takes decoded files, returns everything to write; `main.rs` does the I/O.

use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::{self, Scripts};
use crate::ir::{Fate, Ir, Phase};
use crate::manifest::{self, Manifest};
use crate::order::{self, Order};
use crate::parse::{self, Parsed};
use crate::report::{self, Report};
use crate::rules::{self, ApplyOptions, RulePack};
use crate::scan::{self, PieceKind, Scan};
use crate::source::{SourceFile, Span};

pub struct Compilation {
    pub files: Vec<SourceFile>,
    pub ir: Ir,
    pub order: Order,
    pub scripts: Scripts,
    /// In input order (file, position), then by code.
    pub diagnostics: Vec<Diagnostic>,
    pub report: Report,
    pub manifest: Manifest,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Scan and parse every file; statements of all files parse in parallel.
pub fn front_end(files: &[SourceFile]) -> (Vec<Scan>, Vec<Vec<Parsed>>) {
    let scans: Vec<Scan> = files.iter().map(|f| scan::scan(&f.text)).collect();
    let mut texts = Vec::new();
    let mut counts = Vec::new();
    for (f, s) in files.iter().zip(&scans) {
        let before = texts.len();
        texts.extend(s.pieces.iter().filter(|p| p.kind == PieceKind::Statement).map(|p| f.slice(p.span)));
        counts.push(texts.len() - before);
    }
    let mut parsed = parse::parse_all(&texts).into_iter();
    let per_file = counts.iter().map(|&n| parsed.by_ref().take(n).collect()).collect();
    (scans, per_file)
}

pub fn compile(files: Vec<SourceFile>, pack: &RulePack, opts: &ApplyOptions) -> Compilation {
    let mut diagnostics = Vec::new();
    let (scans, parsed) = front_end(&files);
    let mut ir = Ir::default();
    for (id, ((f, s), p)) in files.iter().zip(&scans).zip(parsed).enumerate() {
        if f.text.trim().is_empty() {
            diagnostics.push(
                Diagnostic::warning("E003", "scan", "the file has no statements")
                    .at(id, Span::new(0, 0))
                    .with_help("check that the right file was given (pg_dump writes to stdout unless -f is set)"),
            );
        }
        crate::lower::lower_file(&mut ir, id, f, s, p, &mut diagnostics);
    }
    crate::lower::finish(&mut ir);
    diagnostics.extend(rules::apply(pack, &mut ir, &files, opts));
    diagnostics.extend(check_rewrites(&mut ir, &files));
    let (order, order_diags) = order::order(&mut ir);
    diagnostics.extend(order_diags);
    let scripts = emit::emit(&ir, &order, &files, &opts.target);
    diagnostics.sort_by(|a, b| {
        let k = |d: &Diagnostic| d.location.map(|l| (l.file, l.span.start)).unwrap_or((usize::MAX, 0));
        k(a).cmp(&k(b)).then(a.code.cmp(&b.code))
    });
    let report = report::build(&ir, &files, &diagnostics, &opts.target);
    let manifest = manifest::build(&ir, &opts.target);
    Compilation { files, ir, order, scripts, diagnostics, report, manifest }
}

/// Every rewritten statement must still parse; if one does not, its rewrite is undone (and what
/// was merged into it is emitted on its own again), so a rule bug cannot break the output.
fn check_rewrites(ir: &mut Ir, files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for id in 0..ir.stmts.len() {
        if ir.stmts[id].fate != Fate::Rewritten || ir.stmts[id].target_syntax {
            continue;
        }
        let text = emit::statement_text(&ir.stmts[id], files);
        // A rewrite may emit several statements (e.g. a table plus the trigger that replaces
        // its generated column): all of them must parse.
        if let Err(e) = pg_query::parse(&text, 0) {
            let message = e.to_string();
            let s = &mut ir.stmts[id];
            s.edits.clear();
            s.appended.clear();
            s.fate = Fate::Verbatim;
            let codes = std::mem::take(&mut s.codes).join(", ");
            let (file, span) = (s.file, s.span);
            for m in ir.stmts.iter_mut().filter(|m| m.merged_into == Some(id)) {
                m.fate = Fate::Verbatim;
                m.merged_into = None;
                m.phase = Phase::PreData;
            }
            diags.push(
                Diagnostic::error("E900", "rules", format!("rewrite by {codes} produced SQL that does not parse ({message}); the statement is kept as written"))
                    .at(file, span)
                    .with_help("this is a bug in a rule; please report it with the statement"),
            );
        }
    }
    diags
}

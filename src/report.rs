//! `report.json`: every statement's fate and phase, every diagnostic, with spans into the input.
//! A documented contract (see README): fields are only ever added.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::ir::{Fate, Ir, Phase};
use crate::source::SourceFile;

pub const REPORT_FORMAT: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Report {
    pub format: u32,
    pub tool: Tool,
    pub target: String,
    /// The PostgreSQL version the target's SQL layer is built on (`11.2`, `15`): the engine the
    /// scripts are made to load on.
    pub target_postgres: String,
    /// The version as written (`2.21`, `2.20.3.0-b51`) or as the target reported it, when it
    /// differs from `target`, the known version it resolved to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_requested: Option<String>,
    pub files: Vec<FileEntry>,
    pub summary: Summary,
    pub statements: Vec<StatementEntry>,
    pub diagnostics: Vec<DiagnosticEntry>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: usize,
    pub statements: usize,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub input_statements: usize,
    /// `verbatim`, `rewritten`, `merged`, `dropped`: they add up to `input_statements`.
    pub fates: BTreeMap<&'static str, usize>,
    /// `pre-data`, `data`, `post-data`: they add up to `input_statements`.
    pub phases: BTreeMap<&'static str, usize>,
    /// Diagnostics per severity.
    pub diagnostics: BTreeMap<&'static str, usize>,
    /// Diagnostics per code.
    pub codes: BTreeMap<String, usize>,
    /// Statements per kind.
    pub kinds: BTreeMap<String, usize>,
    /// Statements (and COPY data blocks) moved to `unsupported.sql`.
    pub unsupported: usize,
}

#[derive(Debug, Serialize)]
pub struct StatementEntry {
    pub id: usize,
    pub file: String,
    /// Byte offsets into the file, `[start, end)`.
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub kind: String,
    pub object: Option<String>,
    pub fate: Fate,
    pub phase: Phase,
    /// Rule codes that touched the statement.
    pub rules: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<usize>,
    /// Why the statement moved to a later phase without a rule moving it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DiagnosticEntry {
    pub code: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Other places the finding names (e.g. every statement that moved with one root cause).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelEntry>,
}

#[derive(Debug, Serialize)]
pub struct LabelEntry {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub fn diagnostic_entry(d: &Diagnostic, files: &[SourceFile]) -> DiagnosticEntry {
    let (file, start, end) = match &d.location {
        Some(l) => {
            let f = &files[l.file];
            (Some(f.name.clone()), Some(f.line_col(l.span.start)), Some(f.line_col(l.span.end)))
        }
        None => (None, None, None),
    };
    DiagnosticEntry {
        code: d.code.clone(),
        rule: d.rule.clone(),
        severity: d.severity,
        message: d.message.clone(),
        file,
        line: start.map(|s| s.0),
        column: start.map(|s| s.1),
        end_line: end.map(|e| e.0),
        end_column: end.map(|e| e.1),
        help: d.help.clone(),
        fix: d.fix.clone(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let f = &files[l.location.file];
                let (line, column) = f.line_col(l.location.span.start);
                LabelEntry { file: f.name.clone(), line, column, message: l.message.clone() }
            })
            .collect(),
    }
}

pub fn build(ir: &Ir, files: &[SourceFile], diagnostics: &[Diagnostic], target: &str, target_postgres: &str) -> Report {
    let mut fates: BTreeMap<&'static str, usize> =
        [Fate::Verbatim, Fate::Rewritten, Fate::Merged, Fate::Dropped].iter().map(|f| (f.as_str(), 0)).collect();
    let mut phases: BTreeMap<&'static str, usize> = Phase::ALL.iter().map(|p| (p.as_str(), 0)).collect();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_file = vec![0usize; files.len()];
    let statements = ir
        .stmts
        .iter()
        .map(|s| {
            *fates.get_mut(s.fate.as_str()).unwrap() += 1;
            *phases.get_mut(s.phase.as_str()).unwrap() += 1;
            *kinds.entry(s.kind.clone()).or_default() += 1;
            per_file[s.file] += 1;
            let f = &files[s.file];
            StatementEntry {
                id: s.id,
                file: f.name.clone(),
                start: s.span.start,
                end: s.span.end,
                line: f.line_col(s.span.start).0,
                kind: s.kind.clone(),
                object: s.object.as_ref().map(|o| o.display()),
                fate: s.fate,
                phase: s.phase,
                rules: s.codes.clone(),
                merged_into: s.merged_into,
                phase_reason: s.phase_reason.clone(),
            }
        })
        .collect();
    let mut severities: BTreeMap<&'static str, usize> =
        [Severity::Error, Severity::Warning, Severity::Info].iter().map(|s| (s.as_str(), 0)).collect();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for d in diagnostics {
        *severities.get_mut(d.severity.as_str()).unwrap() += 1;
        *codes.entry(d.code.clone()).or_default() += 1;
    }
    Report {
        format: REPORT_FORMAT,
        tool: Tool { name: "pg2znb", version: env!("CARGO_PKG_VERSION") },
        target: target.to_string(),
        target_postgres: target_postgres.to_string(),
        target_requested: None,
        files: files
            .iter()
            .zip(&per_file)
            .map(|(f, &n)| FileEntry { name: f.name.clone(), bytes: f.text.len(), statements: n })
            .collect(),
        summary: Summary {
            input_statements: ir.stmts.len(),
            fates,
            phases,
            diagnostics: severities,
            codes,
            kinds,
            unsupported: ir.stmts.iter().filter(|s| s.unsupported.is_some()).count(),
        },
        statements,
        diagnostics: diagnostics.iter().map(|d| diagnostic_entry(d, files)).collect(),
    }
}

//! `pg2znb lint`: check application SQL (query files, PL/pgSQL bodies, pg_stat_statements
//! queries) for constructs the target does not support or runs differently.
//!
//! The same pipeline as `compile` (scan, parse, lower, rules) with the rules that match
//! application nodes (`call`, `system_column`, `lock`, `transaction`, `select_locking`, `cursor`,
//! `construct`; see `rules::dml`), target gating included. Before parsing, sqlc's `@name`
//! parameters and psql's `:name` variables are replaced by text of the same length
//! (`prepare`), so every position is a position in the original file. Suppression comments are
//! honoured (`suppress`). With `fix`, rewrites (safe ones, and unsafe ones with `unsafe_fixes`)
//! are applied to the files' text and returned for the caller to write.
//!
//! Pure: the caller reads files and pg_stat_statements exports and writes fixed files.

mod prepare;
mod suppress;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{Fate, ObjKey, ObjKind};
use crate::rules::{dml::is_dml, ApplyOptions, RulePack};
use crate::source::{FileId, SourceFile, Span};

pub use prepare::prepare;
pub use suppress::suppress;

/// One query to lint that does not come from a file, e.g. a pg_stat_statements entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    /// How often it ran (pg_stat_statements `calls`), when known: findings are ranked by it.
    pub calls: Option<u64>,
    /// Where it comes from, shown as its file name: `pgss.csv:42`, `queryid 123456`.
    pub origin: String,
}

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Target version, `select`/`ignore`, `unsafe_fixes` (the other fields do not matter to lint).
    pub apply: ApplyOptions,
    /// Apply fixes and return the fixed file texts.
    pub fix: bool,
}

/// The findings of one query, for ranking by how often it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryFindings {
    /// The query's file in `LintResult::files`.
    pub file: FileId,
    pub origin: String,
    pub calls: Option<u64>,
    /// Codes found, sorted.
    pub codes: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

#[derive(Clone, Debug)]
pub struct LintResult {
    /// The input files, then one file per query (named by its origin), as given.
    pub files: Vec<SourceFile>,
    /// How many of `files` are input files (the rest are queries).
    pub inputs: usize,
    /// Statements linted (all files).
    pub statements: usize,
    /// In file order, then position, then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Queries with findings, the most called first (unknown counts last, then by origin).
    pub queries: Vec<QueryFindings>,
    /// With `fix`: the new text of every input file a fix changed.
    pub fixed: Option<Vec<(FileId, String)>>,
    /// With `fix`: every change made to the input files, in file and position order.
    pub applied: Vec<AppliedFix>,
}

/// One change `--fix` made to an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub file: FileId,
    /// 1-based line of the input where the replaced text starts.
    pub line: usize,
    /// The codes of the findings the change fixes (`ZN829`), sorted.
    pub codes: Vec<String>,
    /// The text replaced, and what replaced it.
    pub before: String,
    pub after: String,
}

impl LintResult {
    /// Error findings, fixed ones excepted (with `fix`, what is left is what counts).
    pub fn has_errors(&self) -> bool {
        self.remaining().any(|d| d.severity == Severity::Error)
    }
    /// The findings a fix did not resolve (all of them without `fix`).
    pub fn remaining(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.fix.as_ref().is_some_and(|f| f.applied))
    }
    /// As `compile`: 0 without error findings, 1 with (usage and I/O errors, 2, are the caller's).
    pub fn exit_code(&self) -> i32 {
        i32::from(self.has_errors())
    }
}

/// The rules of `pack` that lint runs: every rule that fits a statement it reads, each in the
/// way that fits a file that is checked, not converted into load scripts.
///
/// - Application rules as they are: their fixes edit the query in place.
/// - Schema rules with their actions (an action also decides whether there is anything to
///   change), but what they change builds compile's scripts (statements moved to
///   `unsupported.sql`, keys folded, clauses removed) and is never written to the files
///   ([`SCHEMA_CHANGE`]). Rules that only move statements to post-data (`defer`) are left out:
///   load order is a concern of compile's scripts alone.
/// - A rule that adds an extension before the statements that need it (`gen_random_uuid()` and
///   pgcrypto before 2.25) warns instead: queries run on a database that must already have it.
pub fn application_pack(pack: &RulePack) -> RulePack {
    use crate::rules::model::RuleKind;
    use crate::rules::Action;
    let mut rules = Vec::new();
    for r in &pack.rules {
        let mut r = r.clone();
        match &r.action {
            Some(Action::Defer(_)) => continue,
            Some(Action::EnsureExtension { extension, .. }) => {
                let Some(message) = extension_message(r.node, extension) else { continue };
                r.message = message;
                r.severity = Severity::Warning;
                r.help = Some(format!(
                    "Create it once in the database the application uses (`CREATE EXTENSION IF NOT EXISTS {extension};`; \
                     `pg2znb compile` adds it to a converted schema), or target a version that has it built in"
                ));
                r.action = None;
                r.kind = RuleKind::Check;
            }
            _ => {}
        }
        rules.push(r);
    }
    RulePack { targets: pack.targets.clone(), rules }
}

/// What a schema rule's finding says in lint instead of offering a fix.
const SCHEMA_CHANGE: &str = "`pg2znb compile` makes this change in its scripts; lint only reports it";

/// The lint message of a rule that ensures `extension` exists before a statement that needs it.
fn extension_message(node: crate::rules::nodes::NodeKind, extension: &str) -> Option<crate::rules::template::Template> {
    let text = if node == crate::rules::nodes::NodeKind::Call {
        format!(
            "{{call.name}}() is not built into PostgreSQL {{target.postgres}}, the SQL layer of ZNbaseDB {{target.version}}: \
             the database needs the {extension} extension, which provides it"
        )
    } else {
        format!("this statement needs the {extension} extension on ZNbaseDB {{target.version}}")
    };
    crate::rules::template::Template::parse(&text).ok()
}

/// The extensions that rules of `pack` would add (lint warns about the statements that need
/// one unless the input creates it).
fn ensured_extensions(pack: &RulePack) -> Vec<(String, String)> {
    pack.rules
        .iter()
        .filter_map(|r| match &r.action {
            Some(crate::rules::Action::EnsureExtension { extension, .. }) => Some((r.code.clone(), extension.clone())),
            _ => None,
        })
        .collect()
}

/// Lint `files` and `queries` with the application rules of `pack`.
pub fn lint(files: Vec<SourceFile>, queries: Vec<Query>, pack: &RulePack, opts: &LintOptions) -> LintResult {
    lint_with_progress(files, queries, pack, opts, &crate::progress::Silent)
}

/// [`lint`], reporting progress to `progress`.
pub fn lint_with_progress(
    files: Vec<SourceFile>,
    queries: Vec<Query>,
    pack: &RulePack,
    opts: &LintOptions,
    progress: &dyn crate::progress::Progress,
) -> LintResult {
    let inputs = files.len();
    let originals: Vec<SourceFile> =
        files.into_iter().chain(queries.iter().map(|q| SourceFile::new(q.origin.clone(), q.text.clone()))).collect();
    let mut substituted: Vec<Vec<Span>> = Vec::with_capacity(originals.len());
    let prepared: Vec<SourceFile> = originals
        .iter()
        .map(|f| {
            let (text, spans) = prepare(&f.text);
            substituted.push(spans);
            SourceFile::new(f.name.clone(), text)
        })
        .collect();
    let app = application_pack(pack);
    let apply = ApplyOptions { input_checks: false, ..opts.apply.clone() };
    let mut c = crate::compile::analyse_with_progress(prepared, &app, &apply, progress);

    // Schema rules' changes are compile's; a statement they changed is not rewritten by lint.
    let schema_codes: BTreeSet<&str> =
        app.rules.iter().filter(|r| !is_dml(r.node) && r.action.is_some()).map(|r| r.code.as_str()).collect();
    // A rewrite of a statement with substituted parameters would print the substitutes: undo it.
    let mut reverted: BTreeMap<(FileId, usize), &str> = BTreeMap::new();
    for s in c.ir.stmts.iter_mut().filter(|s| s.fate == Fate::Rewritten) {
        let touches =
            substituted[s.file].iter().any(|p| s.edits.iter().any(|e| e.span.start < p.end && p.start < e.span.end))
                || (s.edits.iter().any(|e| e.span.len() >= s.span.len() / 2)
                    && substituted[s.file].iter().any(|p| p.start >= s.span.start && p.end <= s.span.end));
        let schema = s.codes.iter().any(|c| schema_codes.contains(c.as_str()));
        if touches || schema {
            s.edits.clear();
            s.fate = Fate::Verbatim;
            let why = if schema {
                "not applied: compile also changes this schema statement"
            } else {
                "not applied: the statement has sqlc or psql parameters"
            };
            reverted.insert((s.file, s.span.start), why);
        }
    }
    for d in c.diagnostics.iter_mut().filter(|d| schema_codes.contains(d.code.as_str())) {
        d.fix = None;
        d.help = Some(match app.find(&d.code).and_then(|r| r.help.clone()) {
            Some(h) if h.ends_with('.') => format!("{h} {SCHEMA_CHANGE}."),
            h => join_help(&h, SCHEMA_CHANGE),
        });
    }

    // An extension the input creates itself is there for the statements that need it.
    let created: Vec<String> = ensured_extensions(pack)
        .into_iter()
        .filter(|(_, ext)| c.ir.definer(&ObjKey::new(ObjKind::Extension, "", ext)).is_some())
        .map(|(code, _)| code)
        .collect();
    c.diagnostics.retain(|d| !created.contains(&d.code));
    let mut diagnostics = suppress(&originals, &c.ir, std::mem::take(&mut c.diagnostics), pack, &opts.apply, inputs);
    // The scan and parse stages speak of compile's scripts; say what lint does instead.
    for d in diagnostics.iter_mut() {
        match d.code.as_str() {
            "E001" => d.help = Some("the rest of the file was still linted; fix the input and run again".into()),
            "E003" => {
                d.help =
                    Some("check that the right file was given: a file without statements has nothing to lint".into())
            }
            "E002" => {
                d.labels.clear();
                d.help = Some(
                    "fix the statement (PostgreSQL's parser rejects it, and so will the target); nothing in it was checked"
                        .into(),
                );
            }
            _ => {}
        }
    }
    for d in diagnostics.iter_mut() {
        let Some(fix) = d.fix.as_mut() else { continue };
        let loc = d.location.map(|l| (l.file, l.span));
        let stmt = loc.and_then(|(f, sp)| {
            c.ir.stmts
                .iter()
                .find(|s| s.file == f && s.span.start <= sp.start && sp.start < s.span.end.max(s.span.start + 1))
        });
        if let Some(why) = stmt.and_then(|s| reverted.get(&(s.file, s.span.start))).filter(|_| fix.applied) {
            fix.applied = false;
            d.help = Some(join_help(&d.help, why));
        } else if fix.applied && (!opts.fix || loc.is_some_and(|(f, _)| f >= inputs)) {
            fix.applied = false;
            if opts.fix {
                d.help = Some(join_help(&d.help, "queries are not rewritten, only files"));
            } else {
                d.help = Some(join_help(&d.help, "run with --fix to apply it"));
            }
        }
    }
    diagnostics.sort_by(|a, b| {
        let k = |d: &Diagnostic| d.location.map(|l| (l.file, l.span.start)).unwrap_or((usize::MAX, 0));
        k(a).cmp(&k(b)).then(a.code.cmp(&b.code))
    });

    let mut applied = Vec::new();
    let fixed = opts.fix.then(|| {
        let mut out = Vec::new();
        for (id, f) in originals.iter().enumerate().take(inputs) {
            for s in c.ir.stmts.iter().filter(|s| s.file == id && s.fate == Fate::Rewritten) {
                applied.extend(applied_fixes(f, id, s, &diagnostics));
            }
            let mut edits: Vec<&crate::ir::Edit> =
                c.ir.stmts
                    .iter()
                    .filter(|s| s.file == id && s.fate == Fate::Rewritten)
                    .flat_map(|s| s.edits.iter())
                    .collect();
            if edits.is_empty() {
                continue;
            }
            edits.sort_by_key(|e| (e.span.start, e.span.end));
            let mut text = String::with_capacity(f.text.len() + 64);
            let mut at = 0;
            for e in edits {
                text.push_str(&f.text[at..e.span.start.max(at)]);
                text.push_str(&e.insert);
                at = e.span.end.max(at);
            }
            text.push_str(&f.text[at..]);
            out.push((id, text));
        }
        out
    });

    let mut found: Vec<QueryFindings> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| QueryFindings {
            file: inputs + i,
            origin: q.origin.clone(),
            calls: q.calls,
            codes: Vec::new(),
            errors: 0,
            warnings: 0,
            infos: 0,
        })
        .collect();
    for d in &diagnostics {
        let Some(l) = d.location else { continue };
        let Some(q) = l.file.checked_sub(inputs).and_then(|i| found.get_mut(i)) else { continue };
        if !q.codes.contains(&d.code) {
            q.codes.push(d.code.clone());
        }
        match d.severity {
            Severity::Error => q.errors += 1,
            Severity::Warning => q.warnings += 1,
            Severity::Info => q.infos += 1,
        }
    }
    found.retain(|q| !q.codes.is_empty());
    for q in found.iter_mut() {
        q.codes.sort();
    }
    found.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.origin.cmp(&b.origin)));

    let statements = c.ir.stmts.iter().filter(|s| s.piece == crate::scan::PieceKind::Statement).count();
    applied.sort_by_key(|a| (a.file, a.line));
    LintResult { files: originals, inputs, statements, diagnostics, queries: found, fixed, applied }
}

/// The changes `--fix` made to one rewritten statement: per fixed finding, the stretch of text
/// its edits cover (with the finding's own span) before and after; edits no finding covers make
/// one more change, under all the statement's fixed codes.
fn applied_fixes(f: &SourceFile, id: FileId, s: &crate::ir::Stmt, diagnostics: &[Diagnostic]) -> Vec<AppliedFix> {
    let fixed: Vec<(Span, &str)> = diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applied))
        .filter_map(|d| d.location.map(|l| (l, d.code.as_str())))
        .filter(|(l, _)| l.file == id && s.span.start <= l.span.start && l.span.start < s.span.end)
        .map(|(l, code)| (l.span, code))
        .collect();
    let mut edits: Vec<&crate::ir::Edit> = s.edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut used = vec![false; edits.len()];
    let mut groups: Vec<(Vec<String>, Vec<usize>, Span)> = Vec::new();
    for (span, code) in &fixed {
        // Edits touching the finding's span (insertions at its ends included).
        let mine: Vec<usize> = (0..edits.len())
            .filter(|&i| !used[i] && edits[i].span.start <= span.end && span.start <= edits[i].span.end)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let lo = mine.iter().map(|&i| edits[i].span.start).min().unwrap_or(span.start).min(span.start);
        let hi = mine.iter().map(|&i| edits[i].span.end).max().unwrap_or(span.end).max(span.end);
        for &i in &mine {
            used[i] = true;
        }
        groups.push((vec![code.to_string()], mine, Span::new(lo, hi)));
    }
    let rest: Vec<usize> = (0..edits.len()).filter(|&i| !used[i]).collect();
    if !rest.is_empty() {
        let mut codes: Vec<String> = fixed.iter().map(|(_, c)| c.to_string()).collect();
        codes.sort();
        codes.dedup();
        let lo = rest.iter().map(|&i| edits[i].span.start).min().unwrap_or(0);
        let hi = rest.iter().map(|&i| edits[i].span.end).max().unwrap_or(lo);
        groups.push((codes, rest, Span::new(lo, hi)));
    }
    groups
        .into_iter()
        .map(|(codes, mine, region)| {
            let mut after = String::new();
            let mut at = region.start;
            for i in mine {
                let e = edits[i];
                after.push_str(&f.text[at..e.span.start.max(at)]);
                after.push_str(&e.insert);
                at = e.span.end.max(at);
            }
            after.push_str(&f.text[at..region.end.max(at)]);
            AppliedFix {
                file: id,
                line: f.line_col(region.start).0,
                codes,
                before: f.text[region.start..region.end].to_string(),
                after,
            }
        })
        .collect()
}

fn join_help(help: &Option<String>, more: &str) -> String {
    match help {
        Some(h) if !h.is_empty() => format!("{h}; {more}"),
        _ => more.to_string(),
    }
}

//! Trust in "error": an error-severity finding means the target cannot load the statement, so a
//! statement with one never stays in pre-data, data or post-data. After the rules ran, every
//! statement that still carries an error finding moves to `unsupported.sql` under that finding
//! (and `order` moves what needs it along). The exception is a finding inside a function body
//! that the target does not check when the function is created (PL/pgSQL, or any string body
//! under `check_function_bodies = false`): the function loads, and the finding becomes a warning
//! that says the call fails when it runs.

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{Detail, Fate, Ir, Session, StmtId};
use crate::scan::PieceKind;
use crate::source::SourceFile;

/// The statement whose text holds byte `at` of `file` (statements are in input order).
pub fn statement_at(ir: &Ir, file: usize, at: usize) -> Option<StmtId> {
    let i = ir.stmts.partition_point(|s| (s.file, s.span.start) <= (file, at));
    let s = &ir.stmts[i.checked_sub(1)?];
    (s.file == file && (at < s.span.end || s.span.is_empty())).then_some(s.id)
}

/// Where scripts set `check_function_bodies`: (file, statement, whether it turned checks off), in
/// input order. Read once per compile (pg_dump sets it once, at the top).
fn body_check_settings(ir: &Ir, files: &[SourceFile]) -> Vec<(usize, StmtId, bool)> {
    ir.stmts
        .iter()
        .filter(|p| p.session == Session::Setting)
        .filter_map(|p| {
            let text = files[p.file].slice(p.span).to_ascii_lowercase();
            text.contains("check_function_bodies")
                .then(|| (p.file, p.id, text.contains("false") || text.contains("off") || text.contains("'0'")))
        })
        .collect()
}

/// Does the function created by `id` keep its body unchecked until it runs? PL/pgSQL and other
/// procedural languages check only syntax; a SQL string body is checked unless the script turned
/// `check_function_bodies` off first (pg_dump always does). SQL-standard bodies are always checked.
fn body_checked_at_run_time(ir: &Ir, settings: &[(usize, StmtId, bool)], id: StmtId) -> bool {
    let s = &ir.stmts[id];
    let Detail::CreateFunction(f) = &s.detail else { return false };
    if f.sql_body {
        return false;
    }
    if !f.language.eq_ignore_ascii_case("sql") {
        return true;
    }
    settings.iter().rev().find(|&&(file, at, _)| file == s.file && at < id).is_some_and(|&(_, _, off)| off)
}

/// Move every statement that still carries an error finding to `unsupported.sql`, or demote a
/// finding inside a run-time-checked function body to a warning. Returns the findings for what
/// moved along (clauses folded into a moved statement).
pub fn enforce(ir: &mut Ir, files: &[SourceFile], diagnostics: &mut [Diagnostic]) -> Vec<Diagnostic> {
    let mut along = Vec::new();
    let settings = body_check_settings(ir, files);
    // An applied fix made the statement loadable (e.g. an unsafe fix applied with --unsafe-fixes).
    let open = |d: &Diagnostic| d.severity == Severity::Error && !d.fix.as_ref().is_some_and(|f| f.applied);
    for d in diagnostics.iter_mut().filter(|d| open(d)) {
        let Some(loc) = d.location else { continue };
        let Some(mut id) = statement_at(ir, loc.file, loc.span.start) else { continue };
        // A COPY data block that the target rejects is the COPY's problem.
        if ir.stmts[id].piece == PieceKind::CopyData {
            if let Some(c) = ir.stmts.iter().find(|s| s.copy_data == Some(id)) {
                id = c.id;
            }
        }
        // A clause folded into another statement fails there; an element of CREATE SCHEMA
        // fails alone (it leaves its CREATE SCHEMA, whose text drops it after ordering).
        while ir.stmts[id].fate == Fate::Merged && ir.stmts[id].element_of.is_none() {
            match ir.stmts[id].merged_into {
                Some(host) => id = host,
                None => break,
            }
        }
        if ir.stmts[id].fate == Fate::Dropped
            || ir.stmts[id].element_of.is_some_and(|host| ir.stmts[host].fate == Fate::Dropped)
        {
            continue;
        }
        if loc.span.start > ir.stmts[id].span.start && body_checked_at_run_time(ir, &settings, id) {
            d.severity = Severity::Warning;
            d.message.push_str(" (the function is created, but fails on the target when this runs)");
            continue;
        }
        let moved = &ir.stmts[id];
        if !(moved.file == loc.file && moved.span.start <= loc.span.start && loc.span.start <= moved.span.end) {
            d.labels.push(crate::diagnostic::Label {
                location: crate::diagnostic::Location { file: moved.file, span: moved.span },
                message: "this statement moves to unsupported.sql with it".into(),
            });
        }
        let mut note = format!("{}: {}", d.code, d.message);
        if let Some(h) = &d.help {
            note.push_str(&format!("\nhelp: {h}"));
        }
        along.extend(move_statement(ir, id, &d.code, note));
    }
    along
}

/// Take statement `id` out of the scripts into `unsupported.sql` with `note` above it, as written
/// (its rewrites undone); what was folded into it and its COPY data block go with it. Returns a
/// finding for each folded statement that moved along.
pub fn move_statement(ir: &mut Ir, id: StmtId, code: &str, note: String) -> Vec<Diagnostic> {
    let s = &mut ir.stmts[id];
    s.fate = Fate::Dropped;
    s.edits.clear();
    s.folds.clear();
    s.appended.clear();
    s.changes.clear();
    s.target_syntax = false;
    s.add_code(code);
    s.unsupported = Some(note);
    if let Some(c) = s.copy_data {
        ir.stmts[c].fate = Fate::Dropped;
        ir.stmts[c].unsupported = Some(format!("{code}: data of the COPY above"));
    }
    let what = ir.stmts[id].object.as_ref().map(|o| format!("{} {}", ir.stmts[id].kind, o.display()));
    let what = what.unwrap_or_else(|| ir.stmts[id].kind.clone());
    // Clauses folded into it (or into its elements, for CREATE SCHEMA) load with it, so they
    // move with it, as written.
    let mut diags = Vec::new();
    let hosts: Vec<StmtId> =
        ir.stmts[id..].iter().take_while(|e| e.id == id || e.element_of == Some(id)).map(|e| e.id).collect();
    for m in ir.stmts.iter_mut().filter(|m| m.merged_into.is_some_and(|t| hosts.contains(&t))) {
        // An element of CREATE SCHEMA is part of its text: no statement of its own to move.
        // (One that left it on its own earlier is in that text again.)
        if m.element_of == Some(id) {
            m.fate = Fate::Dropped;
            m.moved_with = Some(id);
            m.unsupported = None;
            continue;
        }
        m.fate = Fate::Dropped;
        m.merged_into = None;
        m.moved_with = Some(id);
        let message =
            format!("{} was folded into {what}, which moved to unsupported.sql ({code}); it moved with it", m.kind);
        m.unsupported = Some(format!("E102: {message}"));
        diags.push(
            Diagnostic::warning("E102", "order", message)
                .at(m.file, m.span)
                .with_help("adapt it together with the statement it depends on"),
        );
    }
    diags
}

#[cfg(test)]
mod tests {
    use crate::compile::compile;
    use crate::diagnostic::Severity;
    use crate::ir::Fate;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    fn run(sql: &str) -> crate::compile::Compilation {
        compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default())
    }

    /// A check rule's error (a key on an interval column) moves its statement, and what needs it.
    #[test]
    fn a_statement_with_an_error_finding_leaves_the_scripts_with_its_dependents() {
        let c = run("CREATE TABLE public.t (d interval NOT NULL, n int);\n\
                     ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (d);\n\
                     CREATE VIEW public.v AS SELECT n FROM public.t;\n\
                     CREATE TABLE public.ok (id int PRIMARY KEY);\n");
        assert!(c.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:#?}", c.diagnostics);
        let un = c.scripts.unsupported.as_deref().unwrap_or("");
        assert!(un.contains("CREATE TABLE public.t"), "{un}");
        assert!(un.contains("ADD CONSTRAINT t_pkey"), "{un}");
        assert!(un.contains("CREATE VIEW public.v"), "{un}");
        assert!(!c.scripts.pre_data.contains("public.t "), "{}", c.scripts.pre_data);
        assert!(c.scripts.pre_data.contains("CREATE TABLE public.ok"));
        c.check_invariants().unwrap();
        // No statement that stays in the scripts carries an error.
        for d in c.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            let l = d.location.unwrap();
            let s =
                c.ir.stmts
                    .iter()
                    .find(|s| s.file == l.file && s.span.start <= l.span.start && l.span.start <= s.span.end);
            assert!(s.is_none_or(|s| s.fate == Fate::Dropped), "{d:?}");
        }
    }

    /// A PL/pgSQL body is checked when it runs: the function loads; the finding is a warning.
    #[test]
    fn an_error_inside_a_plpgsql_body_is_a_warning_and_the_function_loads() {
        let c = run("CREATE FUNCTION public.f() RETURNS bigint LANGUAGE plpgsql AS $$\n\
                     BEGIN RETURN txid_current(); END $$;\n");
        assert!(c.scripts.pre_data.contains("CREATE FUNCTION public.f()"), "{}", c.scripts.pre_data);
        let d = c.diagnostics.iter().find(|d| d.code == "ZN804").expect("xid finding");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("fails on the target when this runs"), "{}", d.message);
    }

    /// A statement that does not parse cannot load either.
    #[test]
    fn an_unparsable_statement_moves_to_unsupported() {
        let c = run("CREATE TABLE public.a (id int);\nCREATE TABLE public.b (id int,,);\n");
        assert!(!c.scripts.pre_data.contains("public.b"));
        assert!(c.scripts.unsupported.as_deref().unwrap().contains("CREATE TABLE public.b (id int,,);"));
        c.check_invariants().unwrap();
    }
}

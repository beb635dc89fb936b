//! What the command line writes: output files (atomically) and text for the terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use pg2znb::compile::Compilation;
use pg2znb::render::format::Findings;
use pg2znb::render::human::{render_grouped, Shown};
use pg2znb::report::{diagnostic_entry, DiagnosticEntry};
use pg2znb::rules::{model::RuleKind, model::Safety, Rule, RulePack};

use crate::cli::Format;

/// Marks a directory as pg2znb's, so a later run may overwrite it without `--force`.
const MARKER: &str = ".pg2znb-output";

pub fn prepare_out_dir(dir: &Path, force: bool) -> io::Result<()> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !dir.join(MARKER).exists() && !force {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{}: the directory is not empty and was not written by pg2znb; choose another -o or pass --force",
                    dir.display()
                ),
            ));
        }
    } else {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(dir.join(MARKER), "written by pg2znb compile; safe to delete with the directory\n")
}

/// The files of one run, written to temporary files beside their final names and renamed into
/// place together by [`OutputSet::commit`]: an interrupted or failed run leaves no half-written
/// script under a final name, and no mix of this run's and an earlier run's scripts.
/// Temporary files are removed on error, on drop and on interrupt ([`crate::interrupt`]).
pub struct OutputSet {
    dir: PathBuf,
    /// (temporary, final) paths of the files written so far.
    staged: Vec<(PathBuf, PathBuf)>,
    /// Files of an earlier run this run does not produce, removed at commit.
    stale: Vec<PathBuf>,
}

impl OutputSet {
    pub fn new(dir: &Path) -> Self {
        OutputSet { dir: dir.to_path_buf(), staged: Vec::new(), stale: Vec::new() }
    }

    /// Write the file `name` through `fill` (given a buffered writer) to its temporary file.
    pub fn write(&mut self, name: &str, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let path = self.dir.join(name);
        // The whole name stays in the temporary one: report.json and report.html must not share it.
        let tmp = self.dir.join(format!("{name}.tmp-{}", std::process::id()));
        let file = crate::interrupt::create_temp(&tmp)?;
        self.staged.push((tmp, path));
        let mut w = io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        // On disk before the rename makes it visible under its final name.
        file.sync_all()
    }

    /// `name` is not part of this run's output: remove an earlier run's copy at commit (a stale
    /// `data.sql` would otherwise be loaded by mistake).
    pub fn remove_stale(&mut self, name: &str) {
        self.stale.push(self.dir.join(name));
    }

    /// Rename every file into place and remove stale ones, with interrupts held off.
    pub fn commit(mut self) -> io::Result<()> {
        let staged = std::mem::take(&mut self.staged);
        let stale = std::mem::take(&mut self.stale);
        crate::interrupt::critical(|pending| {
            let mut result = Ok(());
            for (tmp, path) in &staged {
                if result.is_ok() {
                    result = std::fs::rename(tmp, path);
                }
                if result.is_err() {
                    let _ = std::fs::remove_file(tmp);
                }
                pending.retain(|p| p != tmp);
            }
            result?;
            for path in stale {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        return Err(io::Error::new(e.kind(), format!("removing {}: {e}", path.display())))
                    }
                    _ => {}
                }
            }
            Ok(())
        })
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        for (tmp, _) in self.staged.drain(..) {
            let _ = std::fs::remove_file(&tmp);
            crate::interrupt::forget(&tmp);
        }
    }
}

/// One file written like an [`OutputSet`]: to a temporary file, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut set = OutputSet::new(dir);
    set.write(&name.to_string_lossy(), |w| w.write_all(bytes))?;
    set.commit()
}

use pg2znb::text::count as plural;

/// Errors and warnings grouped by code (info findings with `--show-info`), at most 50 without
/// `--show-all`; what is left out is counted, with how to see it.
pub fn human_diagnostics(c: &Compilation, pack: &RulePack, color: bool, shown: crate::cli::ShownArgs) -> String {
    let findings = Findings::new(&c.diagnostics, &c.files, pack);
    let shown = Shown {
        limit: shown.limit(),
        info: shown.show_info,
        more_hint: "pass --show-all, or see report.json",
        info_hint: "pass --show-info, or see report.json",
    };
    render_grouped(&findings, color, &shown)
}

/// `, resolved from 2.21` when the version asked for is not the known version compiled for.
pub fn resolved_from(requested: Option<&str>) -> String {
    requested.map(|r| format!(", resolved from {r}")).unwrap_or_default()
}

pub fn human_summary(c: &Compilation, out_dir: &Path) -> String {
    let s = &c.report.summary;
    let mut out = String::new();
    let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    let shown = if names.len() > 3 { format!("{} files", names.len()) } else { names.join(", ") };
    let _ = writeln!(
        out,
        "pg2znb: compiled {shown} for ZNbaseDB {}{} ({})",
        c.report.target,
        resolved_from(c.report.target_requested.as_deref()),
        plural(s.input_statements, "statement", "statements")
    );
    let mut objects: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for o in &c.manifest.objects {
        let k = match o.kind {
            pg2znb::manifest::ObjectKind::Table => ("tables", "table"),
            pg2znb::manifest::ObjectKind::Index => ("indexes", "index"),
            pg2znb::manifest::ObjectKind::Constraint => ("constraints", "constraint"),
            pg2znb::manifest::ObjectKind::Sequence => ("sequences", "sequence"),
            pg2znb::manifest::ObjectKind::View => ("views", "view"),
            pg2znb::manifest::ObjectKind::MaterializedView => ("materialized views", "materialized view"),
            pg2znb::manifest::ObjectKind::Function | pg2znb::manifest::ObjectKind::Procedure => {
                ("functions", "function")
            }
            pg2znb::manifest::ObjectKind::Trigger => ("triggers", "trigger"),
            pg2znb::manifest::ObjectKind::Type | pg2znb::manifest::ObjectKind::Domain => ("types", "type"),
            _ => continue,
        };
        *objects.entry(k).or_default() += 1;
    }
    let objs: Vec<String> = objects.iter().map(|((many, one), n)| plural(*n, one, many)).collect();
    if !objs.is_empty() {
        let _ = writeln!(out, "  objects:  {}", objs.join(", "));
    }
    let fates: Vec<String> = ["verbatim", "rewritten", "merged", "dropped"]
        .iter()
        .map(|k| format!("{} {k}", s.fates.get(k).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(out, "  fates:    {}", fates.join(", "));
    let phases: Vec<String> = pg2znb::ir::Phase::ALL
        .iter()
        .map(|p| format!("{} {}", p.as_str(), s.phases.get(p.as_str()).copied().unwrap_or(0)))
        .collect();
    let _ = writeln!(out, "  phases:   {}", phases.join(", "));
    let mut by_code: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for d in &c.diagnostics {
        if d.fix.as_ref().is_some_and(|f| f.applied) {
            *by_code.entry((d.code.as_str(), d.rule.as_str())).or_default() += 1;
        }
    }
    if !by_code.is_empty() {
        let list: Vec<String> = by_code.iter().map(|((code, id), n)| format!("{code} {id} ×{n}")).collect();
        let _ = writeln!(out, "  rewrites: {}", list.join(", "));
    }
    let sev = |k: &str| s.diagnostics.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "  findings: {}, {}, {}",
        plural(sev("error"), "error", "errors"),
        plural(sev("warning"), "warning", "warnings"),
        plural(sev("info"), "info", "info")
    );
    let load = if c.emitter().has(pg2znb::emit::ScriptKind::Data) {
        "pre-data.sql, data.sql and post-data.sql"
    } else {
        "pre-data.sql and post-data.sql"
    };
    let _ = writeln!(
        out,
        "  loads:    {load} load on PostgreSQL {} (the engine of ZNbaseDB {}); {} to unsupported.sql",
        c.report.target_postgres,
        c.report.target,
        plural(s.unsupported, "statement moved", "statements moved")
    );
    let mut written: Vec<&str> = c.emitter().present().into_iter().map(|k| k.file_name()).collect();
    written.extend(["report.json", "report.html", "manifest.json"]);
    let _ = writeln!(out, "  wrote:    {}/{{{}}}", out_dir.display(), written.join(", "));
    out
}

#[derive(serde::Serialize)]
pub struct JsonFindings<'a> {
    pub summary: &'a pg2znb::report::Summary,
    pub diagnostics: Vec<DiagnosticEntry>,
}

pub fn json_findings(c: &Compilation) -> JsonFindings<'_> {
    JsonFindings {
        summary: &c.report.summary,
        diagnostics: c.diagnostics.iter().map(|d| diagnostic_entry(d, &c.files)).collect(),
    }
}

fn kind_str(r: &Rule) -> &'static str {
    match r.kind {
        RuleKind::Rewrite => "rewrite",
        RuleKind::Check => "check",
    }
}

fn safety_str(r: &Rule) -> &'static str {
    match (r.kind, r.safety) {
        (RuleKind::Check, _) => "-",
        (_, Safety::Safe) => "safe",
        (_, Safety::Unsafe) => "unsafe",
    }
}

pub fn rules_list(pack: &RulePack, format: Format) -> String {
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = pack
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "id": r.id, "kind": kind_str(r), "severity": r.severity,
                        "fix": safety_str(r), "until": r.until_name, "node": r.node_name,
                        "summary": r.summary, "source": r.source,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
        }
        Format::Human => {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{:<6} {:<32} {:<8} {:<8} {:<6} {:<7} summary",
                "code", "id", "kind", "severity", "fix", "until"
            );
            for r in &pack.rules {
                let _ = writeln!(
                    out,
                    "{:<6} {:<32} {:<8} {:<8} {:<6} {:<7} {}",
                    r.code,
                    r.id,
                    kind_str(r),
                    r.severity.as_str(),
                    safety_str(r),
                    r.until_name.as_deref().unwrap_or("-"),
                    r.summary
                );
            }
            out
        }
    }
}

pub fn explain(r: &Rule, pack: &RulePack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}: {}", r.code, r.id, r.summary);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "kind: {} · severity: {} · fix: {} · matches: {}{}",
        kind_str(r),
        r.severity.as_str(),
        safety_str(r),
        r.node_name,
        r.condition_src.as_deref().map(|c| format!(" where {c}")).unwrap_or_default()
    );
    match &r.until_name {
        Some(u) => {
            let _ = writeln!(out, "applies to targets before {u} (default target {})", pack.targets.default);
        }
        None => {
            let _ = writeln!(out, "applies to every target version");
        }
    }
    let _ = writeln!(out, "\nWhy\n{}", indent(&r.docs.why));
    if let Some(b) = &r.docs.before {
        let _ = writeln!(out, "Before\n{}", indent(b));
    }
    if let Some(a) = &r.docs.after {
        let _ = writeln!(out, "After\n{}", indent(a));
    }
    if let Some(h) = &r.help {
        let _ = writeln!(out, "What to do\n{}", indent(h));
    }
    out
}

fn indent(s: &str) -> String {
    s.trim_end().lines().map(|l| format!("    {l}\n")).collect()
}

/// `pg2znb rules test`: one line per rule, the failures and snapshot diffs under it, then
/// `N passed, M failed` alone on the last line.
pub fn rules_test(report: &pg2znb::rules::harness::HarnessReport) -> String {
    use pg2znb::rules::harness::SnapshotStatus;
    let mut out = String::new();
    for r in &report.rules {
        let failed = r.cases.iter().filter(|c| !c.passed()).count();
        let status = if r.passed() { "ok  " } else { "FAIL" };
        let detail = if failed > 0 { format!(", {failed} failed") } else { String::new() };
        let _ = writeln!(out, "{status} {} {} ({}{detail})", r.code, r.id, plural(r.cases.len(), "case", "cases"));
        for p in &r.problems {
            let _ = writeln!(out, "     {}: {p}", r.dir.display());
        }
        for n in &r.notes {
            let _ = writeln!(out, "     {n}");
        }
        for c in &r.cases {
            let name = &c.result.name;
            for f in &c.result.failures {
                let _ = writeln!(out, "     {name}: {f}");
            }
            match &c.snapshot {
                SnapshotStatus::Matches => {}
                SnapshotStatus::Written => {
                    let _ = writeln!(out, "     {name}: wrote snapshots/{name}.snap");
                }
                SnapshotStatus::Missing => {
                    let _ = writeln!(out, "     {name}: no snapshots/{name}.snap (run with --update to write it)");
                }
                SnapshotStatus::NotWritten { diff } => {
                    let _ = writeln!(
                        out,
                        "     {name}: snapshots/{name}.snap not written: the case fails its checks (fix them first)"
                    );
                    for line in diff.iter().flat_map(|d| d.lines()) {
                        let _ = writeln!(out, "       {line}");
                    }
                }
                SnapshotStatus::Differs { diff } => {
                    let _ = writeln!(out, "     {name}: differs from snapshots/{name}.snap (--update accepts it):");
                    for line in diff.lines() {
                        let _ = writeln!(out, "       {line}");
                    }
                }
            }
        }
    }
    let (passed, failed) = report.counts();
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn files_appear_only_at_commit_and_all_together() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.sql"), "stale").unwrap();
        let mut out = OutputSet::new(dir.path());
        out.write("pre-data.sql", |w| w.write_all(b"SELECT 1;\n")).unwrap();
        out.write("post-data.sql", |w| w.write_all(b"SELECT 2;\n")).unwrap();
        out.remove_stale("data.sql");
        let pid = std::process::id();
        assert_eq!(
            names(dir.path()),
            ["data.sql".to_string(), format!("post-data.sql.tmp-{pid}"), format!("pre-data.sql.tmp-{pid}")]
        );
        out.commit().unwrap();
        assert_eq!(names(dir.path()), ["post-data.sql", "pre-data.sql"]);
        assert_eq!(std::fs::read_to_string(dir.path().join("pre-data.sql")).unwrap(), "SELECT 1;\n");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputSet::new(dir.path());
        out.write("pre-data.sql", |w| w.write_all(b"SELECT 1;\n")).unwrap();
        let err = out.write("post-data.sql", |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        drop(out);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }
}

//! `report.html`: report.json for people. One self-contained file (inline CSS, JS and SVG; no
//! network, no external fonts) rendered from the same data as report.json (the compile's
//! [`Report`], with the statements' text and what moved with what from the IR): the summary,
//! findings grouped by code, what went to `unsupported.sql` and why, the dependency graph of
//! what moved or changed ([`super::graph`]), the phases with their statements, and a search box
//! that filters findings and statements in the page (`?q=TEXT` applies one at load).
//!
//! Streams to any `io::Write`; every text from the input is escaped ([`Esc`]); no clock, no
//! map iteration order: the same input gives the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use crate::compile::Compilation;
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::ScriptKind;
use crate::ir::{Fate, Phase, Stmt, StmtId};
use crate::report::DiagnosticEntry;
use crate::rules::RulePack;
use crate::scan::PieceKind;
use crate::text::count;

/// Locations listed per code; the rest are counted (report.json has them all).
pub const LOCATIONS_PER_CODE: usize = 500;
/// Statements listed per phase; the rest are counted.
pub const STATEMENTS_PER_PHASE: usize = 3000;
/// Lines and bytes of a statement excerpt.
const EXCERPT_LINES: usize = 12;
const EXCERPT_BYTES: usize = 1200;

/// Text escaped for HTML element content and attribute values (`&`, `<`, `>`, quotes; NUL, which
/// HTML does not allow, as U+FFFD).
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'', '\0']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => "\u{FFFD}",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// The first lines of a statement, `…` when cut.
fn excerpt(text: &str) -> String {
    let text = text.trim_matches('\n');
    let mut end = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some((at, _)) = text[..end].match_indices('\n').nth(EXCERPT_LINES - 1) {
        end = at;
    }
    if end < text.len() {
        format!("{}\n…", &text[..end])
    } else {
        text.to_string()
    }
}

/// The first line of a statement, at most 100 characters.
fn first_line(text: &str) -> String {
    let line = text.trim_start().lines().next().unwrap_or("");
    match line.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None if text.trim().lines().nth(1).is_some() => format!("{line} …"),
        None => line.to_string(),
    }
}

const STYLE: &str = r#"
:root{--fg:#1d2330;--muted:#5d6675;--line:#dde2ea;--bg:#f6f7f9;--card:#fff;--err:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32;--moved:#fde7e7;--changed:#fff4dc}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{position:sticky;top:0;z-index:2;background:#1d2330;color:#fff;padding:10px 24px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header h1{font-size:17px;margin:0;font-weight:600}
header nav a{color:#c9d4ea;margin-right:12px;text-decoration:none}
header input{margin-left:auto;width:340px;max-width:100%;padding:6px 10px;border-radius:6px;border:0;font:inherit}
#shown{color:#c9d4ea;font-size:12px}
main{padding:8px 24px 40px;max-width:1400px}
section{margin-top:22px}
h2{font-size:16px;margin:0 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:130px}
.card dt{font-size:12px;color:var(--muted)}.card dd{margin:0;font-size:22px;font-weight:600}.card dd.sub{font-size:12px;font-weight:400;color:var(--muted)}
.card.error dd.n{color:var(--err)}.card.warning dd.n{color:var(--warn)}.card.info dd.n{color:var(--info)}.card.unsupported dd.n{color:var(--err)}
table{border-collapse:collapse;background:var(--card);border:1px solid var(--line);width:100%}
th,td{text-align:left;padding:4px 8px;border-top:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;background:var(--line);margin:4px 0 10px;max-width:700px}
.bar span{display:block;height:100%}
.b-verbatim,.b-pre-data{background:#90a4ae}.b-rewritten,.b-data{background:#f0b429}.b-merged,.b-post-data{background:#4f8fd6}.b-dropped{background:var(--err)}
.legend span{margin-right:14px;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
details.group{background:var(--card);border:1px solid var(--line);border-radius:8px;margin-bottom:10px}
details.group>summary{cursor:pointer;padding:8px 12px;font-weight:600}
details.group>summary .title{font-weight:400}
details.group>summary .count{color:var(--muted);font-weight:400;margin-left:6px}
.help{margin:0 12px 8px;color:var(--muted)}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;margin-right:4px}
.sev.error{background:var(--err)}.sev.warning{background:var(--warn)}.sev.info{background:var(--info)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
pre{margin:4px 0;padding:6px 8px;background:#f3f5f8;border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;word-break:break-word;max-height:260px;overflow:auto}
.fix{margin-top:4px}.fix .lbl{font-size:12px;color:var(--ok);font-weight:600}
.ba{display:grid;grid-template-columns:1fr auto 1fr;gap:6px;align-items:start}.ba .arrow{padding-top:10px;color:var(--muted)}
.loc{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.codes code{background:#eef1f5;border-radius:3px;padding:0 3px;margin-right:2px}
.why{color:var(--err)}.along{color:var(--muted);font-size:12px}
.more{color:var(--muted);font-style:italic}
#graph-box{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:auto;max-height:720px}
#graph-svg .node rect{stroke-width:1.2}
#graph-svg .node.moved rect{fill:var(--moved);stroke:var(--err)}
#graph-svg .node.changed rect{fill:var(--changed);stroke:var(--warn)}
#graph-svg .node text{font:12px ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;fill:var(--fg)}
#graph-svg .edge{fill:none;stroke:#7d8796;stroke-width:1.2}
#graph-svg .arrowhead{fill:#7d8796}
tr.phase-head td{background:#eef1f5;font-weight:600}
[hidden]{display:none!important}
"#;

/// Filters rows (findings and statements) by the search box; `?q=TEXT` fills it at load. Holds
/// no data from the input.
const SCRIPT: &str = r#"
(function () {
  var box = document.getElementById('q');
  var rows = Array.prototype.slice.call(document.querySelectorAll('.row'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('.group'));
  var shown = document.getElementById('shown');
  function apply() {
    var q = box.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var hit = q === '' || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) { n++; }
    });
    groups.forEach(function (g) { g.hidden = g.querySelector('.row:not([hidden])') === null; });
    shown.textContent = q === '' ? rows.length + ' rows' : n + ' of ' + rows.length + ' rows match';
  }
  box.addEventListener('input', apply);
  var q = new URLSearchParams(window.location.search).get('q');
  if (q !== null) { box.value = q; }
  apply();
})();
"#;

/// A finding with its report.json entry (file:line:col).
type Located<'c> = (&'c Diagnostic, &'c DiagnosticEntry);

/// What report.html needs beyond the compilation: titles of the codes.
struct Page<'a> {
    c: &'a Compilation,
    pack: &'a RulePack,
}

/// Write report.html for `c` to `w` (which the caller should buffer).
pub fn write(w: &mut dyn Write, c: &Compilation, pack: &RulePack) -> io::Result<()> {
    let p = Page { c, pack };
    let r = &c.report;
    writeln!(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(w, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")?;
    writeln!(w, "<title>pg2znb report: {}</title>", Esc(&inputs_line(c)))?;
    writeln!(w, "<style>{STYLE}</style>\n</head>\n<body>")?;
    writeln!(
        w,
        "<header><h1>pg2znb report</h1><nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a>\
         <a href=\"#unsupported\">Unsupported</a><a href=\"#graph\">Graph</a><a href=\"#phases\">Phases</a></nav>\
         <input id=\"q\" type=\"search\" placeholder=\"Filter findings and statements: code, file, object, SQL\" \
         aria-label=\"filter findings and statements\"><span id=\"shown\"></span></header>\n<main>"
    )?;
    p.summary(w)?;
    p.findings(w)?;
    p.unsupported(w)?;
    p.graph(w)?;
    p.phases(w)?;
    writeln!(w, "<p class=\"more\">{} {} · report format {}</p>", r.tool.name, Esc(r.tool.version), r.format)?;
    writeln!(w, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>")
}

fn inputs_line(c: &Compilation) -> String {
    let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    if names.len() > 3 {
        format!("{} files", names.len())
    } else {
        names.join(", ")
    }
}

/// `file:line` of a statement.
fn at(c: &Compilation, s: &Stmt) -> String {
    let f = &c.files[s.file];
    format!("{}:{}", f.name, f.line_col(s.span.start).0)
}

/// `kind object`.
fn what(s: &Stmt) -> String {
    match &s.object {
        Some(o) => format!("{} {}", s.kind, o.display()),
        None => s.kind.clone(),
    }
}

fn source_text<'c>(c: &'c Compilation, s: &Stmt) -> &'c str {
    c.files[s.file].slice(s.span)
}

/// A stacked bar and its legend for counts in a fixed order.
fn bar(w: &mut dyn Write, counts: &[(&str, usize)]) -> io::Result<()> {
    let total: usize = counts.iter().map(|(_, n)| n).sum::<usize>().max(1);
    write!(w, "<div class=\"bar\">")?;
    for (k, n) in counts.iter().filter(|(_, n)| *n > 0) {
        // Per mille, in integers: the same bytes on every machine.
        let pm = n * 1000 / total;
        write!(w, "<span class=\"b-{k}\" style=\"width:{}.{}%\" title=\"{k}: {n}\"></span>", pm / 10, pm % 10)?;
    }
    write!(w, "</div><div class=\"legend\">")?;
    for (k, n) in counts {
        write!(w, "<span><i class=\"b-{k}\"></i>{k} <b id=\"n-{k}\">{n}</b></span>")?;
    }
    writeln!(w, "</div>")
}

impl Page<'_> {
    fn summary(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = self.c;
        let r = &c.report;
        let s = &r.summary;
        let sev = |k: &str| s.diagnostics.get(k).copied().unwrap_or(0);
        writeln!(w, "<section id=\"summary\"><h2>Summary</h2>\n<dl class=\"cards\">")?;
        let requested = r.target_requested.as_deref().map(|q| format!(", resolved from {q}")).unwrap_or_default();
        writeln!(
            w,
            "<div class=\"card\"><dt>Target</dt><dd id=\"target\">ZNbaseDB {}</dd><dd class=\"sub\" id=\"engine\">PostgreSQL {} engine{}</dd></div>",
            Esc(&r.target),
            Esc(&r.target_postgres),
            Esc(&requested)
        )?;
        writeln!(
            w,
            "<div class=\"card\"><dt>Inputs</dt><dd class=\"n\" id=\"n-inputs\">{}</dd></div>\
             <div class=\"card\"><dt>Statements</dt><dd class=\"n\" id=\"n-statements\">{}</dd></div>",
            r.files.len(),
            s.input_statements
        )?;
        for (k, label) in [("error", "Errors"), ("warning", "Warnings"), ("info", "Info")] {
            writeln!(w, "<div class=\"card {k}\"><dt>{label}</dt><dd class=\"n\" id=\"n-{k}\">{}</dd></div>", sev(k))?;
        }
        writeln!(
            w,
            "<div class=\"card unsupported\"><dt>Moved to unsupported.sql</dt><dd class=\"n\" id=\"n-unsupported\">{}</dd></div>\n</dl>",
            s.unsupported
        )?;
        let data = c.emitter().has(ScriptKind::Data);
        let load = if data { "pre-data.sql, data.sql and post-data.sql" } else { "pre-data.sql and post-data.sql" };
        writeln!(
            w,
            "<p id=\"loads\">{load} load on PostgreSQL {} (the engine of ZNbaseDB {}); {} to unsupported.sql.</p>",
            Esc(&r.target_postgres),
            Esc(&r.target),
            count(s.unsupported, "statement moved", "statements moved")
        )?;
        writeln!(w, "<div class=\"grid\"><div><h3>Fates</h3>")?;
        let fates: Vec<(&str, usize)> = ["verbatim", "rewritten", "merged", "dropped"]
            .iter()
            .map(|k| (*k, s.fates.get(k).copied().unwrap_or(0)))
            .collect();
        bar(w, &fates)?;
        writeln!(w, "<h3>Phases</h3>")?;
        let phases: Vec<(&str, usize)> =
            Phase::ALL.iter().map(|p| (p.as_str(), s.phases.get(p.as_str()).copied().unwrap_or(0))).collect();
        bar(w, &phases)?;
        writeln!(
            w,
            "</div><div><h3>Inputs</h3><table id=\"inputs\"><tr><th>file</th><th>bytes</th><th>statements</th></tr>"
        )?;
        for f in &r.files {
            writeln!(
                w,
                "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                Esc(&f.name),
                f.bytes,
                f.statements
            )?;
        }
        writeln!(w, "</table>")?;
        writeln!(w, "<h3>Findings by code</h3><table id=\"codes\"><tr><th>code</th><th>findings</th></tr>")?;
        for (code, n) in &s.codes {
            writeln!(
                w,
                "<tr><td><a href=\"#code-{0}\"><code>{0}</code></a> {1}</td><td class=\"num\" data-code=\"{0}\">{n}</td></tr>",
                Esc(code),
                Esc(self.title(code))
            )?;
        }
        writeln!(w, "</table></div></div></section>")
    }

    /// A code's one-line title: the rule's summary, or the `E…` code's.
    fn title(&self, code: &str) -> &str {
        match (self.pack.find(code), crate::codes::find(code)) {
            (Some(r), _) => &r.summary,
            (None, Some(c)) => c.summary,
            (None, None) => "",
        }
    }

    fn findings(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = self.c;
        writeln!(w, "<section id=\"findings\"><h2>Findings</h2>")?;
        // By severity (errors first), then code; locations in input order.
        let mut groups: BTreeMap<(std::cmp::Reverse<Severity>, &str), Vec<Located>> = BTreeMap::new();
        for (d, e) in c.diagnostics.iter().zip(&c.report.diagnostics) {
            groups.entry((std::cmp::Reverse(d.severity), d.code.as_str())).or_default().push((d, e));
        }
        if groups.is_empty() {
            writeln!(w, "<p>No findings.</p>")?;
        }
        // A code can come in two severities (a finding in a run-time-checked body is a warning):
        // the first of its groups is the one the codes table links to.
        let mut anchored = std::collections::BTreeSet::new();
        for ((std::cmp::Reverse(severity), code), list) in &groups {
            let head = list[0].0;
            let id = if anchored.insert(*code) { format!(" id=\"code-{}\"", Esc(code)) } else { String::new() };
            writeln!(
                w,
                "<details class=\"group\" open{6} data-code=\"{0}\" data-severity=\"{1}\" data-count=\"{2}\">\
                 <summary><span class=\"sev {1}\">{1}</span> <code>{0}</code> <span class=\"mono\">{3}</span> \
                 <span class=\"title\">{4}</span><span class=\"count\">{5}</span></summary>",
                Esc(code),
                severity.as_str(),
                list.len(),
                Esc(&head.rule),
                Esc(self.title(code)),
                count(list.len(), "finding", "findings"),
                id,
            )?;
            if let Some(h) = &head.help {
                writeln!(w, "<p class=\"help\">help: {}</p>", Esc(h))?;
            }
            writeln!(w, "<table><tbody>")?;
            for (d, e) in list.iter().take(LOCATIONS_PER_CODE) {
                self.finding(w, d, e, head.help.as_deref())?;
            }
            if list.len() > LOCATIONS_PER_CODE {
                writeln!(
                    w,
                    "<tr><td colspan=\"2\" class=\"more\">… {} more: see report.json</td></tr>",
                    list.len() - LOCATIONS_PER_CODE
                )?;
            }
            writeln!(w, "</tbody></table></details>")?;
        }
        writeln!(w, "</section>")
    }

    fn finding(&self, w: &mut dyn Write, d: &Diagnostic, e: &DiagnosticEntry, help: Option<&str>) -> io::Result<()> {
        let c = self.c;
        let loc = match (&e.file, e.line, e.column) {
            (Some(f), Some(l), Some(col)) => format!("{f}:{l}:{col}"),
            (Some(f), _, _) => f.clone(),
            _ => "(no position)".into(),
        };
        write!(
            w,
            "<tr class=\"row finding\" data-code=\"{}\" data-severity=\"{}\"><td class=\"loc\">{}</td><td>\
             <span class=\"codes\"><code>{}</code></span> {}",
            Esc(&d.code),
            d.severity.as_str(),
            Esc(&loc),
            Esc(&d.code),
            Esc(&d.message)
        )?;
        if let Some(h) = d.help.as_deref().filter(|h| Some(*h) != help) {
            write!(w, "<div class=\"help\">help: {}</div>", Esc(h))?;
        }
        let stmt = d.location.and_then(|l| crate::unsupported::statement_at(&c.ir, l.file, l.span.start));
        if let Some(s) = stmt.map(|id| &c.ir.stmts[id]) {
            let before = source_text(c, s);
            write!(w, "<pre>{}</pre>", Esc(&excerpt(before)))?;
            if let Some(fix) = &d.fix {
                self.fix(w, s, fix)?;
            }
        } else if let Some(fix) = &d.fix {
            write!(w, "<div class=\"fix\"><span class=\"lbl\">fix</span> {}</div>", Esc(&fix.description))?;
        }
        writeln!(w, "</td></tr>")
    }

    /// A fix: what it did (before → after, the statement as loaded now), or what it would do.
    fn fix(&self, w: &mut dyn Write, s: &Stmt, fix: &crate::diagnostic::Fix) -> io::Result<()> {
        let c = self.c;
        if !fix.applied {
            let how = if fix.safe { "suggested fix" } else { "suggested fix (unsafe: pass --unsafe-fixes to apply)" };
            return write!(w, "<div class=\"fix\"><span class=\"lbl\">{how}</span> {}</div>", Esc(&fix.description));
        }
        // A clause folded into another statement is loaded as part of it (of its CREATE SCHEMA,
        // for a table created inside one).
        let host = match (s.fate, s.merged_into) {
            (Fate::Merged, Some(h)) => &c.ir.stmts[c.ir.stmts[h].element_of.unwrap_or(h)],
            _ => s,
        };
        match host.fate {
            Fate::Rewritten => {
                let after = crate::ir::text::statement_text(host, &c.files);
                let into = if host.id != s.id { format!(" (folded into {} at {})", what(host), at(c, host)) } else { String::new() };
                write!(
                    w,
                    "<div class=\"fix\"><span class=\"lbl\">fixed</span> {}{}<div class=\"ba\"><pre>{}</pre><span class=\"arrow\">→</span><pre>{}</pre></div></div>",
                    Esc(&fix.description),
                    Esc(&into),
                    Esc(&excerpt(source_text(c, s))),
                    Esc(&excerpt(&after))
                )
            }
            Fate::Dropped => write!(
                w,
                "<div class=\"fix\"><span class=\"lbl\">fix undone</span> {}: the statement moved to unsupported.sql</div>",
                Esc(&fix.description)
            ),
            _ => write!(w, "<div class=\"fix\"><span class=\"lbl\">fixed</span> {}</div>", Esc(&fix.description)),
        }
    }

    fn unsupported(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = self.c;
        let moved: Vec<&Stmt> =
            c.ir.stmts.iter().filter(|s| s.unsupported.is_some() && s.piece != PieceKind::CopyData).collect();
        // What moved along with each statement (it needs it, or was folded into it).
        let mut along: BTreeMap<StmtId, Vec<StmtId>> = BTreeMap::new();
        for s in &moved {
            if let Some(b) = s.moved_with {
                along.entry(b).or_default().push(s.id);
            }
        }
        let blocks = c.ir.stmts.iter().filter(|s| s.unsupported.is_some() && s.piece == PieceKind::CopyData).count();
        let blocks = if blocks > 0 {
            format!(" and {}", count(blocks, "COPY data block", "COPY data blocks"))
        } else {
            String::new()
        };
        writeln!(
            w,
            "<section id=\"unsupported\"><h2>unsupported.sql: {}{blocks}</h2>",
            count(moved.len(), "statement", "statements")
        )?;
        if moved.is_empty() {
            return writeln!(w, "<p>Nothing moved to unsupported.sql: everything loads.</p></section>");
        }
        writeln!(w, "<table id=\"unsupported-list\"><tr><th>where</th><th>statement and why</th></tr>")?;
        for s in moved {
            let note = s.unsupported.as_deref().unwrap_or_default();
            let (why, rest) = note.split_once('\n').unwrap_or((note, ""));
            write!(
                w,
                "<tr class=\"row moved\" data-id=\"{}\"><td class=\"loc\">{}</td><td><b class=\"mono\">{}</b> \
                 <span class=\"codes\">{}</span><div class=\"why\">{}</div>",
                s.id,
                Esc(&at(c, s)),
                Esc(&what(s)),
                s.codes.iter().map(|k| format!("<code>{}</code>", Esc(k))).collect::<String>(),
                Esc(why)
            )?;
            for line in rest.lines() {
                write!(w, "<div class=\"help\">{}</div>", Esc(line))?;
            }
            if let Some(b) = s.moved_with {
                let host = &c.ir.stmts[b];
                write!(w, "<div class=\"along\">moved with {} at {}</div>", Esc(&what(host)), Esc(&at(c, host)))?;
            }
            if let Some(list) = along.get(&s.id) {
                let names: Vec<String> = list.iter().map(|&i| what(&c.ir.stmts[i])).collect();
                write!(w, "<div class=\"along\">took along: {}</div>", Esc(&names.join(", ")))?;
            }
            if s.copy_data.is_some() {
                write!(w, "<div class=\"along\">with its COPY data</div>")?;
            }
            writeln!(w, "<pre>{}</pre></td></tr>", Esc(&excerpt(source_text(c, s))))?;
        }
        writeln!(w, "</table></section>")
    }

    fn graph(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = self.c;
        let layout = super::graph::layout(&c.ir, &c.order, &c.files);
        let moved = layout.nodes.iter().filter(|n| n.class == super::graph::NodeClass::Moved).count();
        writeln!(
            w,
            "<section id=\"graph\"><h2>Dependency graph of what moved or changed</h2>\
             <p class=\"legend\"><span><i style=\"background:#fde7e7;border:1px solid #c62828\"></i>moved to unsupported.sql ({moved})</span>\
             <span><i style=\"background:#fff4dc;border:1px solid #b26a00\"></i>rewritten ({})</span>\
             <span>an arrow points from a statement to what needs it or moved with it</span></p>",
            layout.nodes.len() - moved
        )?;
        if layout.nodes.is_empty() {
            return writeln!(w, "<p>Nothing moved or changed.</p></section>");
        }
        write!(w, "<div id=\"graph-box\">")?;
        super::graph::write_svg(w, &layout)?;
        writeln!(w, "</div>")?;
        if layout.omitted > 0 {
            writeln!(
                w,
                "<p class=\"more\">… {} more not drawn (the first {} in input order are)</p>",
                count(layout.omitted, "statement", "statements"),
                super::graph::MAX_NODES
            )?;
        }
        writeln!(w, "</section>")
    }

    fn phases(&self, w: &mut dyn Write) -> io::Result<()> {
        let c = self.c;
        // Statements folded into each host, listed under it.
        let mut merged: BTreeMap<StmtId, Vec<StmtId>> = BTreeMap::new();
        for s in c.ir.stmts.iter().filter(|s| s.fate == Fate::Merged) {
            if let Some(h) = s.merged_into {
                merged.entry(c.ir.stmts[h].element_of.unwrap_or(h)).or_default().push(s.id);
            }
        }
        writeln!(w, "<section id=\"phases\"><h2>Phases, in load order</h2>")?;
        for p in Phase::ALL {
            let list = c.order.phase(p);
            let folded: usize = list.iter().map(|id| merged.get(id).map_or(0, Vec::len)).sum();
            let folded = if folded > 0 { format!(", {folded} folded into them") } else { String::new() };
            writeln!(
                w,
                "<details class=\"group\" data-phase=\"{0}\"{1}><summary>{0} <span class=\"count\">{2} in {0}.sql{folded}</span></summary>\
                 <table><tr><th>#</th><th>where</th><th>statement</th><th>fate</th><th>rules</th><th>text</th></tr>",
                p.as_str(),
                if p == Phase::Data { "" } else { " open" },
                count(list.len(), "statement", "statements"),
            )?;
            for &id in list.iter().take(STATEMENTS_PER_PHASE) {
                self.statement_row(w, &c.ir.stmts[id], None)?;
                for &m in merged.get(&id).into_iter().flatten() {
                    self.statement_row(w, &c.ir.stmts[m], Some(id))?;
                }
            }
            if list.len() > STATEMENTS_PER_PHASE {
                writeln!(
                    w,
                    "<tr><td colspan=\"6\" class=\"more\">… {} more: see report.json</td></tr>",
                    list.len() - STATEMENTS_PER_PHASE
                )?;
            }
            writeln!(w, "</table></details>")?;
        }
        let moved: Vec<&Stmt> =
            c.ir.stmts.iter().filter(|s| s.unsupported.is_some() && s.piece != PieceKind::CopyData).collect();
        writeln!(
            w,
            "<details class=\"group\" data-phase=\"unsupported\" open><summary>unsupported <span class=\"count\">{} in unsupported.sql</span></summary>\
             <table><tr><th>#</th><th>where</th><th>statement</th><th>fate</th><th>rules</th><th>text</th></tr>",
            count(moved.len(), "statement", "statements")
        )?;
        for s in moved.iter().take(STATEMENTS_PER_PHASE) {
            self.statement_row(w, s, None)?;
        }
        writeln!(w, "</table></details></section>")
    }

    fn statement_row(&self, w: &mut dyn Write, s: &Stmt, host: Option<StmtId>) -> io::Result<()> {
        let c = self.c;
        let fate = match host {
            Some(h) => format!("merged into #{h}"),
            None => s.fate.as_str().to_string(),
        };
        writeln!(
            w,
            "<tr class=\"row statement\" data-id=\"{}\"><td class=\"num\">{}</td><td class=\"loc\">{}</td><td class=\"mono\">{}{}</td>\
             <td>{}</td><td class=\"codes\">{}</td><td><code>{}</code></td></tr>",
            s.id,
            s.id,
            Esc(&at(c, s)),
            Esc(&what(s)),
            s.phase_reason.as_deref().map(|r| format!("<div class=\"along\">{}</div>", Esc(r))).unwrap_or_default(),
            Esc(&fate),
            s.codes.iter().map(|k| format!("<code>{}</code>", Esc(k))).collect::<String>(),
            Esc(&first_line(source_text(c, s)))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        let s = "a</script><b x=\"1\" y='2'>&amp;\0";
        assert_eq!(Esc(s).to_string(), "a&lt;/script&gt;&lt;b x=&quot;1&quot; y=&#39;2&#39;&gt;&amp;amp;\u{FFFD}");
    }

    #[test]
    fn excerpts_are_cut_on_lines_and_char_boundaries() {
        let long: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let e = excerpt(&long);
        assert_eq!(e.lines().count(), EXCERPT_LINES + 1);
        assert!(e.ends_with('…'));
        let wide = "é".repeat(EXCERPT_BYTES);
        assert!(excerpt(&wide).ends_with('…'));
        assert_eq!(excerpt("SELECT 1;"), "SELECT 1;");
        assert_eq!(first_line("CREATE TABLE t (\n id int);"), "CREATE TABLE t ( …");
    }
}

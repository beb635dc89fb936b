//! Human output: findings grouped by code (one header with the rule and its help, then a code
//! frame or one line per location), via miette for the frames.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::text::count;

use super::format::Findings;

/// Render one diagnostic as a code frame with its code and help; `color` for terminals.
pub fn render(d: &Diagnostic, files: &[SourceFile], color: bool) -> String {
    frame(d, files, color, true, None)
}

/// Code frames per code before the remaining locations of that code are one line each.
pub const FRAMES_PER_CODE: usize = 3;

/// What a terminal is shown, and how to see the rest.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    /// At most this many findings (frames and lines); `None` for all.
    pub limit: Option<usize>,
    /// Show info findings too (otherwise only counted).
    pub info: bool,
    /// How to see findings past the limit, e.g. `pass --show-all, or see report.json`.
    pub more_hint: &'a str,
    /// How to see info findings, e.g. `pass --show-info, or see report.json`.
    pub info_hint: &'a str,
}

impl Shown<'_> {
    /// Everything, nothing counted away.
    pub const ALL: Shown<'static> = Shown { limit: None, info: true, more_hint: "", info_hint: "" };
}

/// Findings grouped by code, like ruff and clippy, codes in the order they first appear (input
/// order for compile, most called query first for lint `--pgss`); per code a header (severity, code, rule id, count and
/// the help once), then a code frame for the first [`FRAMES_PER_CODE`] locations and one
/// `file:line:col: message` line for the others. A finding in a pg_stat_statements query says
/// how often the query is called. Stops at `shown.limit` findings and says how many were not
/// shown, and how many info findings were left out, with how to see them.
pub fn render_grouped(f: &Findings, color: bool, shown: &Shown) -> String {
    let mut groups: BTreeMap<usize, Vec<&Diagnostic>> = BTreeMap::new();
    let mut first: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    let mut info_hidden = 0;
    for (i, d) in f.diagnostics.iter().enumerate() {
        if d.severity == Severity::Info && !shown.info {
            info_hidden += 1;
            continue;
        }
        let at = *first.entry((d.code.as_str(), d.severity)).or_insert(i);
        groups.entry(at).or_default().push(d);
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let limit = shown.limit.unwrap_or(usize::MAX);
    let mut out = String::new();
    let mut printed = 0;
    for ds in groups.values() {
        if printed >= limit {
            break;
        }
        let head = ds[0];
        let _ = writeln!(
            out,
            "{}[{}] {}: {}",
            head.severity.as_str(),
            head.code,
            head.rule,
            count(ds.len(), "finding", "findings")
        );
        if let Some(h) = &head.help {
            out.push_str(&wrapped("  help: ", h));
        }
        out.push('\n');
        for (i, d) in ds.iter().enumerate() {
            if printed >= limit {
                break;
            }
            printed += 1;
            let calls = f.query_of(d).and_then(|q| q.calls).map(|n| count(n as usize, "call", "calls"));
            let other_help = d.help.as_ref().filter(|h| Some(*h) != head.help.as_ref());
            if i < FRAMES_PER_CODE {
                let mut d = (*d).clone();
                if other_help.is_none() {
                    d.help = None;
                }
                out.push_str(&frame(&d, f.files, color, false, calls.as_deref()));
                out.push('\n');
            } else {
                let _ = write!(out, "  {}: {}", position(f, d), d.message);
                if let Some(c) = &calls {
                    let _ = write!(out, " ({c})");
                }
                out.push('\n');
                if let Some(h) = other_help {
                    out.push_str(&wrapped("    help: ", h));
                }
            }
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    if total > printed {
        let what = match shown.info {
            true => "findings",
            false => "errors and warnings",
        };
        let _ = writeln!(out, "… {} more {what} not shown: {}\n", total - printed, shown.more_hint);
    }
    if info_hidden > 0 {
        let _ =
            writeln!(out, "{} not shown: {}\n", count(info_hidden, "info finding", "info findings"), shown.info_hint);
    }
    out
}

/// `file:line:col` of a finding (the query's origin for a pg_stat_statements query).
fn position(f: &Findings, d: &Diagnostic) -> String {
    match &d.location {
        Some(loc) => {
            let file = &f.files[loc.file];
            let (line, col) = file.line_col(loc.span.start);
            format!("{}:{line}:{col}", file.name)
        }
        None => "(no position)".to_string(),
    }
}

/// `prefix` then `text` wrapped at 110 columns, continuation lines indented under the text.
fn wrapped(prefix: &str, text: &str) -> String {
    const WIDTH: usize = 110;
    let indent = " ".repeat(prefix.chars().count());
    let mut out = String::new();
    for (p, para) in text.trim_end().lines().enumerate() {
        let mut line = String::from(if p == 0 { prefix } else { indent.as_str() });
        let mut empty = true;
        for word in para.split_whitespace() {
            if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
                out.push_str(&line);
                out.push('\n');
                line = indent.clone();
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One diagnostic as a code frame; without its code line when `code` is false (the group
/// header has it); `calls` is appended to the message.
fn frame(d: &Diagnostic, files: &[SourceFile], color: bool, code: bool, calls: Option<&str>) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(110);
    let message = match calls {
        Some(c) => format!("{} ({c})", d.message),
        None => d.message.clone(),
    };
    let mut md = MietteDiagnostic::new(message).with_severity(match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    });
    if code {
        md = md.with_code(d.code.clone());
    }
    if let Some(h) = &d.help {
        md = md.with_help(h.clone());
    }
    let mut out = String::new();
    match &d.location {
        Some(loc) => {
            let f = &files[loc.file];
            // Point at the first line only: a whole statement as a label is noise.
            let first_line_end =
                f.text[loc.span.start..loc.span.end].find('\n').map(|i| loc.span.start + i).unwrap_or(loc.span.end);
            let mut labels =
                vec![LabeledSpan::new_primary_with_span(None, (loc.span.start, first_line_end - loc.span.start))];
            // Many labels (a root cause's dependents) would stretch the code frame over the whole
            // file: then only those within a few lines are drawn, and the others counted.
            let crowded = d.labels.len() > 8;
            let line = |at: usize| f.line_col(at).0;
            let near = |l: &crate::diagnostic::Label| {
                l.location.file == loc.file
                    && (!crowded || line(l.location.span.start).abs_diff(line(loc.span.start)) <= 12)
            };
            let far = if crowded { d.labels.iter().filter(|l| !near(l)).count() } else { 0 };
            if far > 0 {
                let more = format!("{far} more place(s) listed in report.json and report.html");
                let help = d.help.as_ref().map_or(more.clone(), |h| format!("{h}; {more}"));
                md = md.with_help(help);
            }
            for l in d.labels.iter().filter(|l| near(l)) {
                if l.location.span != loc.span {
                    let end = f.text[l.location.span.start..l.location.span.end]
                        .find('\n')
                        .map(|i| l.location.span.start + i)
                        .unwrap_or(l.location.span.end);
                    labels.push(LabeledSpan::new_with_span(
                        Some(l.message.clone()),
                        (l.location.span.start, end - l.location.span.start),
                    ));
                }
            }
            let window = Window::around(f, &labels);
            let labels = labels
                .into_iter()
                .map(|l| {
                    let span = (l.offset() - window.start, l.len());
                    let label = l.label().map(String::from);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(label, span)
                    } else {
                        LabeledSpan::new_with_span(label, span)
                    }
                })
                .collect::<Vec<_>>();
            md = md.with_labels(labels);
            let report = miette::Report::new(md).with_source_code(window);
            let _ = handler.render_report(&mut out, report.as_ref());
        }
        None => {
            let _ = handler.render_report(&mut out, &md);
        }
    }
    out
}

/// The lines of a file around a diagnostic's labels, with their real line numbers: miette reads
/// a plain string source from its start to find a span's line, which took seconds per finding
/// on a dump of hundreds of MB.
struct Window {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    start: usize,
    /// Zero-based line of `start`.
    line: usize,
}

impl Window {
    fn around(f: &SourceFile, labels: &[LabeledSpan]) -> Window {
        let lo = labels.iter().map(|l| l.offset()).min().unwrap_or(0).min(f.text.len());
        let hi = labels.iter().map(|l| l.offset() + l.len()).max().unwrap_or(0).min(f.text.len());
        // One line of context either side, as the handler shows.
        let (line, _) = f.line_col(lo);
        let first = line.saturating_sub(2);
        let start = f.line_start(first).unwrap_or(0);
        let (last, _) = f.line_col(hi);
        let end = f.line_start(last + 1).unwrap_or(f.text.len());
        Window { name: f.name.clone(), text: f.text[start..end].to_string(), start, line: first }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::format::{Queries, QueryOrigin};
    use crate::rules::RulePack;
    use crate::source::Span;

    fn warn(i: usize) -> Diagnostic {
        Diagnostic::warning("ZN302", "some-rule", format!("finding {i}"))
            .at(0, Span::new(i * 10, i * 10 + 8))
            .with_help("the same help for every finding")
    }

    /// A root cause with many dependents far apart: the frame stays around the finding, and the
    /// labels outside it are counted.
    #[test]
    fn many_far_labels_are_counted_not_drawn() {
        let text: String = (0..400).map(|i| format!("SELECT {i};\n")).collect();
        let files = vec![SourceFile::new("q.sql", text)];
        let mut d = Diagnostic::warning("E102", "order", "20 statements need t").at(0, Span::new(0, 9));
        for i in 0..20 {
            let at = files[0].text.find(&format!("SELECT {};", i * 5)).unwrap();
            d = d.with_label(0, Span::new(at, at + 9), format!("needs t ({i})"));
        }
        let out = render(&d, &files, false);
        assert!(out.contains("needs t (1)") && out.contains("needs t (2)"), "{out}");
        assert!(!out.contains("needs t (3)") && !out.contains("SELECT 95;"), "{out}");
        assert!(out.contains("17 more place(s) listed in report.json"), "{out}");
        assert!(out.lines().count() < 40, "{out}");
    }

    #[test]
    fn findings_are_grouped_by_code_with_the_help_once() {
        let text: String = (0..8).map(|i| format!("SELECT {i};\n")).collect();
        let files = vec![SourceFile::new("q.sql", text)];
        let pack = RulePack::builtin().unwrap();
        let mut diags: Vec<Diagnostic> = (0..6).map(warn).collect();
        diags.insert(2, Diagnostic::error("E002", "parse", "does not parse").at(0, Span::new(70, 78)));
        diags.push(Diagnostic::new("E003", "input", Severity::Info, "a note").at(0, Span::new(0, 1)));
        let f = Findings::new(&diags, &files, &pack);
        let shown = Shown { limit: None, info: false, more_hint: "MORE", info_hint: "INFO" };
        let out = render_grouped(&f, false, &shown);
        // One header per code, in the order codes first appear.
        let headers: Vec<&str> = out.lines().filter(|l| l.contains('[') && !l.starts_with(' ')).collect();
        assert_eq!(headers, ["warning[ZN302] some-rule: 6 findings", "error[E002] parse: 1 finding"], "{out}");
        assert_eq!(out.matches("the same help for every finding").count(), 1, "{out}");
        // Three frames, then one line per location, in input order.
        assert_eq!(out.matches("╭─[q.sql:").count(), 4, "{out}");
        assert!(out.contains("  q.sql:4:1: finding 3\n  q.sql:5:1: finding 4\n  q.sql:6:1: finding 5\n"), "{out}");
        assert!(out.ends_with("1 info finding not shown: INFO\n\n"), "{out}");

        let limited = render_grouped(&f, false, &Shown { limit: Some(5), ..shown });
        assert!(limited.contains("  q.sql:5:1: finding 4\n"), "{limited}");
        assert!(!limited.contains("finding 5") && !limited.contains("E002"), "{limited}");
        assert!(limited.contains("… 2 more errors and warnings not shown: MORE\n"), "{limited}");

        let all = render_grouped(&f, false, &Shown::ALL);
        assert!(all.contains("info[E003] input: 1 finding"), "{all}");
        assert!(!all.contains("not shown"), "{all}");
        assert_eq!(render_grouped(&f, false, &shown), out, "deterministic");
    }

    #[test]
    fn a_query_finding_says_how_often_the_query_is_called() {
        let files = vec![SourceFile::new("pgss.csv:line 3", "SELECT 1;")];
        let pack = RulePack::builtin().unwrap();
        let diags = vec![warn(0)];
        let origin = QueryOrigin {
            origin: "pgss.csv:line 3".into(),
            calls: Some(1200),
            export: "pgss.csv".into(),
            line: 3,
            multiline: true,
        };
        let queries: Queries = [(0, origin)].into_iter().collect();
        let f = Findings::new(&diags, &files, &pack).with_queries(&queries);
        let out = render_grouped(&f, false, &Shown::ALL);
        assert!(out.contains("finding 0 (1200 calls)"), "{out}");
    }
}

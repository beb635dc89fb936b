//! Human output: code frames with line:column and a help line, via miette.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, SourceCode,
    SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

/// Render one diagnostic; `color` for terminals.
pub fn render(d: &Diagnostic, files: &[SourceFile], color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(110);
    let mut md = MietteDiagnostic::new(d.message.clone()).with_code(d.code.clone()).with_severity(match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    });
    if let Some(h) = &d.help {
        md = md.with_help(h.clone());
    }
    let mut out = String::new();
    match &d.location {
        Some(loc) => {
            let f = &files[loc.file];
            let (line, col) = f.line_col(loc.span.start);
            // Point at the first line only: a whole statement as a label is noise.
            let first_line_end =
                f.text[loc.span.start..loc.span.end].find('\n').map(|i| loc.span.start + i).unwrap_or(loc.span.end);
            let _ = (line, col); // shown by miette in the frame header
            let mut labels =
                vec![LabeledSpan::new_primary_with_span(None, (loc.span.start, first_line_end - loc.span.start))];
            for l in &d.labels {
                if l.location.file == loc.file && l.location.span != loc.span {
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

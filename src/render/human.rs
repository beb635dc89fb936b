//! Human output: code frames with line:column and a help line, via miette.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

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
            md = md.with_labels(labels);
            let report = miette::Report::new(md).with_source_code(NamedSource::new(f.name.clone(), f.text.clone()));
            let _ = handler.render_report(&mut out, report.as_ref());
        }
        None => {
            let _ = handler.render_report(&mut out, &md);
        }
    }
    out
}

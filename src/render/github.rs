//! `--format github`: GitHub Actions workflow commands, one line per diagnostic, which GitHub
//! shows as annotations on the files of a pull request:
//!
//! ```text
//! ::error file=db/structure.sql,line=4,col=37,endLine=4,endColumn=38,title=E002 parse::syntax error at or near ","
//! ```
//!
//! Errors are `::error`, warnings `::warning`, info `::notice`. The help line and a query's
//! pg_stat_statements origin follow the message on lines of their own.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};

use super::format::Findings;

/// A message: `%`, CR and LF are percent-encoded (GitHub's workflow-command rules).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A property value: as a message, and `:` and `,` too.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command for a diagnostic, without the final newline.
pub fn annotation(f: &Findings, d: &Diagnostic) -> String {
    let mut props: Vec<String> = Vec::new();
    let query = f.query_of(d);
    if let Some(l) = &d.location {
        let src = &f.files[l.file];
        let (sl, sc) = src.line_col(l.span.start);
        let (el, ec) = src.line_col(l.span.end);
        match query {
            Some(q) => {
                // The export quotes the query, so only its lines are the query's.
                let (sl, el) = q.export_lines(sl, el);
                props.push(format!("file={}", escape_property(&q.export)));
                props.push(format!("line={sl}"));
                props.push(format!("endLine={el}"));
            }
            None => {
                props.push(format!("file={}", escape_property(&src.name)));
                props.push(format!("line={sl}"));
                props.push(format!("col={sc}"));
                props.push(format!("endLine={el}"));
                props.push(format!("endColumn={ec}"));
            }
        }
    }
    props.push(format!("title={}", escape_property(&format!("{} {}", d.code, d.rule))));
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        let _ = write!(message, "\nhelp: {h}");
    }
    if let Some(q) = query {
        let calls = q.calls.map(|n| format!("{n} calls")).unwrap_or_else(|| "calls unknown".into());
        let _ = write!(message, "\nquery: {} ({calls})", q.origin);
    }
    format!("::{} {}::{}", command(d.severity), props.join(","), escape_data(&message))
}

/// Every diagnostic as a workflow command, one per line.
pub fn render(f: &Findings) -> String {
    let mut out = String::new();
    for d in f.diagnostics {
        out.push_str(&annotation(f, d));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::format::{Queries, QueryOrigin};
    use crate::rules::RulePack;
    use crate::source::{SourceFile, Span};

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(escape_data("50% done\r\nnext: a,b"), "50%25 done%0D%0Anext: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotations_have_positions_title_and_level() {
        let files = vec![SourceFile::new("db/a,b.sql", "SELECT 1;\nCREATE TABLE t2 (id int,, x int);\n")];
        let pack = RulePack::builtin().unwrap();
        let diags = vec![
            Diagnostic::error("E002", "parse", "syntax error at or near \",\"").at(0, Span::new(33, 34)),
            Diagnostic::warning("ZN999", "some-rule", "50% of it\nand more").at(0, Span::new(0, 9)).with_help("fix"),
            Diagnostic::new("ZN998", "info-rule", Severity::Info, "fyi"),
        ];
        let out = render(&Findings::new(&diags, &files, &pack));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=db/a%2Cb.sql,line=2,col=24,endLine=2,endColumn=25,title=E002 parse::syntax error at or near \",\""
        );
        assert_eq!(
            lines[1],
            "::warning file=db/a%2Cb.sql,line=1,col=1,endLine=1,endColumn=10,title=ZN999 some-rule::50%25 of it%0Aand more%0Ahelp: fix"
        );
        assert_eq!(lines[2], "::notice title=ZN998 info-rule::fyi");

        let queries: Queries = [(
            0,
            QueryOrigin {
                origin: "x.csv:row 2".into(),
                calls: Some(7),
                export: "x.csv".into(),
                line: 3,
                multiline: true,
            },
        )]
        .into_iter()
        .collect();
        let out = render(&Findings::new(&diags[..1], &files, &pack).with_queries(&queries));
        assert_eq!(
            out,
            "::error file=x.csv,line=4,endLine=4,title=E002 parse::syntax error at or near \",\"%0Aquery: x.csv:row 2 (7 calls)\n"
        );
    }
}

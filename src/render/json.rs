//! `--format json`: findings as one stable JSON document. A contract for scripts: fields are only
//! ever added, and `format` changes only if one changes meaning or goes away.
//!
//! ```json
//! {
//!   "format": 1,
//!   "tool": { "name": "pg2znb", "version": "0.1.0" },
//!   "summary": {
//!     "diagnostics": { "error": 1, "info": 0, "warning": 1 },
//!     "codes": { "E002": 1, "ZN301": 1 }
//!   },
//!   "diagnostics": [
//!     {
//!       "code": "ZN301", "rule": "some-rule", "severity": "warning", "message": "…",
//!       "file": "pgss.csv:line 4", "line": 1, "column": 8, "end_line": 1, "end_column": 20,
//!       "help": "…", "fix": null,
//!       "query": { "origin": "pgss.csv:line 4", "calls": 1234, "export": "pgss.csv", "line": 4, "text": "SELECT …" }
//!     }
//!   ]
//! }
//! ```
//!
//! - `summary.diagnostics` counts per severity (all three keys always present), `summary.codes`
//!   per code.
//! - Each diagnostic has the fields of `report.json`'s diagnostics: `code`, `rule`, `severity`
//!   (`error`/`warning`/`info`), `message`, `file`, `line`, `column`, `end_line`, `end_column`
//!   (1-based; columns in characters; the end is exclusive; all `null` without a location),
//!   `help`, `fix` (`description`, `safe`, `applied`, or `null`), and `labels` when the finding
//!   names other places (`file`, `line`, `column`, `message`; absent otherwise).
//! - `query`, only for a finding in a query from a pg_stat_statements export: `origin`
//!   (`EXPORT:line N`, the line where the query text starts), `calls` (or `null`), the `export`
//!   file and the `line` of it where the query starts, and the query `text`. Then `file` is the
//!   origin, and `line`/`column` count within the query text.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::report::{diagnostic_entry, DiagnosticEntry, Tool};

use super::format::Findings;

pub const JSON_FORMAT: u32 = 1;

#[derive(Debug, Serialize)]
pub struct JsonFindings {
    /// 1; bumped only if a field changes meaning or goes away.
    pub format: u32,
    pub tool: Tool,
    pub summary: JsonSummary,
    pub diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Debug, Serialize)]
pub struct JsonSummary {
    /// Diagnostics per severity: `error`, `warning`, `info` (always all three).
    pub diagnostics: BTreeMap<&'static str, usize>,
    /// Diagnostics per code.
    pub codes: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    #[serde(flatten)]
    pub entry: DiagnosticEntry,
    /// Present when the diagnostic is in a query read from a pg_stat_statements export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<JsonQuery>,
}

#[derive(Debug, Serialize)]
pub struct JsonQuery {
    /// `EXPORT:line N`, the line of the export where the query text starts.
    pub origin: String,
    /// `calls` from the export (`null` when it has no such column).
    pub calls: Option<u64>,
    /// The export file and the line of it where the query starts.
    pub export: String,
    pub line: usize,
    /// The query text.
    pub text: String,
}

/// The document, for callers that embed or inspect it.
pub fn document(f: &Findings) -> JsonFindings {
    let mut severities: BTreeMap<&'static str, usize> =
        [Severity::Error, Severity::Warning, Severity::Info].iter().map(|s| (s.as_str(), 0)).collect();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for d in f.diagnostics {
        *severities.entry(d.severity.as_str()).or_default() += 1;
        *codes.entry(d.code.clone()).or_default() += 1;
    }
    let diagnostics = f
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            entry: diagnostic_entry(d, f.files),
            query: d.location.as_ref().and_then(|l| {
                f.queries.get(&l.file).map(|q| JsonQuery {
                    origin: q.origin.clone(),
                    calls: q.calls,
                    export: q.export.clone(),
                    line: q.line,
                    text: f.files[l.file].text.to_string(),
                })
            }),
        })
        .collect();
    JsonFindings {
        format: JSON_FORMAT,
        tool: Tool { name: "pg2znb", version: env!("CARGO_PKG_VERSION") },
        summary: JsonSummary { diagnostics: severities, codes },
        diagnostics,
    }
}

/// The document as pretty-printed JSON with a final newline.
pub fn render(f: &Findings) -> String {
    let mut s = serde_json::to_string_pretty(&document(f)).expect("findings serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::render::format::{Queries, QueryOrigin};
    use crate::rules::RulePack;
    use crate::source::{SourceFile, Span};

    #[test]
    fn entries_carry_positions_summary_and_query_context() {
        let files = vec![SourceFile::new("a.sql", "SELECT 1;\nSELECT x FROM t;\n")];
        let diags = vec![
            Diagnostic::warning("ZN999", "some-rule", "look here").at(0, Span::new(17, 18)).with_help("do this"),
            Diagnostic::error("E002", "parse", "bad").at(0, Span::new(0, 6)),
        ];
        let pack = RulePack::builtin().unwrap();
        let queries: Queries = [(
            0,
            QueryOrigin {
                origin: "x.csv:row 3".into(),
                calls: Some(42),
                export: "x.csv".into(),
                line: 4,
                multiline: true,
            },
        )]
        .into_iter()
        .collect();
        let v: serde_json::Value =
            serde_json::from_str(&render(&Findings::new(&diags, &files, &pack).with_queries(&queries))).unwrap();
        assert_eq!(v["format"], 1);
        assert_eq!(v["tool"]["name"], "pg2znb");
        assert_eq!(v["summary"]["diagnostics"], serde_json::json!({"error": 1, "warning": 1, "info": 0}));
        assert_eq!(v["summary"]["codes"]["ZN999"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(8)));
        assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(2), Some(9)));
        assert_eq!(d["help"], "do this");
        assert_eq!(d["query"]["calls"], 42);
        assert_eq!(d["query"]["origin"], "x.csv:row 3");
        assert!(d["query"]["text"].as_str().unwrap().starts_with("SELECT 1;"));

        let plain: serde_json::Value = serde_json::from_str(&render(&Findings::new(&diags, &files, &pack))).unwrap();
        assert!(plain["diagnostics"][0].get("query").is_none());
    }
}

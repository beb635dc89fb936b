//! What the renderers share: the output format, the findings they render, and per-file context
//! (a query's pg_stat_statements origin and call count).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::rules::RulePack;
use crate::source::{FileId, SourceFile};

/// How findings are written: `--format` and the config file's `format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Findings grouped by code: the help once, code frames with line:column.
    Human,
    /// A stable JSON document (`render::json`, format 1).
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`), shown as annotations.
    Github,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Sarif, Format::Github];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Format::parse(s).ok_or_else(|| format!("unknown format `{s}`; formats: human, json, sarif, github"))
    }
}

/// The format when neither the command line nor a config file names one: `github` inside GitHub
/// Actions (pass `is_github_actions(env GITHUB_ACTIONS)`), `human` elsewhere.
pub fn default_format(github_actions: bool) -> Format {
    if github_actions {
        Format::Github
    } else {
        Format::Human
    }
}

/// Whether a `GITHUB_ACTIONS` value means "running in GitHub Actions" (it sets `true`).
pub fn is_github_actions(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Where a file's text came from when it is one query of a pg_stat_statements export: the
/// renderers report it with each finding, and point SARIF and GitHub locations at the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryOrigin {
    /// `EXPORT:line N`, the line of the export where the query text starts.
    pub origin: String,
    /// `calls` from the export, when it has that column.
    pub calls: Option<u64>,
    /// The export file as given.
    pub export: String,
    /// 1-based line of the export where the query text starts.
    pub line: usize,
    /// `true` when the query's lines are the export's lines from `line` on (CSV keeps a query's
    /// newlines; JSON escapes them, so a JSON-lines query is all on `line`).
    pub multiline: bool,
}

impl QueryOrigin {
    /// The export's lines `(start, end)` for lines `start..=end` of the query text.
    pub fn export_lines(&self, start: usize, end: usize) -> (usize, usize) {
        if self.multiline {
            (self.line + start.saturating_sub(1), self.line + end.saturating_sub(1))
        } else {
            (self.line, self.line)
        }
    }
}

/// Files that are pg_stat_statements queries, by file index.
pub type Queries = BTreeMap<FileId, QueryOrigin>;

static NO_QUERIES: Queries = BTreeMap::new();

/// What every renderer reads: diagnostics (rendered in the given order), the files their
/// locations index, the rule pack (rule metadata), and optional per-file query context.
#[derive(Clone, Copy)]
pub struct Findings<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub files: &'a [SourceFile],
    pub pack: &'a RulePack,
    pub queries: &'a Queries,
}

impl<'a> Findings<'a> {
    pub fn new(diagnostics: &'a [Diagnostic], files: &'a [SourceFile], pack: &'a RulePack) -> Self {
        Findings { diagnostics, files, pack, queries: &NO_QUERIES }
    }

    /// Mark files as pg_stat_statements queries (see `pgss::sources`).
    pub fn with_queries(mut self, queries: &'a Queries) -> Self {
        self.queries = queries;
        self
    }

    /// The query context of the file a diagnostic points into.
    pub fn query_of(&self, d: &Diagnostic) -> Option<&'a QueryOrigin> {
        d.location.as_ref().and_then(|l| self.queries.get(&l.file))
    }
}

/// Render findings in a format. `Human` renders every diagnostic, grouped by code (callers that
/// filter or truncate for a terminal use `render::human::render_grouped` directly); `color` only
/// affects `Human`.
pub fn render(format: Format, findings: &Findings, color: bool) -> String {
    match format {
        Format::Human => super::human::render_grouped(findings, color, &super::human::Shown::ALL),
        Format::Json => super::json::render(findings),
        Format::Sarif => super::sarif::render(findings),
        Format::Github => super::github::render(findings),
    }
}

/// Order diagnostics by their query's call count, most called first; diagnostics outside
/// queries, or of queries without a count, follow. The sort is stable: ties keep their order.
pub fn sort_by_calls(diagnostics: &mut [Diagnostic], queries: &Queries) {
    diagnostics.sort_by_key(|d| {
        let calls = d.location.as_ref().and_then(|l| queries.get(&l.file)).and_then(|q| q.calls);
        std::cmp::Reverse(calls)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn github_actions_selects_the_github_format() {
        assert_eq!(default_format(is_github_actions(Some("true"))), Format::Github);
        assert_eq!(default_format(is_github_actions(Some("false"))), Format::Human);
        assert_eq!(default_format(is_github_actions(None)), Format::Human);
    }

    #[test]
    fn formats_parse_and_print() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn most_called_queries_come_first() {
        let q = |calls| QueryOrigin { origin: String::new(), calls, export: "x.csv".into(), line: 2, multiline: true };
        let queries: Queries = [(0, q(Some(5))), (1, q(Some(500))), (2, q(None))].into_iter().collect();
        let d = |file: usize, code: &str| Diagnostic::warning(code, "r", "m").at(file, Span::new(0, 1));
        let mut diags = vec![d(2, "A"), d(0, "B"), d(1, "C"), d(0, "D")];
        sort_by_calls(&mut diags, &queries);
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["C", "B", "D", "A"]);
    }
}

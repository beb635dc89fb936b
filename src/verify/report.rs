//! The result of `verify` and its renderings (human summary, JSON).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;

use super::diff::{kind_key, Difference};
use super::rows::RowMode;

/// Exit code: no unexpected difference.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one unexpected difference.
pub const EXIT_DIFFERENCES: i32 = 1;
/// Exit code: a connection, query or input failure (see [`super::VerifyError`]).
pub const EXIT_ERROR: i32 = 2;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Human,
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format `{other}` (expected human or json)")),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub matched: usize,
    pub expected: usize,
    pub unexpected: usize,
}

/// Everything `verify` found. Deterministic: differences are sorted by (kind, object, problem).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// `host:port/database` of each side (never the password).
    pub source: String,
    pub target: String,
    /// Schemas compared (union of both sides).
    pub schemas: Vec<String>,
    pub rows: RowMode,
    /// Whether a manifest was given.
    pub manifest: bool,
    pub summary: Summary,
    /// Matches per kind (`table`, `column`, …, `row_count`, `sequence_position`).
    pub matched: BTreeMap<String, usize>,
    pub differences: Vec<Difference>,
    /// The source is not the database the manifest was compiled from (a warning: the CLI says
    /// it on stderr with the manifest's file name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_mismatch: Option<super::origin::SourceMismatch>,
}

impl VerifyReport {
    pub fn new(
        source: String,
        target: String,
        schemas: Vec<String>,
        rows: RowMode,
        manifest: bool,
        matched: BTreeMap<String, usize>,
        mut differences: Vec<Difference>,
    ) -> Self {
        differences
            .sort_by(|a, b| (a.kind, &a.object, a.problem, &a.detail).cmp(&(b.kind, &b.object, b.problem, &b.detail)));
        let expected = differences.iter().filter(|d| d.expected.is_some()).count();
        let summary = Summary { matched: matched.values().sum(), expected, unexpected: differences.len() - expected };
        VerifyReport { source, target, schemas, rows, manifest, summary, matched, differences, source_mismatch: None }
    }

    /// 0 when there is no unexpected difference, 1 when there is.
    pub fn exit_code(&self) -> i32 {
        if self.summary.unexpected == 0 {
            EXIT_OK
        } else {
            EXIT_DIFFERENCES
        }
    }

    pub fn unexpected(&self) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(|d| d.expected.is_none())
    }

    pub fn expected(&self) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(|d| d.expected.is_some())
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human => self.render_human(),
            Format::Json => self.render_json(),
        }
    }

    /// Pretty-printed JSON with a trailing newline.
    pub fn render_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("report serializes");
        s.push('\n');
        s
    }

    /// Plain-text summary: what matched, expected differences with their reasons, unexpected
    /// differences, and a result line.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let schemas = if self.schemas.is_empty() { "(none)".to_string() } else { self.schemas.join(", ") };
        let _ = writeln!(out, "verify: source {} → target {}", self.source, self.target);
        let _ = writeln!(
            out,
            "schemas: {schemas}; row counts: {}; manifest: {}",
            self.rows,
            if self.manifest { "yes" } else { "no" }
        );
        let parts: Vec<String> =
            self.matched.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {}", plural(k, *n))).collect();
        let _ = writeln!(
            out,
            "matched: {}{}",
            self.summary.matched,
            if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
        );
        if self.summary.expected > 0 {
            let _ = writeln!(out, "\nexpected differences ({}):", self.summary.expected);
            for d in self.expected() {
                let _ = writeln!(out, "  {}", line(d));
                let _ = writeln!(out, "      expected: {}", d.expected.as_deref().unwrap_or_default());
            }
        }
        if self.summary.unexpected > 0 {
            let _ = writeln!(out, "\nunexpected differences ({}):", self.summary.unexpected);
            for d in self.unexpected() {
                let _ = writeln!(out, "  {}", line(d));
            }
        }
        let _ = writeln!(
            out,
            "\nresult: {} unexpected difference{}, {} expected (exit {})",
            self.summary.unexpected,
            if self.summary.unexpected == 1 { "" } else { "s" },
            self.summary.expected,
            self.exit_code()
        );
        out
    }
}

fn line(d: &Difference) -> String {
    format!("{} {}: {}", kind_key(d.kind).replace('_', " "), d.object, d.detail)
}

fn plural(key: &str, n: usize) -> String {
    let word = key.replace('_', " ");
    if n == 1 {
        word
    } else if word.ends_with('x') || word.ends_with('s') {
        format!("{word}es")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ObjectKind;
    use crate::verify::diff::Problem;

    fn report(expected: Option<&str>) -> VerifyReport {
        let mut d = Difference::new(
            ObjectKind::Index,
            Some("public"),
            Some("t"),
            "t_gist",
            "public.t_gist".into(),
            Problem::Missing,
            "missing on the target".into(),
        );
        d.expected = expected.map(str::to_string);
        VerifyReport::new(
            "127.0.0.1:5432/a".into(),
            "127.0.0.1:5432/b".into(),
            vec!["public".into()],
            RowMode::Exact,
            expected.is_some(),
            BTreeMap::from([("index".to_string(), 2), ("policy".to_string(), 1)]),
            vec![d],
        )
    }

    #[test]
    fn exit_codes() {
        assert_eq!(report(None).exit_code(), 1);
        assert_eq!(report(Some("dropped on purpose")).exit_code(), 0);
    }

    #[test]
    fn human_lists_sections() {
        let h = report(None).render_human();
        assert!(h.contains("matched: 3 (2 indexes, 1 policy)"), "{h}");
        assert!(h.contains("unexpected differences (1):\n  index public.t_gist: missing on the target"), "{h}");
        assert!(h.contains("result: 1 unexpected difference, 0 expected (exit 1)"), "{h}");
        let h = report(Some("dropped on purpose")).render_human();
        assert!(h.contains("expected differences (1):"), "{h}");
        assert!(h.contains("      expected: dropped on purpose"), "{h}");
    }

    #[test]
    fn json_round_trips_through_serde_value() {
        let j = report(None).render_json();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["summary"]["unexpected"], 1);
        assert_eq!(v["differences"][0]["kind"], "index");
        assert_eq!(v["differences"][0]["problem"], "missing");
        assert_eq!(v["rows"], "exact");
    }
}

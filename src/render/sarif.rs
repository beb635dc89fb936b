//! `--format sarif`: SARIF 2.1.0 (OASIS), in the shape GitHub code scanning accepts: one run,
//! `tool.driver.rules` for every code that has a result, and results with `ruleId`, `ruleIndex`,
//! `level`, `message.text` and a physical location (a relative URI under `%SRCROOT%` and a region
//! with 1-based lines and columns, columns counted in Unicode code points).
//!
//! The object model is `serde-sarif`'s, generated from the OASIS schema. A diagnostic's fix is
//! only a description (no replacement text), which SARIF's `fix` object cannot hold (it requires
//! `artifactChanges` with replacements), so fixes, help and query context go into the result's
//! property bag instead.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;

use super::format::{Findings, QueryOrigin};

pub const SARIF_VERSION: &str = "2.1.0";
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The base every artifact URI is relative to: the checkout root for GitHub's upload.
pub const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log, for callers that embed or inspect it.
pub fn log(f: &Findings) -> Sarif {
    // Rules in code order; results point at them by index.
    let mut codes: BTreeMap<&str, &Diagnostic> = BTreeMap::new();
    for d in f.diagnostics {
        codes.entry(d.code.as_str()).or_insert(d);
    }
    let index: BTreeMap<&str, i64> = codes.keys().enumerate().map(|(i, c)| (*c, i as i64)).collect();
    let rules: Vec<ReportingDescriptor> =
        codes.values().map(|d| descriptor(d, f.pack.find(&d.code).filter(|r| r.code == d.code))).collect();
    let results: Vec<SarifResult> = f.diagnostics.iter().map(|d| result(f, d, index[d.code.as_str()])).collect();

    let information_uri = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map(str::to_string);
    let mut driver = ToolComponent::builder()
        .name("pg2znb")
        .full_name(format!("pg2znb {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    driver.information_uri = information_uri;
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    Sarif::builder().schema(SARIF_SCHEMA).version(json!(SARIF_VERSION)).runs(vec![run]).build()
}

/// The log as pretty-printed JSON with a final newline.
pub fn render(f: &Findings) -> String {
    let mut s = serde_json::to_string_pretty(&log(f)).expect("SARIF serializes");
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result_level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn default_configuration(s: Severity) -> ReportingConfiguration {
    ReportingConfiguration { level: Some(json!(level(s))), ..Default::default() }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn descriptor(first: &Diagnostic, rule: Option<&Rule>) -> ReportingDescriptor {
    let Some(r) = rule else {
        // The codes that are not rules: the table `pg2znb explain` and the README use.
        let Some(c) = crate::codes::find(&first.code) else {
            return ReportingDescriptor::builder()
                .id(first.code.clone())
                .name(first.rule.clone())
                .short_description(text(first.rule.clone()))
                .help(text(first.rule.clone()))
                .default_configuration(default_configuration(first.severity))
                .build();
        };
        let help = format!("{}\n\nWhat to do: {}", c.meaning, c.what_to_do);
        let md = format!("**{}**: {}\n\n{}\n\nWhat to do: {}\n", c.code, c.summary, c.meaning, c.what_to_do);
        return ReportingDescriptor::builder()
            .id(first.code.clone())
            .name(first.rule.clone())
            .short_description(text(c.summary))
            .full_description(text(c.meaning))
            .help(MultiformatMessageString::builder().text(help).markdown(md).build())
            .default_configuration(default_configuration(first.severity))
            .build();
    };
    let mut md = format!("**{} {}**: {}\n\n{}\n", r.code, r.id, r.summary, r.docs.why.trim_end());
    if let Some(b) = &r.docs.before {
        md.push_str(&format!("\nBefore:\n\n```sql\n{}\n```\n", b.trim_end()));
    }
    if let Some(a) = &r.docs.after {
        md.push_str(&format!("\nAfter:\n\n```sql\n{}\n```\n", a.trim_end()));
    }
    if let Some(h) = &r.help {
        md.push_str(&format!("\nWhat to do: {}\n", h.trim_end()));
    }
    let help_text = match &r.help {
        Some(h) => format!("{}\n\nWhat to do: {}", r.docs.why.trim_end(), h.trim_end()),
        None => r.docs.why.trim_end().to_string(),
    };
    ReportingDescriptor::builder()
        .id(r.code.clone())
        .name(r.id.clone())
        .short_description(text(r.summary.clone()))
        .full_description(text(r.docs.why.trim_end()))
        .help(MultiformatMessageString::builder().text(help_text).markdown(md).build())
        .default_configuration(default_configuration(r.severity))
        .build()
}

/// A file name as a relative URI reference: forward slashes, no leading `./`, and every byte
/// outside the unreserved and path characters percent-encoded (so `:` never reads as a scheme).
pub fn relative_uri(name: &str) -> String {
    let slashed = name.replace('\\', "/");
    let mut path = slashed.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An absolute path as a `file://` URI (no base id), a relative one under `%SRCROOT%`.
fn artifact(name: &str) -> ArtifactLocation {
    let slashed = name.replace('\\', "/");
    if slashed.starts_with('/') {
        ArtifactLocation { uri: Some(format!("file://{}", relative_uri(&slashed))), ..Default::default() }
    } else {
        ArtifactLocation { uri: Some(relative_uri(&slashed)), uri_base_id: Some(SRCROOT.into()), ..Default::default() }
    }
}

/// Lines and columns of a byte span, or only the export's lines for a pg_stat_statements query
/// (the export quotes the text, so columns there are not the query's).
fn region(f: &Findings, file: usize, span: crate::source::Span, query: Option<&QueryOrigin>) -> Region {
    let src = &f.files[file];
    let (sl, sc) = src.line_col(span.start);
    let (el, ec) = src.line_col(span.end);
    match query {
        Some(q) => {
            let (sl, el) = q.export_lines(sl, el);
            Region { start_line: Some(sl as i64), end_line: Some(el as i64), ..Default::default() }
        }
        None => Region {
            start_line: Some(sl as i64),
            start_column: Some(sc as i64),
            end_line: Some(el as i64),
            end_column: Some(ec as i64),
            ..Default::default()
        },
    }
}

fn location(f: &Findings, file: usize, span: crate::source::Span, message: Option<&str>) -> Location {
    let query = f.queries.get(&file);
    let name = query.map(|q| q.export.as_str()).unwrap_or(f.files[file].name.as_str());
    Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(artifact(name)),
            region: Some(region(f, file, span, query)),
            ..Default::default()
        }),
        message: message.map(|m| Message { text: Some(m.to_string()), ..Default::default() }),
        ..Default::default()
    }
}

fn result(f: &Findings, d: &Diagnostic, rule_index: i64) -> SarifResult {
    let mut props: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(h) = &d.help {
        props.insert("help".into(), json!(h));
    }
    if let Some(fix) = &d.fix {
        props.insert("fix".into(), json!({"description": fix.description, "safe": fix.safe, "applied": fix.applied}));
    }
    if let Some(q) = f.query_of(d) {
        let file = d.location.as_ref().map(|l| l.file).unwrap_or_default();
        props
            .insert("query".into(), json!({"origin": q.origin, "calls": q.calls, "text": f.files[file].text.as_ref()}));
    }
    let locations = d.location.as_ref().map(|l| vec![location(f, l.file, l.span, None)]);
    let related: Vec<Location> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| Location {
            id: Some(i as i64),
            ..location(f, l.location.file, l.location.span, Some(&l.message))
        })
        .collect();
    let mut r = SarifResult::builder()
        .rule_id(d.code.clone())
        .rule_index(rule_index)
        .level(result_level(d.severity))
        .message(Message { text: Some(d.message.clone()), ..Default::default() })
        .build();
    r.locations = locations;
    r.related_locations = (!related.is_empty()).then_some(related);
    r.properties = (!props.is_empty()).then(|| PropertyBag { additional_properties: props, ..Default::default() });
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes_and_encoded() {
        assert_eq!(relative_uri("./db/structure.sql"), "db/structure.sql");
        assert_eq!(relative_uri("db\\my schema.sql"), "db/my%20schema.sql");
        assert_eq!(relative_uri("x.csv:row 3"), "x.csv%3Arow%203");
        assert_eq!(relative_uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(relative_uri("héllo.sql"), "h%C3%A9llo.sql");
        assert_eq!(artifact("/abs/a.sql").uri.as_deref(), Some("file:///abs/a.sql"));
        assert_eq!(artifact("/abs/a.sql").uri_base_id, None);
    }
}

//! `docs/rules.md`, generated from the rule files (`pg2znb rules docs`). `tests/rules_docs.rs`
//! fails when the committed file is stale.

use std::fmt::Write as _;

use crate::rules::model::{RuleKind, Safety};
use crate::rules::{Rule, RulePack};

fn kind(r: &Rule) -> &'static str {
    match r.kind {
        RuleKind::Rewrite => "rewrite",
        RuleKind::Check => "check",
    }
}

fn fix(r: &Rule) -> &'static str {
    match (r.kind, r.safety) {
        (RuleKind::Check, _) => "-",
        (_, Safety::Safe) => "safe",
        (_, Safety::Unsafe) => "unsafe",
    }
}

fn version(pack: &RulePack, index: Option<usize>) -> String {
    index.and_then(|i| pack.targets.versions.get(i)).map(|v| v.version.clone()).unwrap_or_else(|| "-".into())
}

/// GitHub's heading anchor: lowercase, spaces to `-`, punctuation other than `-`/`_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// Reflow YAML prose: lines of a paragraph joined, blank lines between paragraphs kept.
fn prose(s: &str) -> String {
    s.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn sql_block(out: &mut String, title: &str, sql: &str) {
    let _ = writeln!(out, "{title}:\n\n```sql\n{}\n```\n", sql.trim_end());
}

/// The whole of `docs/rules.md` for `pack`, rules in code order.
pub fn render_markdown(pack: &RulePack) -> String {
    let mut out = String::new();
    out.push_str("# Rules\n\n");
    out.push_str(
        "<!-- Generated from rules/**/rule.yaml by `pg2znb rules docs`; do not edit by hand. \
         Regenerate with `cargo run -- rules docs > docs/rules.md`. -->\n\n",
    );
    let _ = writeln!(
        out,
        "{} rules. A rule fires for target versions from `since` (when set) up to, not including, `until` \
         (the version that lifts the limitation). The default target is {}. `fix`: `safe` rewrites are applied \
         by default, `unsafe` ones only with `--unsafe-fixes`; `-` means the rule only reports.\n",
        pack.rules.len(),
        pack.targets.default
    );
    out.push_str("| code | id | kind | severity | fix | since | until | summary |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for r in &pack.rules {
        let heading = format!("{} {}", r.code, r.id);
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} | {} | {} | {} | {} |",
            r.code,
            anchor(&heading),
            r.id,
            kind(r),
            r.severity.as_str(),
            fix(r),
            version(pack, r.since),
            version(pack, r.until),
            cell(&r.summary)
        );
    }
    out.push('\n');
    for r in &pack.rules {
        let _ = writeln!(out, "## {} {}\n", r.code, r.id);
        let _ = writeln!(out, "{}\n", r.summary.trim());
        let matches = match &r.condition_src {
            Some(c) => format!("`{}` where `{}`", r.node_name, c.split_whitespace().collect::<Vec<_>>().join(" ")),
            None => format!("`{}`", r.node_name),
        };
        let targets = match (r.since, r.until) {
            (None, None) => "every target version".to_string(),
            (Some(_), None) => format!("targets from {}", version(pack, r.since)),
            (None, Some(_)) => format!("targets before {}", version(pack, r.until)),
            (Some(_), Some(_)) => format!("targets from {} before {}", version(pack, r.since), version(pack, r.until)),
        };
        let _ = writeln!(
            out,
            "kind: {} · severity: {} · fix: {} · matches: {matches} · applies to {targets}\n",
            kind(r),
            r.severity.as_str(),
            fix(r),
        );
        let _ = writeln!(out, "**Why.** {}\n", prose(&r.docs.why));
        if let Some(b) = &r.docs.before {
            sql_block(&mut out, "Before", b);
        }
        if let Some(a) = &r.docs.after {
            sql_block(&mut out, "After", a);
        }
        if let Some(h) = &r.help {
            let _ = writeln!(out, "**What to do.** {}\n", prose(h));
        }
        if r.source.starts_with("rules/") {
            let _ = writeln!(out, "Source: [`{0}`](../{0})\n", r.source);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_like_github() {
        assert_eq!(anchor("ZN101 inline-primary-key"), "zn101-inline-primary-key");
    }

    #[test]
    fn builtin_pack_renders_every_rule() {
        let pack = RulePack::builtin().unwrap();
        let md = render_markdown(&pack);
        for r in &pack.rules {
            assert!(md.contains(&format!("\n## {} {}\n", r.code, r.id)));
        }
        assert!(md.ends_with("\n") && !md.ends_with("\n\n"));
    }
}

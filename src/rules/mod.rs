//! Stage 4: rules. Rule files are data (YAML under `rules/`); this module loads and checks
//! them, then applies them to the IR through the closed set of actions in `actions`.

pub mod actions;
pub mod dml;
pub mod docs;
pub mod edit;
pub mod expr;
pub mod harness;
pub mod model;
pub mod nodes;
mod pick;
mod targets;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::ir::{Fate, Ir, Stmt, StmtId};
use crate::source::SourceFile;
pub use actions::{Action, DeferCategory};
use expr::Expr;
use model::{RuleFile, RuleKind, Safety};
use nodes::NodeKind;
pub use targets::{major, parse_settings, settings_major, ServerTarget, Targets};
use template::Template;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// A rule file problem, pointing into the YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub code: String,
    pub kind: RuleKind,
    pub severity: Severity,
    pub summary: String,
    pub node: NodeKind,
    pub node_name: String,
    pub condition: Option<Expr>,
    pub condition_src: Option<String>,
    pub action: Option<Action>,
    pub safety: Safety,
    pub message: Template,
    pub help: Option<String>,
    /// Index in `Targets::versions` of `until` / `since`.
    pub until: Option<usize>,
    pub since: Option<usize>,
    pub until_name: Option<String>,
    pub docs: model::Docs,
    /// Catalog and yb-voyager ids the rule implements.
    pub covers: Vec<String>,
    /// Where the rule was loaded from (a path, `rules/…` for built-ins).
    pub source: String,
}

#[derive(Clone, Debug)]
pub struct RulePack {
    pub targets: Targets,
    pub rules: Vec<Rule>,
}

impl RulePack {
    /// The rules shipped in the binary.
    pub fn builtin() -> Result<RulePack, RuleError> {
        let targets = Targets::builtin();
        let mut rules = Vec::new();
        for (path, text) in builtin::BUILTIN_RULES {
            rules.push(load_rule(path, text, &targets)?);
        }
        let mut pack = RulePack { targets, rules };
        pack.finish()?;
        Ok(pack)
    }

    /// Add every `rule.yaml` below `dir` (a user's pack).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), RuleError> {
        let io = |p: &Path, e: std::io::Error| RuleError {
            file: p.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        };
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        if !dir.is_dir() {
            return Err(io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
        }
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).map_err(|e| io(&d, e))? {
                let p = e.map_err(|e| io(&d, e))?.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().is_some_and(|n| n == "rule.yaml") {
                    files.push(p);
                }
            }
        }
        files.sort();
        for p in files {
            let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            let rule = load_rule(&p.display().to_string(), &text, &self.targets)?;
            self.rules.push(rule);
        }
        self.finish()
    }

    /// Sort by code and refuse duplicate ids or codes.
    fn finish(&mut self) -> Result<(), RuleError> {
        self.rules.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
        for w in self.rules.windows(2) {
            if w[0].code == w[1].code {
                return Err(RuleError {
                    file: w[1].source.clone(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "code {} is used by both `{}` ({}) and `{}`",
                        w[0].code, w[0].id, w[0].source, w[1].id
                    ),
                });
            }
        }
        let mut ids = BTreeSet::new();
        for r in &self.rules {
            if !ids.insert(r.id.clone()) {
                return Err(RuleError {
                    file: r.source.clone(),
                    line: 1,
                    column: 1,
                    message: format!("rule id `{}` is defined twice", r.id),
                });
            }
        }
        Ok(())
    }

    /// A rule by code (`ZN101`) or id (`inline-primary-key`), case-insensitively for codes.
    pub fn find(&self, key: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.code.eq_ignore_ascii_case(key) || r.id == key)
    }
}

fn at(file: &str, loc: &serde_saphyr::Location, message: impl Into<String>) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: loc.line() as usize,
        column: loc.column() as usize,
        message: message.into(),
    }
}

/// Column of the first character of a scalar's value: a quoted scalar starts one later.
fn value_column(text: &str, loc: &serde_saphyr::Location) -> usize {
    let line = text.lines().nth((loc.line() as usize).saturating_sub(1)).unwrap_or("");
    let first = line.chars().nth((loc.column() as usize).saturating_sub(1));
    loc.column() as usize + usize::from(matches!(first, Some('"') | Some('\'')))
}

pub fn load_rule(file: &str, text: &str, targets: &Targets) -> Result<Rule, RuleError> {
    let f: RuleFile = serde_saphyr::from_str(text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line() as usize, l.column() as usize)).unwrap_or((1, 1));
        RuleError { file: file.to_string(), line, column, message: first_line(&e.to_string()) }
    })?;
    let code = f.code.value.clone();
    if !(code.len() == 5 && code.starts_with("ZN") && code[2..].chars().all(|c| c.is_ascii_digit())) {
        return Err(at(file, &f.code.referenced, format!("code `{code}` must look like ZN123")));
    }
    if f.id.value.is_empty() || !f.id.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(at(file, &f.id.referenced, "id must be lowercase words joined by `-`"));
    }
    let node = NodeKind::parse(&f.matcher.node.value).ok_or_else(|| {
        let names: Vec<&str> = nodes::NODE_NAMES.iter().map(|(n, _)| *n).collect();
        at(
            file,
            &f.matcher.node.referenced,
            format!("unknown node `{}`; nodes: {}", f.matcher.node.value, names.join(", ")),
        )
    })?;
    let skeleton: Value = node.skeleton();
    let expr_error = |s: &serde_saphyr::Spanned<String>, e: expr::ExprError| {
        let prefix = &s.value[..e.offset.min(s.value.len())];
        let (line, column) = match prefix.rfind('\n') {
            // Multi-line scalars: best effort, relative to the value's first line.
            Some(nl) => (s.referenced.line() as usize + prefix.matches('\n').count(), prefix.len() - nl),
            None => (s.referenced.line() as usize, value_column(text, &s.referenced) + prefix.chars().count()),
        };
        RuleError { file: file.to_string(), line, column, message: e.message }
    };
    let condition = match &f.matcher.condition {
        Some(c) => {
            let e = expr::parse(&c.value).map_err(|e| expr_error(c, e))?;
            expr::check(&e, &skeleton).map_err(|e| expr_error(c, e))?;
            Some(e)
        }
        None => None,
    };
    let message = Template::parse(&f.report.message.value).map_err(|e| expr_error(&f.report.message, e))?;
    message.check(&skeleton).map_err(|e| expr_error(&f.report.message, e))?;
    let (action, safety) = match (&f.kind, &f.rewrite) {
        (RuleKind::Rewrite, Some(r)) => {
            let a =
                Action::from_spec(&r.action.value, &r.params, node).map_err(|m| at(file, &r.action.referenced, m))?;
            (Some(a), r.safety)
        }
        (RuleKind::Rewrite, None) => {
            return Err(at(file, &f.code.referenced, "a `rewrite` rule needs a `rewrite:` block"));
        }
        (RuleKind::Check, Some(r)) => {
            return Err(at(file, &r.action.referenced, "a `check` rule cannot have a `rewrite:` block"));
        }
        (RuleKind::Check, None) => (None, Safety::Safe),
    };
    let version = |v: &Option<serde_saphyr::Spanned<String>>| -> Result<Option<usize>, RuleError> {
        match v {
            None => Ok(None),
            Some(s) => targets.index(&s.value).map(Some).ok_or_else(|| {
                at(
                    file,
                    &s.referenced,
                    format!("unknown version `{}`; versions: {}", s.value, targets.names().join(", ")),
                )
            }),
        }
    };
    Ok(Rule {
        id: f.id.value.clone(),
        code,
        kind: f.kind,
        severity: f.severity,
        summary: f.summary.trim().to_string(),
        node,
        node_name: f.matcher.node.value.clone(),
        condition,
        condition_src: f.matcher.condition.as_ref().map(|c| c.value.clone()),
        action,
        safety,
        message,
        help: f.report.help.map(|h| h.trim().to_string()),
        until: version(&f.target.until)?,
        since: version(&f.target.since)?,
        until_name: f.target.until.as_ref().map(|u| u.value.clone()),
        docs: f.docs,
        covers: f.covers,
        source: file.to_string(),
    })
}

/// Candidate statements from which a rule is evaluated on the thread pool.
const PARALLEL_FROM: usize = 256;

fn matches(rule: &Rule, node: &nodes::Node) -> bool {
    rule.condition.as_ref().is_none_or(|c| expr::truthy(&expr::eval(c, node)))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// How rules run for one compilation.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub target: String,
    pub defer: BTreeSet<DeferCategory>,
    pub unsafe_fixes: bool,
    /// Codes or ids to run exclusively (empty: all).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--no-owner`: leave out `ALTER … OWNER TO`.
    pub no_owner: bool,
    /// `--no-privileges`: leave out GRANT, REVOKE and ALTER DEFAULT PRIVILEGES.
    pub no_privileges: bool,
    /// `--shard-hints`: write ZNbaseDB's explicit HASH/ASC key syntax where advised.
    pub shard_hints: bool,
    /// `--psql-restrict`: keep pg_dump's `\restrict`/`\unrestrict` framing in every script.
    pub psql_restrict: bool,
    /// The target version as the user wrote it (or as the target server reported it), when it
    /// differs from `target`, which it resolved to; for the summary and report.json.
    pub target_requested: Option<String>,
    /// Checks of the inputs as dumps (`sanity`): duplicate definitions (E005), truncated dumps
    /// (E006), `\restrict` framing (E007), and an empty file as a warning (E003). `lint` turns
    /// them off: query files are not a schema, and an empty one is only noted (info).
    pub input_checks: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            target: "2.6".into(),
            defer: DeferCategory::DEFAULT.into_iter().collect(),
            unsafe_fixes: false,
            select: Vec::new(),
            ignore: Vec::new(),
            no_owner: false,
            no_privileges: false,
            shard_hints: false,
            psql_restrict: false,
            target_requested: None,
            input_checks: true,
        }
    }
}

impl Rule {
    pub fn enabled(&self, opts: &ApplyOptions, target_index: Option<usize>) -> bool {
        let named = |list: &[String]| list.iter().any(|k| k.eq_ignore_ascii_case(&self.code) || *k == self.id);
        if !opts.select.is_empty() && !named(&opts.select) {
            return false;
        }
        if named(&opts.ignore) {
            return false;
        }
        match target_index {
            Some(t) => self.until.is_none_or(|u| t < u) && self.since.is_none_or(|s| t >= s),
            None => true,
        }
    }
}

/// Run every enabled rule over the IR, in code order, statement by statement.
pub fn apply(
    pack: &RulePack,
    ir: &mut Ir,
    files: &[SourceFile],
    opts: &ApplyOptions,
    progress: &dyn crate::progress::Progress,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let target_index = pack.targets.index(&opts.target);
    let env = actions::ActionEnv::new(files, &opts.defer, ir);
    let node_env = nodes::Env {
        target: opts.target.clone(),
        postgres: pack.targets.base(&opts.target).unwrap_or_default().to_string(),
        settings: pack.targets.known_settings(&opts.target).cloned(),
        no_owner: opts.no_owner,
        no_privileges: opts.no_privileges,
        shard_hints: opts.shard_hints,
    };
    let rules: Vec<&Rule> = pack.rules.iter().filter(|r| r.enabled(opts, target_index)).collect();
    progress.stage("applying rules", rules.len() as u64);
    // A statement's node values depend on the input only (not on other rules' rewrites): each
    // rule is evaluated over all statements in parallel, then its matches are acted on in order.
    ir.index_definitions();
    let facts = nodes::Facts::new(ir);
    // Statements that have nodes of a kind, found once per kind.
    let mut candidates: BTreeMap<NodeKind, Vec<StmtId>> = BTreeMap::new();
    let data: Vec<bool> = ir.stmts.iter().map(|s| s.is_data).collect();
    for rule in rules {
        progress.advance(1);
        // A merged statement still describes the schema (a folded key is still a key): checks
        // see it, and so does `strip` (its text is refreshed where it was folded); other
        // rewrites do not touch it again.
        let strips = matches!(rule.action, Some(Action::Strip(_)));
        let skip = |f: Fate| f == Fate::Dropped || (f == Fate::Merged && rule.action.is_some() && !strips);
        // The items of `s` the rule matches, with their messages.
        let evaluate = |s: &Stmt, merged: bool| -> Vec<(usize, String)> {
            nodes::nodes(rule.node, s, &facts, &node_env, data[s.id])
                .into_iter()
                .filter_map(|(item, mut node)| {
                    node.merged = merged;
                    matches(rule, &node).then(|| (item, rule.message.render(&node)))
                })
                .collect()
        };
        // Most statement rules name the statement kinds they are about: skip the others unseen.
        let kinds = rule.condition.as_ref().and_then(|c| expr::required_values(c, &["statement", "kind"]));
        let kind_ok = |s: &Stmt| kinds.as_ref().is_none_or(|k| k.iter().any(|v| v.as_str() == Some(s.kind.as_str())));
        let ids = candidates.entry(rule.node).or_insert_with(|| {
            let data = &data;
            ir.stmts
                .par_iter()
                .filter(|s| !nodes::nodes(rule.node, s, &facts, &node_env, data[s.id]).is_empty())
                .map(|s| s.id)
                .collect()
        });
        let eval_stmt = |s: &Stmt| -> Vec<(StmtId, usize, bool, String)> {
            let merged = s.folded();
            evaluate(s, merged).into_iter().map(|(item, message)| (s.id, item, merged, message)).collect()
        };
        let wanted = |s: &&Stmt| !skip(s.fate) && kind_ok(s);
        // A few candidates cost less than handing them to the thread pool (most rules, on most files).
        let found: Vec<(StmtId, usize, bool, String)> = if ids.len() < PARALLEL_FROM {
            ids.iter().map(|&id| &ir.stmts[id]).filter(wanted).flat_map(eval_stmt).collect()
        } else {
            ids.par_iter().map(|&id| &ir.stmts[id]).filter(wanted).flat_map_iter(eval_stmt).collect()
        };
        for (id, item, merged, message) in found {
            if skip(ir.stmts[id].fate) {
                continue;
            }
            // An earlier match of this rule folded the statement: it is seen as merged now.
            let message = if ir.stmts[id].folded() != merged {
                match evaluate(&ir.stmts[id], !merged).into_iter().find(|(i, _)| *i == item) {
                    Some((_, m)) => m,
                    None => continue,
                }
            } else {
                message
            };
            let file = ir.stmts[id].file;
            let span = nodes::item_span(rule.node, &ir.stmts[id], item).unwrap_or(ir.stmts[id].span);
            let mut d = Diagnostic::new(&rule.code, &rule.id, rule.severity, message.clone()).at(file, span);
            d.help = rule.help.clone();
            let Some(action) = &rule.action else {
                diags.push(d);
                continue;
            };
            let safe = rule.safety == Safety::Safe;
            if !safe && !opts.unsafe_fixes {
                d.fix = Some(Fix { description: rule.summary.clone(), safe, applied: false });
                d.help = Some(format!(
                    "{}{}this fix changes behaviour; apply it with --unsafe-fixes",
                    d.help.as_deref().unwrap_or(""),
                    if d.help.is_some() { "; " } else { "" }
                ));
                diags.push(d);
                continue;
            }
            let applied = actions::Applied { code: &rule.code, message: &message, help: rule.help.as_deref() };
            match actions::apply(action, ir, id, item, &applied, &env) {
                Ok(true) => {
                    d.fix = Some(Fix { description: rule.summary.clone(), safe, applied: true });
                    diags.push(d);
                }
                Ok(false) => {}
                Err(why) => {
                    // The statement loads as written, but the rewrite's reason stands.
                    d.severity = Severity::Warning.max(rule.severity);
                    d.message = format!("{}: not applied, {why}", rule.summary);
                    diags.push(d);
                }
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_know_their_base_and_its_settings() {
        let t = Targets::builtin();
        assert_eq!(t.base("2.6"), Some("11.2"));
        assert_eq!(t.base("2024.2"), Some("11.2"));
        assert_eq!(t.base("2.25"), Some("15"));
        assert_eq!(t.base("9.9"), None);
        assert_eq!(major("11.2"), "11");
        assert_eq!(settings_major("postgres-15.txt"), Some("15"));
        let pg11 = t.known_settings("2.6").unwrap();
        // Lowercase, hidden settings included, comments left out.
        assert!(pg11.contains("datestyle") && pg11.contains("role") && pg11.contains("session_authorization"));
        assert!(!pg11.iter().any(|n| n.starts_with('#') || n.contains(' ')));
        assert!(!pg11.contains("default_table_access_method") && !pg11.contains("transaction_timeout"));
        let pg15 = t.known_settings("2025.1").unwrap();
        assert!(pg15.contains("default_table_access_method") && !pg15.contains("transaction_timeout"));
        assert_eq!(
            parse_settings("# c\n\nDateStyle\n  work_mem  \n"),
            ["datestyle", "work_mem"].map(String::from).into()
        );
    }
}

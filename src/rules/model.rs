//! The YAML shape of a rule file (`rules/<category>/<id>/rule.yaml`) and of `targets.yaml`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostic::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub id: Spanned<String>,
    pub code: Spanned<String>,
    pub kind: RuleKind,
    pub severity: Severity,
    pub summary: String,
    #[serde(rename = "match")]
    pub matcher: MatchSpec,
    #[serde(default)]
    pub rewrite: Option<RewriteSpec>,
    pub report: ReportSpec,
    #[serde(default)]
    pub target: TargetSpec,
    pub docs: Docs,
    /// Catalog ids (`../shared/reference/target-facts.md` first column, e.g. `unlogged-table`) and
    /// yb-voyager issue names (e.g. `UNLOGGED_TABLES`) the rule implements, for the coverage check.
    #[serde(default)]
    pub covers: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Changes the IR through an action.
    Rewrite,
    /// Reports only.
    Check,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    pub node: Spanned<String>,
    #[serde(rename = "where", default)]
    pub condition: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Same meaning on the target: applied by default.
    #[default]
    Safe,
    /// Meaning changes: applied only with `--unsafe-fixes`.
    Unsafe,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteSpec {
    pub action: Spanned<String>,
    #[serde(default)]
    pub safety: Safety,
    /// Action parameters, e.g. `{category: fks}` for `defer`.
    #[serde(default, rename = "with")]
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub message: Spanned<String>,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// First version where the limitation is lifted; the rule fires only before it.
    #[serde(default)]
    pub until: Option<Spanned<String>>,
    /// First version the rule applies to.
    #[serde(default)]
    pub since: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    pub why: String,
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub default: String,
    pub versions: Vec<TargetVersion>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetVersion {
    pub version: String,
    pub postgres: String,
}

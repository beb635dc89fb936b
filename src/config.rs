//! `pg2znb.toml`: settings shared by `compile` and `lint`, discovered from the working directory
//! upward. Command-line flags override the file (see `Config::apply_to`); the README documents it.
//!
//! ```toml
//! target_version = "2.20"            # or "2.20.3.0-b51", "2024.2.1", "auto" (with --target URL)
//! select = ["ZN101", "defer-foreign-keys"]
//! ignore = ["ZN105"]
//! rules = ["ci/pg2znb-rules"]        # relative to this file's directory
//! defer = ["fks", "checks"]          # or "fks,checks", or "none"
//! unsafe_fixes = false
//! format = "github"                  # human | json | sarif | github
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::render::format::{default_format, Format};
use crate::rules::{DeferCategory, RulePack};
use crate::source::SourceFile;

/// The file `discover` looks for.
pub const CONFIG_FILE: &str = "pg2znb.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Bad TOML, an unknown key, a value of the wrong type, an unknown rule, version or category.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid { path: PathBuf, line: usize, column: usize, message: String },
}

/// A `pg2znb.toml` as read: a value is `None` (or empty) when the file does not set it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The file the settings came from.
    pub path: PathBuf,
    pub target_version: Option<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Extra rule directories, resolved against the config file's directory.
    pub rules: Vec<PathBuf>,
    pub defer: Option<BTreeSet<DeferCategory>>,
    pub unsafe_fixes: Option<bool>,
    pub format: Option<Format>,
    /// Line and column of each value: `target_version`, `select`, `select.0`, … (for later checks).
    positions: BTreeMap<String, (usize, usize)>,
}

/// The settings `compile` and `lint` run with. From the command line, a value is `None`, empty
/// or `false` when the flag was not given; `Config::apply_to` then fills it from the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub target_version: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub rules: Vec<PathBuf>,
    pub defer: Option<BTreeSet<DeferCategory>>,
    pub unsafe_fixes: bool,
    pub format: Option<Format>,
}

impl Settings {
    /// The output format: the one set, else `github` inside GitHub Actions, else `human`.
    pub fn format_or_default(&self, github_actions: bool) -> Format {
        self.format.unwrap_or_else(|| default_format(github_actions))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(alias = "target-version")]
    target_version: Option<Spanned<String>>,
    select: Option<Spanned<Vec<Spanned<String>>>>,
    ignore: Option<Spanned<Vec<Spanned<String>>>>,
    rules: Option<Spanned<Vec<Spanned<String>>>>,
    defer: Option<Spanned<DeferValue>>,
    #[serde(alias = "unsafe-fixes")]
    unsafe_fixes: Option<Spanned<bool>>,
    format: Option<Spanned<Format>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DeferValue {
    List(Vec<String>),
    Text(String),
}

/// A `--defer` list: categories separated by commas, or `none` (or nothing) for none. `none`
/// with a category (`none,fks`) contradicts itself and is refused.
pub fn parse_defer<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<BTreeSet<DeferCategory>, String> {
    let mut set = BTreeSet::new();
    let mut none = false;
    let mut written = Vec::new();
    for item in items.into_iter().flat_map(|s| s.split(',')).map(str::trim) {
        if item.is_empty() {
            continue;
        }
        written.push(item);
        if item == "none" {
            none = true;
            continue;
        }
        let c = DeferCategory::parse(item).ok_or_else(|| {
            format!("unknown defer category `{item}`; categories: fks, checks, uniques, triggers, indexes (or none)")
        })?;
        set.insert(c);
    }
    if none && !set.is_empty() {
        return Err(format!(
            "`{}` contradicts itself: `none` defers nothing, so it cannot be combined with categories; \
             give `none` alone, or only the categories to defer",
            written.join(",")
        ));
    }
    Ok(set)
}

impl Config {
    /// Read and check a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        Config::parse(path, &text)
    }

    /// Check config text; `path` names it in errors and anchors relative rule directories.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let src = SourceFile::new(path.display().to_string(), text);
        let at = |offset: usize| src.line_col(offset);
        let invalid = |offset: usize, message: String| {
            let (line, column) = at(offset);
            ConfigError::Invalid { path: path.to_path_buf(), line, column, message }
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            invalid(offset, e.message().trim_end().to_string())
        })?;
        let mut positions = BTreeMap::new();
        let mut note = |key: String, span: std::ops::Range<usize>| {
            positions.insert(key, at(span.start));
        };
        let mut list = |key: &str, v: Option<Spanned<Vec<Spanned<String>>>>| {
            v.map(|v| {
                note(key.to_string(), v.span());
                v.into_inner()
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        note(format!("{key}.{i}"), s.span());
                        s.into_inner()
                    })
                    .collect::<Vec<_>>()
            })
        };
        let select = list("select", raw.select);
        let ignore = list("ignore", raw.ignore);
        let rule_dirs = list("rules", raw.rules).unwrap_or_default();
        let base = path.parent().unwrap_or(Path::new(""));
        let rules = rule_dirs.iter().map(|d| base.join(d)).collect();
        let defer = match raw.defer {
            None => None,
            Some(v) => {
                let span = v.span();
                let parsed = match v.get_ref() {
                    DeferValue::List(items) => parse_defer(items.iter().map(String::as_str)),
                    DeferValue::Text(s) => parse_defer([s.as_str()]),
                };
                positions.insert("defer".into(), at(span.start));
                Some(parsed.map_err(|m| invalid(span.start, m))?)
            }
        };
        let mut scalar = |key: &str, span: std::ops::Range<usize>| {
            positions.insert(key.to_string(), at(span.start));
        };
        let target_version = raw.target_version.map(|v| {
            scalar("target_version", v.span());
            v.into_inner()
        });
        let unsafe_fixes = raw.unsafe_fixes.map(|v| {
            scalar("unsafe_fixes", v.span());
            v.into_inner()
        });
        let format = raw.format.map(|v| {
            scalar("format", v.span());
            v.into_inner()
        });
        Ok(Config {
            path: path.to_path_buf(),
            target_version,
            select,
            ignore,
            rules,
            defer,
            unsafe_fixes,
            format,
            positions,
        })
    }

    /// Line and column of a value (`target_version`, `select`, `select.2`, `format`, …).
    pub fn position(&self, key: &str) -> Option<(usize, usize)> {
        self.positions.get(key).copied()
    }

    /// `FILE:LINE:COL` of a value, or `FILE` when the file does not set it.
    pub fn locate(&self, key: &str) -> String {
        match self.position(key) {
            Some((l, c)) => format!("{}:{l}:{c}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    fn invalid_at(&self, key: &str, message: String) -> ConfigError {
        let (line, column) = self.position(key).unwrap_or((1, 1));
        ConfigError::Invalid { path: self.path.clone(), line, column, message }
    }

    /// Check the values that need the rule pack (load it with the config's `rules` first): the
    /// target version and every `select`/`ignore` entry. Errors point at the value in the file.
    pub fn validate(&self, pack: &RulePack) -> Result<(), ConfigError> {
        // `auto` needs the command line's `--target URL`, which `pg2znb` checks.
        if let Some(v) = self.target_version.as_deref().filter(|v| *v != "auto") {
            if let Err(e) = pack.targets.resolve(v) {
                return Err(self.invalid_at("target_version", format!("unknown target version `{v}`: {e}")));
            }
        }
        for (key, list) in [("select", &self.select), ("ignore", &self.ignore)] {
            for (i, code) in list.iter().flatten().enumerate() {
                if pack.find(code).is_none() {
                    return Err(self.invalid_at(
                        &format!("{key}.{i}"),
                        format!("no rule with code or id `{code}` (see `pg2znb rules list`)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Merge: a flag given on the command line replaces the file's value, except `rules`, where
    /// the file's directories come first and the command line's are added; `unsafe_fixes` is on
    /// when either turns it on.
    pub fn apply_to(&self, cli: Settings) -> Settings {
        let list = |cli: Vec<String>, file: &Option<Vec<String>>| {
            if cli.is_empty() {
                file.clone().unwrap_or_default()
            } else {
                cli
            }
        };
        Settings {
            target_version: cli.target_version.or_else(|| self.target_version.clone()),
            select: list(cli.select, &self.select),
            ignore: list(cli.ignore, &self.ignore),
            rules: self.rules.iter().cloned().chain(cli.rules).collect(),
            defer: cli.defer.or_else(|| self.defer.clone()),
            unsafe_fixes: cli.unsafe_fixes || self.unsafe_fixes.unwrap_or(false),
            format: cli.format.or(self.format),
        }
    }
}

/// Look for `pg2znb.toml` in `start` and each directory above it, up to the filesystem root;
/// the nearest one wins. `start` is made absolute first, so `.` works.
pub fn discover(start: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    let start = std::path::absolute(start).map_err(|source| ConfigError::Io { path: start.to_path_buf(), source })?;
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            let config = Config::load(&candidate)?;
            return Ok(Some((candidate, config)));
        }
    }
    Ok(None)
}

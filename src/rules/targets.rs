//! The ZNbaseDB versions rules know (`rules/targets.yaml`), and versions as users write them.
//!
//! `targets.yaml` lists releases in the order of their features, which is not numeric order:
//! 2.23 < 2024.1 < 2024.2 < 2.25 < 2025.1 (a stable `YYYY.N` release carries what the `2.x`
//! previews before it introduced). A written version (`2.21`, `2024.2.1`, `2.20.3.0-b51`) is
//! therefore compared within its own series only: `2.x` with `2.x`, `YYYY.N` with `YYYY.N`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::model::{TargetVersion, TargetsFile};

#[derive(Clone, Debug)]
pub struct Targets {
    pub default: String,
    pub versions: Vec<TargetVersion>,
    /// The run-time settings each PostgreSQL base knows, by major version (`"11"`, `"15"`), from
    /// `rules/settings/postgres-<major>.txt`; lowercase.
    pub settings: BTreeMap<String, Arc<BTreeSet<String>>>,
}

/// A settings list (`rules/settings/postgres-11.txt`): one name a line, `#` comments; lowercase.
pub fn parse_settings(text: &str) -> BTreeSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_lowercase).collect()
}

/// `postgres-11.txt` → `11`.
pub fn settings_major(file_name: &str) -> Option<&str> {
    file_name.strip_prefix("postgres-")?.strip_suffix(".txt")
}

/// The major version of a PostgreSQL base: `11.2` → `11`, `15` → `15`.
pub fn major(base: &str) -> &str {
    base.split('.').next().unwrap_or(base)
}

/// The version `select version()` of a live server leads to ([`Targets::from_server_version`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerTarget {
    /// A version of `targets.yaml`.
    pub version: String,
    /// What the server said it is: `2.20.1.0-b0` (ZNbaseDB), or `PostgreSQL 15.4`.
    pub detected: String,
    /// Set when the server is not ZNbaseDB: what was assumed, for the user to read.
    pub note: Option<String>,
}

/// The numbers of a version string: `v2.20.3.0-b51` → `[2, 20, 3, 0]` (a build suffix after `-`
/// or `+` is ignored). `None` when it is not dotted numbers.
fn numbers(v: &str) -> Option<Vec<u64>> {
    let v = v.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    if core.is_empty() {
        return None;
    }
    core.split('.').map(|p| p.parse::<u64>().ok()).collect()
}

/// Compare as versions: missing trailing numbers are zeros (`2.20` == `2.20.0.0`).
fn compare(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n).map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// Releases are compared within their series only: `YYYY.N` releases form one, `2.x` another
/// (and a `9.x` would be a third, which no release has).
fn series(v: &[u64]) -> u64 {
    match v.first() {
        Some(&major) if major >= 1000 => u64::MAX,
        Some(&major) => major,
        None => 0,
    }
}

impl Targets {
    pub fn builtin() -> Targets {
        let f: TargetsFile = serde_saphyr::from_str(super::builtin::TARGETS_YAML).expect("rules/targets.yaml is valid");
        let settings = super::builtin::BUILTIN_SETTINGS
            .iter()
            .filter_map(|(name, text)| Some((settings_major(name)?.to_string(), Arc::new(parse_settings(text)))))
            .collect();
        Targets { default: f.default, versions: f.versions, settings }
    }

    pub fn index(&self, version: &str) -> Option<usize> {
        self.versions.iter().position(|v| v.version == version)
    }

    /// The PostgreSQL version `version`'s SQL layer is built on (`11.2`, `15`).
    pub fn base(&self, version: &str) -> Option<&str> {
        self.versions.iter().find(|v| v.version == version).map(|v| v.postgres.as_str())
    }

    pub fn names(&self) -> Vec<&str> {
        self.versions.iter().map(|v| v.version.as_str()).collect()
    }

    /// The settings the base of `version` knows (lowercase); `None` when no list ships for it.
    pub fn known_settings(&self, version: &str) -> Option<&Arc<BTreeSet<String>>> {
        self.settings.get(major(self.base(version)?))
    }

    /// The known version a written one means: itself when listed, else the newest listed
    /// release of the same series not after it (`2.21` → `2.20`, `2024.2.1` → `2024.2`,
    /// `2.20.3.0-b51` → `2.20`, `2.25.1` → `2.25`). `Err` says why, listing the versions, for a
    /// message that names the written version first (`unknown target version `2.4`: …`).
    pub fn resolve(&self, written: &str) -> Result<String, String> {
        let w = written.trim();
        if self.index(w).is_some() {
            return Ok(w.to_string());
        }
        let list = self.names().join(", ");
        let unknown = || {
            format!(
                "not a ZNbaseDB release pg2znb knows (write it as the release names it, e.g. 2.20, 2024.2.1 or 2.20.3.0-b51); versions: {list}"
            )
        };
        let parts = numbers(w).ok_or_else(unknown)?;
        let same_series: Vec<(&TargetVersion, Vec<u64>)> = self
            .versions
            .iter()
            .filter_map(|v| numbers(&v.version).map(|n| (v, n)))
            .filter(|(_, n)| series(n) == series(&parts))
            .collect();
        if same_series.is_empty() {
            return Err(unknown());
        }
        match same_series
            .iter()
            .filter(|(_, n)| compare(n, &parts) != Ordering::Greater)
            .max_by(|a, b| compare(&a.1, &b.1))
        {
            Some((v, _)) => Ok(v.version.clone()),
            None => Err(format!("older than every version pg2znb compiles for; versions: {list}")),
        }
    }

    /// The version to compile for, from what `select version()` answered on the target.
    /// ZNbaseDB says `PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, …`: the part
    /// after `-YB-` is resolved as [`Targets::resolve`] does. A plain PostgreSQL server
    /// (`PostgreSQL 15.4 (Debian …) on …`) leads to the newest release whose SQL layer is based
    /// on that major version or an older one (11 → 2024.2, 15 and later → the newest on 15),
    /// with a note saying so: such a server is not what the scripts will load into.
    pub fn from_server_version(&self, answer: &str) -> Result<ServerTarget, String> {
        let answer = answer.trim();
        if let Some(at) = answer.find("-YB-") {
            let detected: String = answer[at + 4..].chars().take_while(|c| !c.is_whitespace() && *c != ',').collect();
            let version = self.resolve(&detected).map_err(|e| format!("the target runs ZNbaseDB {detected}, {e}"))?;
            return Ok(ServerTarget { version, detected, note: None });
        }
        let pg = answer
            .strip_prefix("PostgreSQL ")
            .map(|rest| rest.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or("").to_string());
        let Some(pg) = pg.filter(|v| v.starts_with(|c: char| c.is_ascii_digit())) else {
            return Err(format!(
                "cannot tell the ZNbaseDB version from the target's `select version()`: `{answer}`; pass --target-version"
            ));
        };
        let major = |v: &str| -> Option<u64> { v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok() };
        let server_major = major(&pg).unwrap_or(0);
        let newest = self.versions.iter().rev().find(|v| major(&v.postgres).is_some_and(|m| m <= server_major));
        let Some(v) = newest else {
            return Err(format!(
                "the target is PostgreSQL {pg}, not ZNbaseDB, and older than every ZNbaseDB SQL layer ({}); pass --target-version",
                self.versions.first().map(|v| format!("PostgreSQL {} and later", v.postgres)).unwrap_or_default()
            ));
        };
        Ok(ServerTarget {
            version: v.version.clone(),
            detected: format!("PostgreSQL {pg}"),
            note: Some(format!(
                "the target is PostgreSQL {pg}, not ZNbaseDB (its version() has no -YB- part): compiling for {}, the newest ZNbaseDB release on PostgreSQL {}; pass --target-version for the release you will load into",
                v.version, v.postgres
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Targets::builtin()
    }

    #[test]
    fn listed_versions_resolve_to_themselves() {
        let t = targets();
        for v in t.names() {
            assert_eq!(t.resolve(v).as_deref(), Ok(v));
        }
    }

    #[test]
    fn written_versions_resolve_to_the_newest_release_not_after_them() {
        let t = targets();
        for (written, want) in [
            ("2.21", "2.20"),
            ("2.20.3.0", "2.20"),
            ("2.20.3.0-b51", "2.20"),
            ("v2.20.1", "2.20"),
            ("2.6.0.0", "2.6"),
            ("2.7", "2.6"),
            ("2.24", "2.23"),
            ("2.25.1", "2.25"),
            ("2.27.0.0-b100", "2.25"),
            ("2024.1.3.0", "2024.1"),
            ("2024.2.1", "2024.2"),
            ("2024.3", "2024.2"),
            ("2025.1.0.0-b1", "2025.1"),
            ("2025.2.0.0", "2025.2"),
            ("2026.1", "2025.2"),
            (" 2.20 ", "2.20"),
        ] {
            assert_eq!(t.resolve(written).as_deref(), Ok(want), "{written}");
        }
    }

    #[test]
    fn too_old_or_not_a_version_is_an_error_listing_versions() {
        let t = targets();
        for bad in ["2.4", "2.0", "2023.1", "2024.0.9"] {
            let e = t.resolve(bad).unwrap_err();
            assert!(e.starts_with("older than every version") && e.contains("2.6, 2.8"), "{bad}: {e}");
        }
        for bad in ["latest", "", "2.x", "two", "9.9", "1.0", "3"] {
            let e = t.resolve(bad).unwrap_err();
            assert!(e.starts_with("not a ZNbaseDB release pg2znb knows") && e.contains("2025.2"), "{bad}: {e}");
        }
    }

    #[test]
    fn server_versions_of_znbasedb() {
        let t = targets();
        for (answer, version, detected) in [
            (
                "PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 16.0.6, 64-bit",
                "2.20",
                "2.20.1.0-b0",
            ),
            (
                "PostgreSQL 11.2-YB-2024.2.3.0-b116 on aarch64-unknown-linux-gnu, compiled by gcc",
                "2024.2",
                "2024.2.3.0-b116",
            ),
            ("PostgreSQL 15.2-YB-2.25.0.0-b489 on x86_64-pc-linux-gnu, compiled by clang", "2.25", "2.25.0.0-b489"),
            ("PostgreSQL 15.2-YB-2025.1.0.0-b168 on x86_64-pc-linux-gnu", "2025.1", "2025.1.0.0-b168"),
            ("PostgreSQL 11.2-YB-2.6.1.0-b0 on x86_64", "2.6", "2.6.1.0-b0"),
        ] {
            let s = t.from_server_version(answer).unwrap();
            assert_eq!((s.version.as_str(), s.detected.as_str(), s.note), (version, detected, None), "{answer}");
        }
        let e = t.from_server_version("PostgreSQL 11.2-YB-2.4.0.0-b0 on x86_64").unwrap_err();
        assert!(e.starts_with("the target runs ZNbaseDB 2.4.0.0-b0, older than every version"), "{e}");
    }

    #[test]
    fn server_versions_of_plain_postgresql() {
        let t = targets();
        for (answer, version) in [
            ("PostgreSQL 11.22 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit", "2024.2"),
            ("PostgreSQL 13.4 on x86_64-pc-linux-gnu", "2024.2"),
            ("PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc", "2025.2"),
            ("PostgreSQL 17devel on x86_64", "2025.2"),
        ] {
            let s = t.from_server_version(answer).unwrap();
            assert_eq!(s.version, version, "{answer}");
            let note = s.note.unwrap();
            assert!(note.contains("not ZNbaseDB") && note.contains("--target-version"), "{note}");
        }
        let e = t.from_server_version("PostgreSQL 10.23 on x86_64").unwrap_err();
        assert!(e.contains("PostgreSQL 10.23, not ZNbaseDB") && e.contains("11.2"), "{e}");
        let e = t.from_server_version("CockroachDB CCL v23.1").unwrap_err();
        assert!(e.contains("cannot tell") && e.contains("--target-version"), "{e}");
    }
}

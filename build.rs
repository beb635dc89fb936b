//! Embeds the built-in rule pack (`rules/**/rule.yaml`, `rules/targets.yaml`) and the settings
//! each PostgreSQL base knows (`rules/settings/postgres-*.txt`) in the binary.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    // Every directory: a rule folder added below it changes its listing, not its parent's.
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.file_name().is_some_and(|n| n == "rule.yaml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();
    let mut src = String::from("pub const BUILTIN_RULES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        src.push_str(&format!("    ({rel:?}, include_str!({:?})),\n", f.display().to_string()));
    }
    src.push_str("];\n");
    let targets = rules.join("targets.yaml");
    println!("cargo:rerun-if-changed={}", targets.display());
    src.push_str(&format!("pub const TARGETS_YAML: &str = include_str!({:?});\n", targets.display().to_string()));
    // The settings each PostgreSQL base knows, by file name (`postgres-11.txt`).
    let settings_dir = rules.join("settings");
    println!("cargo:rerun-if-changed={}", settings_dir.display());
    let mut settings: Vec<PathBuf> = fs::read_dir(&settings_dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect())
        .unwrap_or_default();
    settings.sort();
    src.push_str("pub const BUILTIN_SETTINGS: &[(&str, &str)] = &[\n");
    for f in &settings {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        src.push_str(&format!("    ({name:?}, include_str!({:?})),\n", f.display().to_string()));
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    fs::write(out, src).unwrap();
}

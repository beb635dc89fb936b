//! Locating `../shared/corpus`: absent in a user's clone (skip with a notice), required in CI.

use std::path::{Path, PathBuf};

/// The corpus directory, or `None` (after printing a notice) when it is absent and not required.
/// With `PG2ZNB_CORPUS` set, a missing corpus is a test failure, never a silent skip.
pub fn corpus_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("PG2ZNB_CORPUS") {
        Some(p) => {
            let p = root.join(p);
            assert!(p.is_dir(), "PG2ZNB_CORPUS={} is not a directory", p.display());
            Some(p)
        }
        None => {
            let p = root.join("../shared/corpus");
            if p.is_dir() {
                Some(p)
            } else {
                eprintln!("notice: ../shared/corpus is absent; skipping corpus test (set PG2ZNB_CORPUS to require it)");
                None
            }
        }
    }
}

/// Every `.sql` file below `dir`, sorted, recursively.
pub fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "sql") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The schema files of the corpus that `compile` must handle (issue 2, acceptance 2).
pub const SCHEMA_FILES: &[&str] = &[
    "pagila/pagila-schema-a8bdd3e.sql",
    "pagila/pagila-schema.sql",
    "pgdump15-generated/pagila-full-pgdump15.sql",
    "dvdrental/restore.sql",
    "chinook/Chinook_PostgreSql.sql",
    "northwind/northwind.sql",
    "adventureworks/install.sql",
    "danbooru/structure.sql",
    "openstreetmap-website/structure.sql",
    "coder/dump.sql",
];

//! Compile a file, load source and output into two databases, and compare their catalogs.

use std::path::Path;
use std::process::Command;

use pg2znb::verify::{self, RowMode, VerifyOptions, VerifyReport};

use super::pg::PgServer;

pub fn pg2znb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).output().expect("run pg2znb")
}

/// Databases and output of one round trip; the output directory lives as long as this.
pub struct Loaded {
    pub source_db: String,
    pub target_db: String,
    pub out: tempfile::TempDir,
}

/// Load `file` into `<name>_src`; compile it with `extra` arguments; load pre-data, data and
/// post-data (each with zero errors) into `<name>_tgt`.
pub fn compile_and_load(s: &PgServer, name: &str, file: &Path, extra: &[&str]) -> Loaded {
    let (src, tgt) = (format!("{name}_src"), format!("{name}_tgt"));
    s.create_db(&src);
    s.psql_file(&src, file).unwrap_or_else(|e| panic!("loading source {}: {e}", file.display()));
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let mut args = vec!["compile", file.to_str().unwrap(), "-o", out_dir];
    args.extend_from_slice(extra);
    let o = pg2znb(&args);
    // Exit 1 means error findings: statements moved to unsupported.sql, which the manifest lists.
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "compile {}: {}",
        file.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    s.create_db(&tgt);
    for script in ["pre-data.sql", "data.sql", "post-data.sql"] {
        let path = out.path().join(script);
        if script == "data.sql" && !path.exists() {
            continue;
        }
        s.psql_file(&tgt, &path).unwrap_or_else(|e| panic!("loading {script} of {}: {e}", file.display()));
    }
    Loaded { source_db: src, target_db: tgt, out }
}

/// `compile_and_load`, then compare the two catalogs with the manifest's expected changes.
pub fn compile_load_compare(s: &PgServer, name: &str, file: &Path, extra: &[&str], rows: RowMode) -> VerifyReport {
    let Loaded { source_db: src, target_db: tgt, out } = compile_and_load(s, name, file, extra);
    let manifest = std::fs::read_to_string(out.path().join("manifest.json")).unwrap();
    let opts = VerifyOptions {
        source: s.url(&src),
        target: s.url(&tgt),
        manifest: Some(verify::parse_manifest(&manifest).unwrap()),
        rows,
        ..VerifyOptions::default()
    };
    verify::run(&opts).unwrap_or_else(|e| panic!("{e}"))
}

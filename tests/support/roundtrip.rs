//! Compile a file, load source and output into databases (on the same or another engine), and
//! compare their catalogs.

use std::path::Path;
use std::process::Command;

use pg2znb::verify::{self, RowMode, VerifyOptions, VerifyReport};

use super::pg::PgServer;

pub fn pg2znb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).output().expect("run pg2znb")
}

/// A compiled output directory (lives as long as this).
pub struct Compiled {
    pub out: tempfile::TempDir,
    /// pg2znb's stderr (the human findings and summary).
    pub stderr: String,
}

impl Compiled {
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.out.path().join(name)
    }
}

/// `pg2znb compile FILE -o DIR EXTRA…`; exit 0 or 1 (error findings: statements moved to
/// unsupported.sql, which the manifest lists) is success.
pub fn compile(file: &Path, extra: &[&str]) -> Compiled {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let mut args = vec!["compile", file.to_str().unwrap(), "-o", out_dir];
    args.extend_from_slice(extra);
    let o = pg2znb(&args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(matches!(o.status.code(), Some(0 | 1)), "compile {} {extra:?}: {stderr}", file.display());
    Compiled { out, stderr }
}

/// Load pre-data, data and post-data of `c` into a new database `db` of `s`, each script in its own
/// psql session with ON_ERROR_STOP=1, as the README says; the first error is returned.
pub fn load(s: &PgServer, db: &str, c: &Compiled) -> Result<(), String> {
    s.create_db(db);
    for script in ["pre-data.sql", "data.sql", "post-data.sql"] {
        let path = c.path(script);
        if script == "data.sql" && !path.exists() {
            continue;
        }
        s.psql_file(db, &path).map_err(|e| format!("{script}: {e}"))?;
    }
    Ok(())
}

/// Compare `source_db` on `src` with `target_db` on `tgt`, with the manifest of `c`.
pub fn compare(
    src: &PgServer,
    source_db: &str,
    tgt: &PgServer,
    target_db: &str,
    c: &Compiled,
    rows: RowMode,
) -> VerifyReport {
    let manifest = std::fs::read_to_string(c.path("manifest.json")).unwrap();
    let opts = VerifyOptions {
        source: src.url(source_db),
        target: tgt.url(target_db),
        manifest: Some(verify::parse_manifest(&manifest).unwrap()),
        rows,
        ..VerifyOptions::default()
    };
    verify::run(&opts).unwrap_or_else(|e| panic!("{e}"))
}

/// Databases and output of one round trip on one server; the output directory lives as long as this.
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
    let c = compile(file, extra);
    load(s, &tgt, &c).unwrap_or_else(|e| panic!("loading {}: {e}", file.display()));
    Loaded { source_db: src, target_db: tgt, out: c.out }
}

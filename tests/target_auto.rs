//! `--target-version auto` / `--target URL` against real servers: the target version comes from
//! `select version()`. A plain PostgreSQL (no `-YB-` part) maps to the newest ZNbaseDB release
//! on its major version or an older one, with a note; the ZNbaseDB strings themselves are unit
//! tested in `rules::targets`.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::pg::{Engine, PgServer};

fn pg2znb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pg2znb")).args(args).output().expect("run pg2znb")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Compile and lint with `--target URL` alone and with `--target-version auto`: `want` is the
/// version a server of PostgreSQL `major` leads to.
fn check(server: &PgServer, major: &str, want: &str) {
    let url = server.url("postgres");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/compile/keys-and-deferral.sql");
    let input = input.to_str().unwrap();
    for extra in [vec!["--target", url.as_str()], vec!["--target-version", "auto", "--target", url.as_str()]] {
        let mut args = vec!["compile", input, "-o", out.to_str().unwrap(), "--force"];
        args.extend(&extra);
        let o = pg2znb(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s = stderr(&o);
        assert!(
            s.contains(&format!("pg2znb: note: the target is PostgreSQL {major}."))
                && s.contains("not ZNbaseDB")
                && s.contains(&format!("compiling for {want}, the newest ZNbaseDB release on PostgreSQL")),
            "{s}"
        );
        assert!(s.contains(&format!("for ZNbaseDB {want}, resolved from PostgreSQL {major}.")), "{s}");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["target"], want);
        assert!(report["target_requested"].as_str().unwrap().starts_with(&format!("PostgreSQL {major}.")));
    }
    let o = pg2znb(&["lint", input, "--target", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("for ZNbaseDB {want}, resolved from PostgreSQL {major}.")), "{}", stderr(&o));
}

#[test]
fn auto_reads_select_version_of_postgresql_15_and_11() {
    match PgServer::shared_engine(Engine::Pg15) {
        Some(server) => {
            let v = server.query("postgres", "SHOW server_version_num");
            let num: u32 = v[0][0].as_deref().unwrap().parse().unwrap();
            // 15 and later: the newest release on PostgreSQL 15.
            check(server, &(num / 10000).to_string(), "2025.2");
        }
        None => eprintln!("notice: no PostgreSQL 15 server; skipping that part"),
    }
    // 11: the newest release on the 11.2 base.
    if let Some(server) = PgServer::shared_engine(Engine::Pg11) {
        check(server, "11", "2024.2");
    }
}

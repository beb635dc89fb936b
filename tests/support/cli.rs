//! Running the pg2znb binary from the data-path tests.

use std::path::Path;
use std::process::{Command, Output};

use super::pg::PgServer;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pg2znb"))
}

pub fn migrate_cmd(source: &str, target: &str, workdir: &Path, extra: &[&str]) -> Command {
    let mut c = bin();
    c.arg("migrate").args(["--source", source, "--target", target, "-w"]).arg(workdir).args(extra);
    c
}

pub fn migrate(source: &str, target: &str, workdir: &Path, extra: &[&str]) -> Output {
    migrate_cmd(source, target, workdir, extra).output().expect("run pg2znb migrate")
}

/// stdout then stderr, for messages and assertions.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The first column of the first row of `sql`, as text (empty for NULL).
pub fn scalar(s: &PgServer, db: &str, sql: &str) -> String {
    s.query(db, sql)[0][0].clone().unwrap_or_default()
}

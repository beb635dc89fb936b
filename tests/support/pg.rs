//! A throwaway PostgreSQL server for tests: its own temp directory, a free loopback port, `trust`
//! authentication (plus one password role), stopped and removed when the test process is done.
//!
//! Two engines, the two PostgreSQL bases of ZNbaseDB ([`Engine`]): PostgreSQL 15 (2.25/2025.x) from
//! `$PG2ZNB_PG_BIN`, else `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`; and
//! PostgreSQL 11 (2.x/2024.x) from `$PG2ZNB_PG11_BIN`, else where `scripts/deps.sh` installs it
//! (`/opt/pg2znb/postgresql-11/bin` as root, `~/.cache/pg2znb/postgresql-11/bin` otherwise).
//! Missing binaries skip the test with a notice, unless `PG2ZNB_REQUIRE_PG` is set (then they fail
//! it). As root (initdb refuses to run as root), the
//! directory is given to the `postgres` OS user and initdb/pg_ctl run through `runuser`.
//!
//! Every server has its own `tempfile` directory (never shared between processes) and retries
//! with a new port when another process takes the one it picked.
//!
//! [`PgServer::start_tls`] starts one with `ssl=on` and the given certificate (see `support::tls` to
//! make them).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The role that must authenticate with a password (`scram-sha-256`); every other role is trusted.
/// Create it with [`PgServer::create_password_role`].
pub const PASSWORD_ROLE: &str = "pg2znb_pw";

/// The role that must log in over TLS with a client certificate (`cert`) on a server given a client CA;
/// create it with [`PgServer::create_role`].
pub const CERT_ROLE: &str = "pg2znb_cert";

/// TLS files for [`PgServer::start_tls`], as PEM.
pub struct ServerTls {
    /// The certificate (chain) the server presents, and its key.
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
    /// The CA the server trusts for client certificates ([`CERT_ROLE`]).
    pub client_ca: Option<Vec<u8>>,
}

pub struct PgServer {
    /// `None` once handed to the watchdog (shared server).
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn has_server(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() && dir.join("postgres").is_file()
}

/// The PostgreSQL engine a test server runs: the base of the ZNbaseDB versions it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// PostgreSQL 11 (11.22): the engine of ZNbaseDB 2.6 … 2024.2.
    Pg11,
    /// Debian's PostgreSQL (15): the engine of ZNbaseDB 2.25 / 2025.x, and the source in tests.
    Pg15,
}

impl Engine {
    pub fn major(self) -> u32 {
        match self {
            Engine::Pg11 => 11,
            Engine::Pg15 => 15,
        }
    }

    /// Directory holding initdb, pg_ctl and postgres for this engine.
    pub fn bin(self) -> Option<PathBuf> {
        match self {
            Engine::Pg15 => find_bin(),
            Engine::Pg11 => find_pg11_bin(),
        }
    }
}

fn find_pg11_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PG2ZNB_PG11_BIN") {
        let p = PathBuf::from(p);
        return has_server(&p).then_some(p);
    }
    let mut dirs = vec![PathBuf::from("/opt/pg2znb/postgresql-11/bin")];
    if let Some(dir) = std::env::var_os("PG2ZNB_PG11_DIR") {
        dirs.insert(0, PathBuf::from(dir).join("bin"));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(c) = cache {
        dirs.push(c.join("pg2znb/postgresql-11/bin"));
    }
    dirs.into_iter().find(|d| has_server(d))
}

/// Directory holding initdb, pg_ctl and postgres (the PostgreSQL 15 engine).
pub fn find_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PG2ZNB_PG_BIN") {
        let p = PathBuf::from(p);
        return has_server(&p).then_some(p);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_server(&p) {
            return Some(p);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

fn output_text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("bind 127.0.0.1:0")
}

/// A loopback port nothing listens on (for connection-failure tests).
pub fn closed_port() -> u16 {
    free_port()
}

impl PgServer {
    /// A new server, or `None` (after a notice) when PostgreSQL is not installed.
    pub fn start() -> Option<PgServer> {
        PgServer::start_with(Engine::Pg15, None)
    }

    /// A new server of `engine`, or `None` as [`PgServer::start`].
    pub fn start_engine(engine: Engine) -> Option<PgServer> {
        PgServer::start_with(engine, None)
    }

    /// A new server with `ssl=on` (plain connections are still accepted), or `None` as [`PgServer::start`].
    pub fn start_tls(tls: &ServerTls) -> Option<PgServer> {
        PgServer::start_with(Engine::Pg15, Some(tls))
    }

    fn start_with(engine: Engine, tls: Option<&ServerTls>) -> Option<PgServer> {
        let Some(bin) = engine.bin() else {
            if std::env::var_os("PG2ZNB_REQUIRE_PG").is_some() {
                panic!(
                    "PG2ZNB_REQUIRE_PG is set but no PostgreSQL {} server binaries were found \
                     (run scripts/deps.sh, or set {} to the directory holding initdb, pg_ctl and postgres)",
                    engine.major(),
                    if engine == Engine::Pg11 { "PG2ZNB_PG11_BIN" } else { "PG2ZNB_PG_BIN" }
                );
            }
            eprintln!("notice: PostgreSQL {} server binaries not found; skipping", engine.major());
            return None;
        };
        let as_postgres_user = effective_uid() == Some(0);
        let dir = tempfile::Builder::new().prefix("pg2znb-pg-").tempdir().expect("create temp dir");
        let path = dir.path().to_path_buf();
        let mut server = PgServer { dir: Some(dir), path, bin, port: 0, as_postgres_user };
        if as_postgres_user {
            let o = Command::new("chown").arg("postgres:").arg(&server.path).output().expect("run chown");
            assert!(o.status.success(), "chown postgres {}: {}", server.path.display(), output_text(&o));
        }
        let data = server.data_dir();
        let o = server
            .pg_command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-E", "UTF8", "--locale=C", "-U", "postgres", "--no-sync"])
            .output()
            .expect("run initdb");
        assert!(o.status.success(), "initdb failed: {}", output_text(&o));
        let mut options = String::new();
        let mut hba = String::new();
        if let Some(tls) = tls {
            server.write_private(&data.join("server.crt"), &tls.cert);
            server.write_private(&data.join("server.key"), &tls.key);
            options.push_str(" -c ssl=on");
            if let Some(ca) = &tls.client_ca {
                server.write_private(&data.join("client_ca.crt"), ca);
                options.push_str(" -c ssl_ca_file=client_ca.crt");
                hba.push_str(&format!("hostssl all {CERT_ROLE} 127.0.0.1/32 cert\n"));
            }
        }
        hba.push_str(&format!(
            "local all all trust\n\
             host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n\
             host all all 127.0.0.1/32 trust\n\
             host all all ::1/128 trust\n"
        ));
        std::fs::write(data.join("pg_hba.conf"), hba).expect("write pg_hba.conf");

        let mut last = String::new();
        for _ in 0..8 {
            let port = free_port();
            let o = server
                .pg_command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(server.path.join("server.log"))
                .arg("-o")
                .arg(format!(
                    "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                     -c synchronous_commit=off -c full_page_writes=off{options}",
                    server.path.display()
                ))
                .output()
                .expect("run pg_ctl start");
            if o.status.success() {
                server.port = port;
                return Some(server);
            }
            // Most likely another process took the port between our probe and the bind: retry.
            last = format!(
                "{}\n{}",
                output_text(&o),
                std::fs::read_to_string(server.path.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("pg_ctl start failed 8 times; last attempt:\n{last}");
    }

    /// One server for the whole test process. Statics are never dropped, so a watchdog process
    /// stops the server and removes its directory once this process has exited.
    pub fn shared() -> Option<&'static PgServer> {
        PgServer::shared_engine(Engine::Pg15)
    }

    /// [`PgServer::shared`] for `engine`: one server of each engine per test process.
    pub fn shared_engine(engine: Engine) -> Option<&'static PgServer> {
        static PG11: OnceLock<Option<PgServer>> = OnceLock::new();
        static PG15: OnceLock<Option<PgServer>> = OnceLock::new();
        let cell = match engine {
            Engine::Pg11 => &PG11,
            Engine::Pg15 => &PG15,
        };
        cell.get_or_init(|| PgServer::start_engine(engine).map(PgServer::keep_until_exit)).as_ref()
    }

    fn spawn_watchdog(&mut self) {
        let stop = format!(
            "{}'{}' stop -D '{}' -m immediate",
            if self.as_postgres_user { "runuser -u postgres -- " } else { "" },
            self.bin.join("pg_ctl").display(),
            self.data_dir().display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.path.display()
        );
        let spawned = Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .or_else(|_| {
                Command::new("sh")
                    .args(["-c", &script])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
            });
        if spawned.is_ok() {
            // The watchdog removes the directory; keep TempDir from doing it too.
            if let Some(d) = self.dir.take() {
                let _ = d.keep();
            }
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.path.join("data")
    }

    /// Write a file only the server's OS user can read (the server refuses a group-readable key).
    fn write_private(&self, path: &Path, contents: &[u8]) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        f.write_all(contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        if self.as_postgres_user {
            let o = Command::new("chown").arg("postgres:").arg(path).output().expect("run chown");
            assert!(o.status.success(), "chown postgres {}: {}", path.display(), output_text(&o));
        }
    }

    /// Keep a server owned by a `static` alive until this process exits, then stop and remove it
    /// (statics are never dropped).
    pub fn keep_until_exit(mut self) -> PgServer {
        self.spawn_watchdog();
        self
    }

    /// A server binary, run as the `postgres` OS user when we are root.
    fn pg_command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c.current_dir("/");
            c
        } else {
            Command::new(exe)
        }
    }

    /// A client program of this server's installation (pg_dump, psql), else the one on `PATH`.
    pub fn bin_path(&self, program: &str) -> PathBuf {
        let p = self.bin.join(program);
        if p.is_file() {
            p
        } else {
            PathBuf::from(program)
        }
    }

    /// The server's temporary directory (removed with it); tests may put their own files here.
    pub fn dir(&self) -> &Path {
        &self.path
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connection URL for database `db` as the `postgres` superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{db}?sslmode=disable", self.port)
    }

    /// Connection URL for `db` as [`PASSWORD_ROLE`] with `password`.
    pub fn password_url(&self, db: &str, password: &str) -> String {
        format!("postgresql://{PASSWORD_ROLE}:{password}@127.0.0.1:{}/{db}?sslmode=disable", self.port)
    }

    /// Create (once) a login role without a password.
    pub fn create_role(&self, name: &str) {
        self.exec(
            "postgres",
            &format!("DO $$ BEGIN CREATE ROLE {name} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"),
        );
    }

    /// Create (once) [`PASSWORD_ROLE`], which logs in with `password` only.
    pub fn create_password_role(&self, password: &str) {
        self.exec(
            "postgres",
            &format!(
                "DO $$ BEGIN CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{password}'; \
                 EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ),
        );
    }

    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(db), postgres::NoTls).unwrap_or_else(|e| panic!("connect to {db}: {e}"))
    }

    /// Run SQL (several statements allowed) in `db`; an error is returned with the server's message.
    pub fn try_exec(&self, db: &str, sql: &str) -> Result<(), String> {
        self.client(db).batch_execute(sql).map_err(|e| match e.as_db_error() {
            Some(d) => format!("{}: {}", d.severity(), d.message()),
            None => e.to_string(),
        })
    }

    /// Run SQL in `db`; panics with the server's message on error.
    pub fn exec(&self, db: &str, sql: &str) {
        if let Err(e) = self.try_exec(db, sql) {
            panic!("in {db}: {sql}\n{e}");
        }
    }

    /// Rows of a query, each value as text (`None` for NULL).
    pub fn query(&self, db: &str, sql: &str) -> Vec<Vec<Option<String>>> {
        let msgs = self.client(db).simple_query(sql).unwrap_or_else(|e| panic!("in {db}: {sql}\n{e}"));
        msgs.into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect()
    }

    /// `CREATE DATABASE name`.
    pub fn create_db(&self, name: &str) {
        self.exec("postgres", &format!("CREATE DATABASE \"{name}\""));
    }

    /// `CREATE DATABASE name TEMPLATE template` (retried while another session briefly holds
    /// the template).
    pub fn create_db_from(&self, name: &str, template: &str) {
        let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        for _ in 0..50 {
            match self.try_exec("postgres", &sql) {
                Ok(()) => return,
                Err(e) if e.contains("being accessed by other users") => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => panic!("{sql}: {e}"),
            }
        }
        panic!("{sql}: template stayed busy");
    }

    /// Run a script the way users load pg_dump output: `psql -X -q -v ON_ERROR_STOP=1 -f FILE`
    /// (no single transaction). Any `ERROR` in psql's output, or a failing exit, is the error.
    pub fn psql_file(&self, db: &str, path: &Path) -> Result<(), String> {
        let psql = if self.bin.join("psql").is_file() { self.bin.join("psql") } else { PathBuf::from("psql") };
        let o = Command::new(psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(db)
            .arg("-f")
            .arg(path)
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run psql: {e}"))?;
        let stderr = String::from_utf8_lossy(&o.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("ERROR")).collect();
        if !errors.is_empty() {
            return Err(errors.join("\n"));
        }
        if !o.status.success() {
            return Err(format!("psql exited with {}: {stderr}", o.status));
        }
        Ok(())
    }

    /// The server log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path.join("server.log")).unwrap_or_default()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.dir.is_none() {
            return; // the watchdog owns it
        }
        let _ = self
            .pg_command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

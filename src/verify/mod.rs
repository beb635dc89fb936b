//! `verify`: compare a live target database with the source database over the PostgreSQL wire
//! protocol, optionally excusing the differences a compile manifest declares (issue 5).
//!
//! - [`catalog`]: a deterministic [`Catalog`] snapshot of one database ([`catalog::snapshot`]).
//! - [`diff`]: compare two snapshots ([`diff::compare`]), apply a manifest.
//! - [`rows`]: exact or estimated row counts. [`sequences`]: sequence positions on the target.
//! - [`report`]: [`VerifyReport`], rendered as a human summary or JSON.
//! - [`normalize`]: the spelling normalizations applied before comparing definitions.
//! - [`tls`]: libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, over OpenSSL.
//!
//! [`run`] does all of it; the CLI prints the report and exits with [`VerifyReport::exit_code`]
//! (0 no unexpected difference, 1 unexpected differences) or, on error, with
//! [`VerifyError::exit_code`] (2).
//!
//! Connections use TLS as libpq does: `sslmode=prefer` by default, `require`, `verify-ca` and
//! `verify-full` with the certificate checks [`tls`] describes; `PGSSLMODE` and friends apply.

pub mod catalog;
pub mod diff;
pub mod normalize;
pub mod origin;
pub mod report;
pub mod rows;
pub mod sequences;
pub mod tls;

use std::collections::BTreeSet;
use std::fmt;
use std::io::IsTerminal;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use postgres::{Client, NoTls};
use postgres_openssl::MakeTlsConnector;
use tokio_postgres::config::Host;
// The async config: the sync client is made from it, and the copy's source side uses it as is.
use tls::Tls;
use tokio_postgres::Config;

pub use catalog::{snapshot, Catalog, QualName};
pub use diff::{compare, Comparison, Difference, Problem};
pub use report::{Format, Summary, VerifyReport, EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK};
pub use rows::RowMode;

use crate::manifest::{Manifest, ObjectKind, MANIFEST_FORMAT};

/// What `pg2znb verify` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// libpq-style URL (`postgresql://user:pw@host:port/db?sslmode=verify-full&sslrootcert=ca.pem`) or
    /// `key=value` string.
    pub source: String,
    pub target: String,
    /// Parsed `manifest.json` (see [`parse_manifest`]); its changes make differences expected.
    pub manifest: Option<Manifest>,
    /// Schemas to compare; empty = every non-system schema.
    pub schemas: Vec<String>,
    pub rows: RowMode,
    /// Show a progress bar while counting rows (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Read the source's rows in this exported snapshot (`pg_export_snapshot()`, held open by its
    /// exporter): as of that instant, whatever was written since (the catalog is read as it is).
    pub source_snapshot: Option<String>,
}

/// Which database an error or difference is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Source,
    Target,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Target => "target",
        })
    }
}

/// Why `verify` could not produce a report. Every message is one line; exit code 2.
/// `origin` is empty or `source (host:port/db): `.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{origin}invalid connection string: {message}")]
    Url { origin: String, message: String },
    #[error("{origin}cannot connect: {message}")]
    Connect { origin: String, message: String },
    #[error("{origin}{context} failed: {message}")]
    Query { origin: String, context: String, message: String },
    #[error("manifest: {0}")]
    Manifest(String),
}

impl VerifyError {
    pub fn exit_code(&self) -> i32 {
        EXIT_ERROR
    }

    pub(crate) fn query(context: &str, e: &postgres::Error) -> Self {
        VerifyError::Query { origin: String::new(), context: context.to_string(), message: pg_message(e) }
    }

    /// Say which server the error came from (when not said yet).
    fn at(mut self, side: Side, endpoint: &str) -> Self {
        let o = match &mut self {
            VerifyError::Url { origin, .. }
            | VerifyError::Connect { origin, .. }
            | VerifyError::Query { origin, .. } => origin,
            VerifyError::Manifest(_) => return self,
        };
        if o.is_empty() {
            *o = if endpoint.is_empty() { format!("{side}: ") } else { format!("{side} ({endpoint}): ") };
        }
        self
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The server's message (`FATAL: password authentication failed for user "x"`), or the client
/// error with its causes, on one line.
pub(crate) fn pg_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = format!("{}: {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            m.push_str(&format!(" (DETAIL: {d})"));
        }
        if let Some(h) = db.hint() {
            m.push_str(&format!(" (HINT: {h})"));
        }
        return one_line(&m);
    }
    // Each cause once (some errors print their cause in their own message too), with OpenSSL's error
    // stacks cut to their reasons.
    let mut chain = vec![e.to_string()];
    let mut stacks = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        stacks.extend(tls::openssl_reasons(s));
        chain.push(s.to_string());
        source = s.source();
    }
    let mut m = String::new();
    for part in chain {
        let part = stacks.iter().fold(part, |p, (raw, reasons)| p.replace(raw, reasons));
        if !m.contains(&part) {
            if !m.is_empty() {
                m.push_str(": ");
            }
            m.push_str(&part);
        }
    }
    one_line(&m)
}

/// A parsed connection string and how to name it in messages (no password).
struct Endpoint {
    side: Side,
    config: Config,
    /// `None` when the connection does not use TLS.
    tls: Option<Tls>,
    name: String,
}

impl Endpoint {
    fn parse(side: Side, url: &str) -> Result<Endpoint, VerifyError> {
        parse_config(url).map(|(config, tls, name)| Endpoint { side, config, tls, name }).map_err(|e| e.at(side, ""))
    }

    fn connect(&self) -> Result<Client, VerifyError> {
        open(&self.config, self.tls.as_ref())
            .map_err(|message| VerifyError::Connect { origin: String::new(), message })
            .map_err(|e| e.at(self.side, &self.name))
    }
}

/// Connect, with TLS when `tls` is given; the error is one line.
fn open(config: &Config, tls: Option<&Tls>) -> Result<Client, String> {
    open_with(config, tls, |tls| tls.connector())
}

/// [`open`] with the TLS connector from `make` (a [`Connector`] builds it once).
fn open_with(
    config: &Config,
    tls: Option<&Tls>,
    make: impl FnOnce(&Tls) -> Result<MakeTlsConnector, String>,
) -> Result<Client, String> {
    let config = postgres::Config::from(config.clone());
    match tls {
        None => config.connect(NoTls).map_err(|e| pg_message(&e)),
        Some(tls) => config.connect(make(tls)?).map_err(|e| {
            let m = pg_message(&e);
            // tokio-postgres does not say why TLS was needed.
            if m.ends_with("server does not support TLS") {
                format!("{m}, which sslmode={} requires", tls.mode)
            } else {
                m
            }
        }),
    }
}

fn url_error(message: String) -> VerifyError {
    VerifyError::Url { origin: String::new(), message }
}

/// What libpq takes from the environment when the connection string leaves it out: `PGHOST`
/// (else the Unix socket directory `/var/run/postgresql`, as Debian's libpq), `PGPORT`,
/// `PGDATABASE`, `PGUSER` (else the OS user), `PGPASSWORD`, else the password file (`PGPASSFILE`,
/// else `~/.pgpass`, whose lines are `host:port:db:user:password` with `*` wildcards).
/// `PGSERVICE` is not read.
fn apply_libpq_env(config: &mut Config, env: impl Fn(&str) -> Option<String>) {
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(hosts) => {
                for h in hosts.split(',').filter(|h| !h.is_empty()) {
                    if h.starts_with('/') {
                        config.host_path(h);
                    } else {
                        config.host(h);
                    }
                }
            }
            None => {
                config.host_path("/var/run/postgresql");
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT").and_then(|p| p.parse::<u16>().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        if let Some(u) = env("PGUSER").or_else(|| env("USER")) {
            config.user(&u);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(d) = env("PGDATABASE").or_else(|| config.get_user().map(str::to_string)) {
            config.dbname(&d);
        }
    }
    if config.get_password().is_none() {
        if let Some(p) = env("PGPASSWORD") {
            config.password(p);
        } else if let Some(p) = pgpass_password(config, &env) {
            config.password(p);
        }
    }
}

/// The password `~/.pgpass` (or `PGPASSFILE`) gives for the config's first host, port, database and
/// user, as libpq reads it (first matching line; `*` matches anything; `\:` and `\\` escaped).
fn pgpass_password(config: &Config, env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    let path = env("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| env("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first()? {
        Host::Tcp(h) => h.clone(),
        Host::Unix(_) => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let want = [host.as_str(), port.as_str(), config.get_dbname().unwrap_or(""), config.get_user().unwrap_or("")];
    text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let fields = pgpass_fields(line);
        (fields.len() == 5 && fields[..4].iter().zip(want).all(|(f, w)| f == "*" || f == w)).then(|| fields[4].clone())
    })
}

/// The fields of one `.pgpass` line.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().unwrap().extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[cfg(test)]
mod libpq_env_tests {
    use super::*;

    fn config_with(url: &str, vars: &[(&str, &str)]) -> Config {
        let mut c = Config::from_str(url).unwrap();
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        apply_libpq_env(&mut c, |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
        c
    }

    #[test]
    fn the_environment_fills_what_the_url_leaves_out() {
        let c = config_with("postgresql:///shop", &[("PGHOST", "db.internal"), ("PGPORT", "5433"), ("PGUSER", "app")]);
        assert_eq!(c.get_hosts(), &[Host::Tcp("db.internal".into())]);
        assert_eq!(c.get_ports(), &[5433]);
        assert_eq!((c.get_user(), c.get_dbname()), (Some("app"), Some("shop")));
        // The URL wins over the environment.
        let c = config_with("postgresql://u@h:1/d", &[("PGHOST", "x"), ("PGPORT", "2"), ("PGDATABASE", "y")]);
        assert_eq!(
            (c.get_hosts(), c.get_ports(), c.get_dbname()),
            (&[Host::Tcp("h".into())][..], &[1u16][..], Some("d"))
        );
        let c = config_with("postgresql://", &[("PGHOST", "/tmp/sock"), ("PGDATABASE", "y"), ("USER", "me")]);
        assert_eq!(c.get_hosts(), &[Host::Unix("/tmp/sock".into())]);
        assert_eq!((c.get_user(), c.get_dbname()), (Some("me"), Some("y")));
    }

    #[test]
    fn pgpass_gives_the_password_of_the_first_matching_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "# comment\nother:*:*:*:nope\ndb.internal:5433:*:app:s3cr\\:et\n*:*:*:*:fallback\n")
            .unwrap();
        let f = file.to_str().unwrap();
        let c = config_with("postgresql://app@db.internal:5433/shop", &[("PGPASSFILE", f)]);
        assert_eq!(c.get_password(), Some(&b"s3cr:et"[..]));
        let c = config_with("postgresql://bob@elsewhere/shop", &[("PGPASSFILE", f)]);
        assert_eq!(c.get_password(), Some(&b"fallback"[..]));
        // PGPASSWORD wins over the file.
        let c = config_with("postgresql://app@db.internal:5433/shop", &[("PGPASSFILE", f), ("PGPASSWORD", "env")]);
        assert_eq!(c.get_password(), Some(&b"env"[..]));
    }
}

/// The `postgres` config, the TLS settings (`None`: no TLS) and the endpoint's name for messages.
fn parse_config(url: &str) -> Result<(Config, Option<Tls>, String), VerifyError> {
    // `Config` rejects the parameters it does not know (sslrootcert, ...): take ours out first.
    let (url, params) = tls::split(url).map_err(url_error)?;
    let mut config = Config::from_str(&url).map_err(|e| {
        let m = pg_message(&e);
        VerifyError::Url {
            origin: String::new(),
            message: m.strip_prefix("invalid connection string: ").unwrap_or(&m).to_string(),
        }
    })?;
    apply_libpq_env(&mut config, |k| std::env::var(k).ok());
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let tls = Tls::resolve(&params, |k| std::env::var(k).ok(), home.as_deref()).map_err(url_error)?;
    let tls = tls.configure(&mut config).then_some(tls);
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or_default().to_string();
    Ok((config, tls, format!("{host}:{port}/{db}")))
}

/// A parsed connection string that connects (again) on demand: `apply` reconnects after a transient
/// error. TLS, `PGUSER`, `PGPASSWORD` and friends as for `verify`; [`Connector::name`] is
/// `host:port/db`, never with the password.
#[derive(Clone)]
pub struct Connector {
    config: Config,
    tls: Option<Tls>,
    params: tls::TlsParams,
    name: String,
    /// The OpenSSL connector, built on first use and shared by every session and clone: building
    /// one loads the system's root certificates, a measurable part of the copy's CPU when each of
    /// a migration's sessions did it.
    made: Arc<OnceLock<Result<MakeTlsConnector, String>>>,
}

impl Connector {
    pub fn parse(url: &str) -> Result<Connector, VerifyError> {
        let (config, tls, name) = parse_config(url)?;
        let (_, params) = tls::split(url).map_err(url_error)?;
        Ok(Connector { config, tls, params, name, made: Arc::default() })
    }

    /// The connection as a libpq `key=value` string for a child program (`pg_dump`), without the
    /// password, and the password apart (for the child's `PGPASSWORD`, never its command line).
    pub fn libpq_conninfo(&self) -> (String, Option<String>) {
        fn quoted(v: &str) -> String {
            format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        let mut parts = Vec::new();
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(h) => h.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        if !hosts.is_empty() {
            parts.push(format!("host={}", quoted(&hosts.join(","))));
        }
        let ports: Vec<String> = self.config.get_ports().iter().map(|p| p.to_string()).collect();
        if !ports.is_empty() {
            parts.push(format!("port={}", quoted(&ports.join(","))));
        }
        for (key, value) in [
            ("user", self.config.get_user()),
            ("dbname", self.config.get_dbname()),
            ("application_name", self.config.get_application_name()),
            ("sslrootcert", self.params.sslrootcert.as_deref()),
            ("sslcert", self.params.sslcert.as_deref()),
            ("sslkey", self.params.sslkey.as_deref()),
        ] {
            if let Some(v) = value {
                parts.push(format!("{key}={}", quoted(v)));
            }
        }
        if let Some(m) = self.params.sslmode {
            parts.push(format!("sslmode={m}"));
        }
        if let Some(t) = self.config.get_connect_timeout() {
            parts.push(format!("connect_timeout={}", t.as_secs().max(1)));
        }
        let password = self.config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
        (parts.join(" "), password)
    }

    /// Set `application_name` (shown in `pg_stat_activity`) unless the connection string sets it.
    pub fn application_name(mut self, name: &str) -> Self {
        if self.config.get_application_name().is_none() {
            self.config.application_name(name);
        }
        self
    }

    /// `host:port/db`, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The hosts of the connection string with their ports, in order (a multi-host string
    /// `host=a,b,c` or `postgresql://a,b,c/db` lists several; one port applies to every host).
    pub fn hosts(&self) -> Vec<(String, u16)> {
        let ports = self.config.get_ports();
        self.config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let name = match h {
                    Host::Tcp(h) => h.clone(),
                    Host::Unix(p) => p.display().to_string(),
                };
                (name, ports.get(i).or(ports.first()).copied().unwrap_or(5432))
            })
            .collect()
    }

    /// The same connection (user, password, database, TLS, timeouts) to one host only: spreads
    /// connections over the hosts of a cluster. A host starting with `/` is a socket directory.
    pub fn on_host(&self, host: &str, port: u16) -> Connector {
        let c = &self.config;
        let mut n = Config::new();
        if host.starts_with('/') {
            n.host_path(host);
        } else {
            n.host(host);
        }
        n.port(port);
        if let Some(v) = c.get_user() {
            n.user(v);
        }
        if let Some(v) = c.get_password() {
            n.password(v);
        }
        if let Some(v) = c.get_dbname() {
            n.dbname(v);
        }
        if let Some(v) = c.get_options() {
            n.options(v);
        }
        if let Some(v) = c.get_application_name() {
            n.application_name(v);
        }
        if let Some(v) = c.get_connect_timeout() {
            n.connect_timeout(*v);
        }
        if let Some(v) = c.get_tcp_user_timeout() {
            n.tcp_user_timeout(*v);
        }
        n.ssl_mode(c.get_ssl_mode())
            .ssl_negotiation(c.get_ssl_negotiation())
            .keepalives(c.get_keepalives())
            .keepalives_idle(c.get_keepalives_idle())
            .channel_binding(c.get_channel_binding());
        if let Some(v) = c.get_keepalives_interval() {
            n.keepalives_interval(v);
        }
        if let Some(v) = c.get_keepalives_retries() {
            n.keepalives_retries(v);
        }
        let db = c.get_dbname().or(c.get_user()).unwrap_or_default();
        Connector {
            config: n,
            tls: self.tls.clone(),
            params: self.params.clone(),
            name: format!("{host}:{port}/{db}"),
            made: self.made.clone(),
        }
    }

    /// The database the connection string names (or the user's, as libpq defaults it).
    pub fn dbname(&self) -> Option<&str> {
        self.config.get_dbname().or(self.config.get_user())
    }

    /// The same server and credentials, another database (`migrate` creates a missing target
    /// database from the `postgres` one).
    pub fn with_dbname(&self, db: &str) -> Connector {
        let mut config = self.config.clone();
        config.dbname(db);
        let name = match self.name.rsplit_once('/') {
            Some((endpoint, _)) => format!("{endpoint}/{db}"),
            None => db.to_string(),
        };
        Connector { config, tls: self.tls.clone(), params: self.params.clone(), name, made: self.made.clone() }
    }

    /// A new session on the async client, its connection driven by `rt` (a current-thread
    /// runtime: the connection makes progress only inside `rt.block_on`).
    pub fn connect_async(&self, rt: &tokio::runtime::Runtime) -> Result<tokio_postgres::Client, VerifyError> {
        fn spawn<S, T>(
            rt: &tokio::runtime::Runtime,
            (client, conn): (tokio_postgres::Client, tokio_postgres::Connection<S, T>),
        ) -> tokio_postgres::Client
        where
            S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
            T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
        {
            rt.spawn(async move {
                let _ = conn.await;
            });
            client
        }
        let opened = match &self.tls {
            None => rt.block_on(self.config.connect(NoTls)).map(|c| spawn(rt, c)).map_err(|e| pg_message(&e)),
            Some(tls) => {
                let connector = self
                    .tls_connector(tls)
                    .map_err(|message| VerifyError::Connect { origin: format!("{}: ", self.name), message })?;
                rt.block_on(self.config.connect(connector)).map(|c| spawn(rt, c)).map_err(|e| pg_message(&e))
            }
        };
        opened.map_err(|message| VerifyError::Connect { origin: format!("{}: ", self.name), message })
    }

    fn tls_connector(&self, tls: &Tls) -> Result<MakeTlsConnector, String> {
        self.made.get_or_init(|| tls.connector()).clone()
    }

    /// A new session, without any session settings.
    pub fn connect(&self) -> Result<Client, VerifyError> {
        open_with(&self.config, self.tls.as_ref(), |tls| self.tls_connector(tls))
            .map_err(|message| VerifyError::Connect { origin: format!("{}: ", self.name), message })
    }
}

/// Connect to `url` (with TLS as its sslmode says) with the session settings [`catalog::snapshot`] uses.
pub fn connect(url: &str) -> Result<Client, VerifyError> {
    let (config, tls, name) = parse_config(url)?;
    let mut client =
        open(&config, tls.as_ref()).map_err(|message| VerifyError::Connect { origin: format!("{name}: "), message })?;
    catalog::prepare_session(&mut client)?;
    Ok(client)
}

/// What `select version()` answers on the server at `url` (TLS as its sslmode says): for
/// `--target-version auto` (`rules::Targets::from_server_version` reads it).
pub fn server_version(url: &str) -> Result<String, VerifyError> {
    let mut client = connect(url)?;
    let name = parse_config(url).map(|(_, _, name)| name).unwrap_or_default();
    let row = client
        .query_one("SELECT pg_catalog.version()", &[])
        .map_err(|e| VerifyError::query("select version()", &e).at(Side::Target, &name))?;
    row.try_get::<_, String>(0).map_err(|e| VerifyError::query("select version()", &e).at(Side::Target, &name))
}

/// Parse `manifest.json` text.
pub fn parse_manifest(text: &str) -> Result<Manifest, VerifyError> {
    // pg2znb's other JSON files, given by mistake: say which one it is.
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(text) {
        let other = if o.contains_key("statements") && o.contains_key("summary") {
            Some("compile's report.json")
        } else if o.contains_key("steps") {
            Some("a migrate status.json")
        } else if o.contains_key("diagnostics") {
            Some("a findings file (compile or lint --format json)")
        } else {
            None
        };
        if let Some(what) = other {
            return Err(VerifyError::Manifest(format!(
                "this is {what}, not a manifest: pass the manifest.json that compile wrote beside it"
            )));
        }
    }
    let m: Manifest = serde_json::from_str(text).map_err(|e| VerifyError::Manifest(e.to_string()))?;
    if m.format != MANIFEST_FORMAT {
        return Err(VerifyError::Manifest(format!(
            "format {} is not supported (this pg2znb reads format {MANIFEST_FORMAT})",
            m.format
        )));
    }
    Ok(m)
}

#[cfg(test)]
mod manifest_tests {
    #[test]
    fn our_other_files_are_named() {
        let report = r#"{"format": 1, "target": "2.6", "summary": {}, "statements": [], "diagnostics": []}"#;
        let e = super::parse_manifest(report).unwrap_err().to_string();
        assert!(e.contains("report.json") && e.contains("manifest.json"), "{e}");
        let findings = r#"{"summary": {}, "diagnostics": []}"#;
        assert!(super::parse_manifest(findings).unwrap_err().to_string().contains("findings file"));
        let manifest = r#"{"format": 1, "target": "2.6", "objects": [], "changes": []}"#;
        assert!(super::parse_manifest(manifest).is_ok());
    }
}

/// What one side yields.
struct Collected {
    catalog: Catalog,
    rows: Option<rows::RowCounts>,
    checksums: Option<rows::RowChecksums>,
    sequences: Vec<sequences::SequenceCheck>,
}

fn collect(
    ep: &Endpoint,
    mut client: Client,
    opts: &VerifyOptions,
    progress: Option<&ProgressBar>,
) -> Result<Collected, VerifyError> {
    let mut inner = || -> Result<Collected, VerifyError> {
        let catalog = catalog::snapshot(&mut client, &opts.schemas)?;
        let sequences = if ep.side == Side::Target { sequences::check(&mut client, &catalog)? } else { Vec::new() };
        let tables = rows::countable_tables(&catalog);
        // The rows as of the exported snapshot (the catalog above is read in a transaction of its
        // own: as it is now).
        if let (Side::Source, Some(id)) = (ep.side, &opts.source_snapshot) {
            let sql = format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
                id.replace('\'', "''")
            );
            client.batch_execute(&sql).map_err(|e| VerifyError::query("read in the exported snapshot", &e))?;
        }
        if let (Some(p), RowMode::Exact | RowMode::Checksum) = (progress, opts.rows) {
            p.inc_length(tables.len() as u64);
        }
        let mut checksums = None;
        let rows = match opts.rows {
            RowMode::None => None,
            RowMode::Estimate => Some(rows::estimated_counts(&mut client, &tables)?),
            RowMode::Exact => Some(rows::exact_counts(&mut client, &tables, progress)?),
            RowMode::Checksum => {
                let sums = rows::checksums(&mut client, &tables, progress)?;
                let counts = rows::counts_of(&sums);
                checksums = Some(sums);
                Some(counts)
            }
        };
        Ok(Collected { catalog, rows, checksums, sequences })
    };
    inner().map_err(|e| e.at(ep.side, &ep.name))
}

fn progress_bar(opts: &VerifyOptions) -> Option<ProgressBar> {
    if !(opts.progress && matches!(opts.rows, RowMode::Exact | RowMode::Checksum) && std::io::stderr().is_terminal()) {
        return None;
    }
    let p = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("counting rows {bar:40} {pos}/{len} tables") {
        p.set_style(style);
    }
    Some(p)
}

/// Run `a` and `b` on two threads; a panic in either is resumed here.
fn in_parallel<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = scope.spawn(b);
        let a = a.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        let b = b.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (a, b)
    })
}

/// Compare `opts.source` with `opts.target`. Both sides are read in parallel.
pub fn run(opts: &VerifyOptions) -> Result<VerifyReport, VerifyError> {
    let source = Endpoint::parse(Side::Source, &opts.source)?;
    let target = Endpoint::parse(Side::Target, &opts.target)?;
    // Connect to both first, so a bad target fails before any long work on the source.
    let (src_client, tgt_client) = in_parallel(|| source.connect(), || target.connect());
    let (src_client, tgt_client) = (src_client?, tgt_client?);
    let progress = progress_bar(opts);
    let (src, tgt) = in_parallel(
        || collect(&source, src_client, opts, progress.as_ref()),
        || collect(&target, tgt_client, opts, progress.as_ref()),
    );
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let (src, tgt) = (src?, tgt?);

    let Comparison { mut matched, mut differences } = diff::compare(&src.catalog, &tgt.catalog, opts.manifest.as_ref());

    // A schema asked for by name that exists on neither side is most likely a typo.
    for s in &opts.schemas {
        if !src.catalog.schemas.contains(s) && !tgt.catalog.schemas.contains(s) {
            differences.push(Difference::new(
                ObjectKind::Schema,
                Some(s),
                None,
                s,
                catalog::display_ident(s),
                Problem::Missing,
                "asked for with --schema, but absent on both the source and the target".into(),
            ));
        }
    }

    if let (Some(a), Some(b)) = (&src.rows, &tgt.rows) {
        let (n, d) = rows::compare(opts.rows, a, b);
        matched.insert("row_count".into(), n);
        differences.extend(d);
    }
    if let (Some(a), Some(b)) = (&src.checksums, &tgt.checksums) {
        let (n, d) = rows::compare_checksums(a, b);
        matched.insert("row_checksum".into(), n);
        differences.extend(d);
    }
    let (n, d) = sequences::compare(&tgt.sequences);
    matched.insert("sequence_position".into(), n);
    differences.extend(d);

    // The manifest's source against this one: the database's name as connected to (the URL or
    // PGDATABASE), the fingerprint from its catalog.
    let database = source.config.get_dbname().unwrap_or_default();
    let mismatch = opts.manifest.as_ref().and_then(|m| origin::check(m, &src.catalog, database, &opts.schemas));
    let schemas: BTreeSet<String> = src.catalog.schemas.iter().chain(&tgt.catalog.schemas).cloned().collect();
    let mut report = VerifyReport::new(
        source.name,
        target.name,
        schemas.into_iter().collect(),
        opts.rows,
        opts.manifest.is_some(),
        matched,
        differences,
    );
    report.source_mismatch = mismatch;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    use postgres::config::SslMode as WireMode;

    #[test]
    fn unknown_sslmode_is_a_url_error() {
        let e = Endpoint::parse(Side::Target, "postgresql://u@h/db?sslmode=verify").err().unwrap();
        assert!(matches!(e, VerifyError::Url { .. }));
        let msg = e.to_string();
        assert!(msg.starts_with("target: invalid connection string: invalid sslmode `verify`"), "{msg}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn sslmodes_reach_the_config() {
        for (url, wire, tls) in [
            ("postgresql://u:secret@h:6543/db?sslmode=allow", WireMode::Prefer, true),
            ("postgresql://u@h/db?sslmode=prefer", WireMode::Prefer, true),
            ("postgresql://u@h/db?sslmode=disable", WireMode::Disable, false),
            ("host=h dbname=d sslmode=verify-full sslrootcert=/ca.pem", WireMode::Require, true),
            ("postgresql://u@h/db?sslmode=verify-ca&sslrootcert=%2Fca.pem&connect_timeout=3", WireMode::Require, true),
        ] {
            let (c, t, name) = parse_config(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!((c.get_ssl_mode(), t.is_some()), (wire, tls), "{url}");
            assert!(!name.contains("secret"));
        }
        let (c, _, name) =
            parse_config("postgresql://u@h:6543/db?sslmode=verify-ca&sslrootcert=%2Fca.pem&connect_timeout=3").unwrap();
        assert_eq!((name.as_str(), c.get_connect_timeout()), ("h:6543/db", Some(&Duration::from_secs(3))));
    }

    #[test]
    fn libpq_conninfo_keeps_the_password_apart() {
        let c = Connector::parse("postgresql://u:se%27cret@h:6543/db?sslmode=disable").unwrap();
        let (info, pw) = c.libpq_conninfo();
        assert_eq!(pw.as_deref(), Some("se'cret"));
        assert!(!info.contains("cret"), "{info}");
        assert!(info.contains("host='h'") && info.contains("port='6543'") && info.contains("dbname='db'"), "{info}");
        assert!(info.contains("sslmode=disable"), "{info}");
    }

    #[test]
    fn bad_url_is_one_line() {
        let e = Endpoint::parse(Side::Source, "postgresql://h:notaport/db").err().unwrap();
        let msg = e.to_string();
        assert!(msg.starts_with("source: invalid connection string"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn manifest_format_checked() {
        let ok = r#"{"format":1,"target":"2.6","objects":[],"changes":[]}"#;
        assert!(parse_manifest(ok).is_ok());
        let bad = r#"{"format":9,"target":"2.6","objects":[],"changes":[]}"#;
        assert!(parse_manifest(bad).unwrap_err().to_string().contains("format 9"));
        assert!(parse_manifest("{").is_err());
    }
}

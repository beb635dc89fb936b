//! `verify`: compare a live target database with the source database over the PostgreSQL wire
//! protocol, optionally excusing the differences a compile manifest declares (issue 5).
//!
//! - [`catalog`]: a deterministic [`Catalog`] snapshot of one database ([`catalog::snapshot`]).
//! - [`diff`]: compare two snapshots ([`diff::compare`]), apply a manifest.
//! - [`rows`]: exact or estimated row counts. [`sequences`]: sequence positions on the target.
//! - [`report`]: [`VerifyReport`], rendered as a human summary or JSON.
//! - [`normalize`]: the spelling normalizations applied before comparing definitions.
//!
//! [`run`] does all of it; the CLI prints the report and exits with [`VerifyReport::exit_code`]
//! (0 no unexpected difference, 1 unexpected differences) or, on error, with
//! [`VerifyError::exit_code`] (2).
//!
//! TLS is not supported: `sslmode=disable`, `allow` and `prefer` connect without TLS;
//! `require`, `verify-ca` and `verify-full` give [`VerifyError::TlsUnsupported`].

pub mod catalog;
pub mod diff;
pub mod normalize;
pub mod report;
pub mod rows;
pub mod sequences;

use std::collections::BTreeSet;
use std::fmt;
use std::io::IsTerminal;
use std::str::FromStr;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use postgres::config::Host;
use postgres::{Client, Config, NoTls};

pub use catalog::{snapshot, Catalog, QualName};
pub use diff::{compare, Comparison, Difference, Problem};
pub use report::{Format, Summary, VerifyReport, EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK};
pub use rows::RowMode;

use crate::manifest::{Manifest, ObjectKind, MANIFEST_FORMAT};

/// What `pg2znb verify` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// libpq-style URL (`postgresql://user:pw@host:port/db?sslmode=disable`) or `key=value` string.
    pub source: String,
    pub target: String,
    /// Parsed `manifest.json` (see [`parse_manifest`]); its changes make differences expected.
    pub manifest: Option<Manifest>,
    /// Schemas to compare; empty = every non-system schema.
    pub schemas: Vec<String>,
    pub rows: RowMode,
    /// Show a progress bar while counting rows (only drawn when stderr is a terminal).
    pub progress: bool,
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
    #[error(
        "{origin}sslmode={mode} requires TLS, which this build of pg2znb does not support; \
         use sslmode=disable or sslmode=prefer"
    )]
    TlsUnsupported { origin: String, mode: String },
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
            | VerifyError::TlsUnsupported { origin, .. }
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
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        m.push_str(": ");
        m.push_str(&s.to_string());
        source = s.source();
    }
    one_line(&m)
}

/// The `sslmode` value in a URL (`?sslmode=x`, `&sslmode=x`) or key=value string, with its span.
fn find_sslmode(url: &str) -> Option<(usize, usize, &str)> {
    let at = url.find("sslmode=")?;
    let start = at + "sslmode=".len();
    let len = url[start..].find(|c: char| c == '&' || c.is_whitespace()).unwrap_or(url.len() - start);
    Some((start, start + len, &url[start..start + len]))
}

/// A parsed connection string and how to name it in messages (no password).
struct Endpoint {
    side: Side,
    config: Config,
    name: String,
}

impl Endpoint {
    fn parse(side: Side, url: &str) -> Result<Endpoint, VerifyError> {
        parse_config(url).map(|(config, name)| Endpoint { side, config, name }).map_err(|e| e.at(side, ""))
    }

    fn connect(&self) -> Result<Client, VerifyError> {
        self.config
            .connect(NoTls)
            .map_err(|e| VerifyError::Connect { origin: String::new(), message: pg_message(&e) })
            .map_err(|e| e.at(self.side, &self.name))
    }
}

fn parse_config(url: &str) -> Result<(Config, String), VerifyError> {
    let mut url = url.to_string();
    if let Some((start, end, mode)) = find_sslmode(&url) {
        match mode {
            "require" | "verify-ca" | "verify-full" => {
                return Err(VerifyError::TlsUnsupported { origin: String::new(), mode: mode.to_string() })
            }
            // `allow` tries without TLS first: the same as `disable` for a client without TLS.
            "allow" => url.replace_range(start..end, "disable"),
            _ => {}
        }
    }
    let mut config = Config::from_str(&url).map_err(|e| {
        let m = pg_message(&e);
        VerifyError::Url {
            origin: String::new(),
            message: m.strip_prefix("invalid connection string: ").unwrap_or(&m).to_string(),
        }
    })?;
    if config.get_user().is_none() {
        if let Ok(u) = std::env::var("PGUSER") {
            config.user(&u);
        }
    }
    if config.get_password().is_none() {
        if let Ok(p) = std::env::var("PGPASSWORD") {
            config.password(p);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().or(config.get_user()).unwrap_or_default().to_string();
    Ok((config, format!("{host}:{port}/{db}")))
}

/// Connect to `url` (no TLS) with the session settings [`catalog::snapshot`] uses.
pub fn connect(url: &str) -> Result<Client, VerifyError> {
    let (config, name) = parse_config(url)?;
    let mut client = config
        .connect(NoTls)
        .map_err(|e| VerifyError::Connect { origin: format!("{name}: "), message: pg_message(&e) })?;
    catalog::prepare_session(&mut client)?;
    Ok(client)
}

/// Parse `manifest.json` text.
pub fn parse_manifest(text: &str) -> Result<Manifest, VerifyError> {
    let m: Manifest = serde_json::from_str(text).map_err(|e| VerifyError::Manifest(e.to_string()))?;
    if m.format != MANIFEST_FORMAT {
        return Err(VerifyError::Manifest(format!(
            "format {} is not supported (this pg2znb reads format {MANIFEST_FORMAT})",
            m.format
        )));
    }
    Ok(m)
}

/// What one side yields.
struct Collected {
    catalog: Catalog,
    rows: Option<rows::RowCounts>,
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
        let rows = match opts.rows {
            RowMode::None => None,
            RowMode::Estimate => Some(rows::estimated_counts(&mut client, &tables)?),
            RowMode::Exact => {
                if let Some(p) = progress {
                    p.inc_length(tables.len() as u64);
                }
                Some(rows::exact_counts(&mut client, &tables, progress)?)
            }
        };
        Ok(Collected { catalog, rows, sequences })
    };
    inner().map_err(|e| e.at(ep.side, &ep.name))
}

fn progress_bar(opts: &VerifyOptions) -> Option<ProgressBar> {
    if !(opts.progress && opts.rows == RowMode::Exact && std::io::stderr().is_terminal()) {
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
    let (n, d) = sequences::compare(&tgt.sequences);
    matched.insert("sequence_position".into(), n);
    differences.extend(d);

    let schemas: BTreeSet<String> = src.catalog.schemas.iter().chain(&tgt.catalog.schemas).cloned().collect();
    Ok(VerifyReport::new(
        source.name,
        target.name,
        schemas.into_iter().collect(),
        opts.rows,
        opts.manifest.is_some(),
        matched,
        differences,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_require_is_a_clear_error() {
        let e = parse_config("postgresql://u@h/db?sslmode=require").unwrap_err();
        assert!(matches!(e, VerifyError::TlsUnsupported { .. }));
        let e = e.at(Side::Target, "");
        let msg = e.to_string();
        assert!(msg.starts_with("target: sslmode=require requires TLS"), "{msg}");
        assert_eq!(e.exit_code(), 2);
        assert!(parse_config("host=h dbname=d sslmode=verify-full").is_err());
    }

    #[test]
    fn sslmode_allow_and_prefer_connect_without_tls() {
        let (c, name) = parse_config("postgresql://u:secret@h:6543/db?sslmode=allow").unwrap();
        assert_eq!(c.get_ssl_mode(), postgres::config::SslMode::Disable);
        assert_eq!(name, "h:6543/db");
        assert!(!name.contains("secret"));
        assert!(parse_config("postgresql://u@h/db?sslmode=prefer").is_ok());
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

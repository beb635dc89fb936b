//! TLS for `verify`: libpq's `sslmode` values and its `sslrootcert`, `sslcert` and `sslkey` parameters.
//!
//! tokio-postgres's `Config` knows only `sslmode=disable|prefer|require` and rejects parameters it does not
//! know, so [`split`] takes these four out of the connection string (URL query or `key=value` form) and the
//! rest goes to `Config`. [`Tls::resolve`] applies libpq's defaults (`PGSSLMODE` and friends,
//! `~/.postgresql/root.crt`), and [`Tls::connector`] builds the OpenSSL connector.
//!
//! | sslmode | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `allow`, `prefer` (default) | when the server offers it | no |
//! | `require` | always | chain, only when a root certificate is given or `~/.postgresql/root.crt` exists |
//! | `verify-ca` | always | chain (`sslrootcert`, else `~/.postgresql/root.crt`; neither is an error, as in libpq) |
//! | `verify-full` | always | chain and host name (or IP address) |
//!
//! `allow` behaves like `prefer` (libpq tries without TLS first; the difference only shows with servers
//! whose `pg_hba.conf` treats TLS and plain connections differently). Unix-socket connections never use
//! TLS, as in libpq.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use openssl::error::ErrorStack;
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode, SslVersion};
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::X509;
use postgres_openssl::MakeTlsConnector;
use tokio_postgres::config::{Host, SslMode as WireMode};
use tokio_postgres::Config;

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    const NAMES: [(&'static str, SslMode); 6] = [
        ("disable", SslMode::Disable),
        ("allow", SslMode::Allow),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];
}

impl FromStr for SslMode {
    type Err = String;

    fn from_str(s: &str) -> Result<SslMode, String> {
        SslMode::NAMES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m).ok_or_else(|| {
            format!("invalid sslmode `{s}` (expected disable, allow, prefer, require, verify-ca or verify-full)")
        })
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = SslMode::NAMES.iter().find(|(_, m)| m == self).map_or("", |(n, _)| n);
        f.write_str(name)
    }
}

/// The TLS parameters written in one connection string (defaults not applied yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsParams {
    pub sslmode: Option<SslMode>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
}

impl TlsParams {
    /// Keep `value` when `key` is one of ours; `Ok(false)` leaves the pair to `Config`.
    fn take(&mut self, key: &str, value: String) -> Result<bool, String> {
        match key {
            "sslmode" => self.sslmode = Some(value.parse()?),
            "sslrootcert" => self.sslrootcert = Some(value),
            "sslcert" => self.sslcert = Some(value),
            "sslkey" => self.sslkey = Some(value),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Take the TLS parameters out of a connection string; returns the rest (for `Config::from_str`) and them.
/// A later occurrence of a parameter wins, as in libpq. Syntax errors are left in the rest for `Config` to
/// report.
pub fn split(conn: &str) -> Result<(String, TlsParams), String> {
    match ["postgresql://", "postgres://"].iter().find(|p| conn.starts_with(**p)) {
        Some(prefix) => split_url(conn, prefix.len()),
        None => split_keywords(conn),
    }
}

fn split_url(conn: &str, prefix: usize) -> Result<(String, TlsParams), String> {
    let mut params = TlsParams::default();
    // The query starts where tokio-postgres looks for it: at the first `?` after the credentials' `@`.
    let after_credentials = conn[prefix..].find('@').map_or(prefix, |at| prefix + at + 1);
    let Some(q) = conn[after_credentials..].find('?').map(|q| after_credentials + q) else {
        return Ok((conn.to_string(), params));
    };
    let mut kept = Vec::new();
    for pair in conn[q + 1..].split('&') {
        let taken = match pair.split_once('=') {
            Some((key, value)) => params.take(&percent_decode(key)?, percent_decode(value)?)?,
            None => false,
        };
        if !taken {
            kept.push(pair);
        }
    }
    let mut rest = conn[..q].to_string();
    if !kept.is_empty() {
        rest.push('?');
        rest.push_str(&kept.join("&"));
    }
    Ok((rest, params))
}

fn percent_decode(s: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| format!("`{s}` is not UTF-8 once percent-decoded"))
}

/// `key = value` pairs, split the way tokio-postgres's parser reads them: values unquoted up to white
/// space, or in single quotes; a backslash escapes the next character in both.
fn split_keywords(conn: &str) -> Result<(String, TlsParams), String> {
    let mut params = TlsParams::default();
    let mut kept = Vec::new();
    let mut pos = 0;
    loop {
        let start = skip_ws(conn, pos);
        if start == conn.len() {
            break;
        }
        match keyword_pair(conn, start) {
            Some((key, value, end)) => {
                if !params.take(key, value)? {
                    kept.push(&conn[start..end]);
                }
                pos = end;
            }
            None => {
                kept.push(&conn[start..]);
                break;
            }
        }
    }
    Ok((kept.join(" "), params))
}

fn skip_ws(s: &str, pos: usize) -> usize {
    s[pos..].find(|c: char| !c.is_whitespace()).map_or(s.len(), |i| pos + i)
}

/// The pair starting at `start`: key, unescaped value and the end offset; `None` on a syntax error.
fn keyword_pair(s: &str, start: usize) -> Option<(&str, String, usize)> {
    let key_end = s[start..].find(|c: char| c.is_whitespace() || c == '=').map_or(s.len(), |i| start + i);
    let key = &s[start..key_end];
    let eq = skip_ws(s, key_end);
    if key.is_empty() || !s[eq..].starts_with('=') {
        return None;
    }
    let value_start = skip_ws(s, eq + 1);
    let quoted = s[value_start..].starts_with('\'');
    let mut value = String::new();
    let mut chars = s[value_start..].char_indices().skip(usize::from(quoted));
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.extend(chars.next().map(|(_, c)| c)),
            '\'' if quoted => return Some((key, value, value_start + i + 1)),
            c if c.is_whitespace() && !quoted => return Some((key, value, value_start + i)),
            c => value.push(c),
        }
    }
    // An unterminated quote or an empty value: tokio-postgres's errors.
    (!quoted && !value.is_empty()).then_some((key, value, s.len()))
}

/// What the server's certificate is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Nothing,
    Chain,
    ChainAndHost,
}

/// Where the trusted roots come from when the chain is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    File(PathBuf),
    System,
}

/// The TLS behaviour of one connection, defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls {
    pub mode: SslMode,
    pub check: Check,
    pub roots: Roots,
    /// Client certificate (chain) and key files.
    pub client: Option<(PathBuf, PathBuf)>,
}

impl Tls {
    /// Apply libpq's defaults to `params`: the `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT` and `PGSSLKEY`
    /// variables (read through `env`), then `home/.postgresql/{root.crt,postgresql.crt,postgresql.key}`
    /// when present. `sslrootcert=system` (libpq 16) means the system's roots and implies verify-full.
    pub fn resolve(
        params: &TlsParams,
        env: impl Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Result<Tls, String> {
        let mode = match (params.sslmode, env("PGSSLMODE")) {
            (Some(m), _) => Some(m),
            (None, Some(m)) => Some(m.parse::<SslMode>().map_err(|e| format!("PGSSLMODE: {e}"))?),
            (None, None) => None,
        };
        let rootcert = params.sslrootcert.clone().or_else(|| env("PGSSLROOTCERT"));
        let in_home = |name: &str| home.map(|h| h.join(".postgresql").join(name)).filter(|p| p.is_file());

        let (mode, roots) = match rootcert.as_deref() {
            Some("system") => match mode.unwrap_or(SslMode::VerifyFull) {
                SslMode::VerifyFull => (SslMode::VerifyFull, Roots::System),
                weak => {
                    return Err(format!(
                        "sslmode={weak} may not be used with sslrootcert=system (use sslmode=verify-full)"
                    ))
                }
            },
            Some(path) => (mode.unwrap_or_default(), Roots::File(PathBuf::from(path))),
            None => {
                let mode = mode.unwrap_or_default();
                match in_home("root.crt") {
                    Some(file) => (mode, Roots::File(file)),
                    // As libpq: any public CA's certificate for any name would pass otherwise.
                    None if matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) => {
                        return Err(format!(
                            "sslmode={mode} needs a root certificate: give sslrootcert=FILE (or sslrootcert=system \
                             for the system's trusted roots), or put it in ~/.postgresql/root.crt"
                        ))
                    }
                    None => (mode, Roots::System),
                }
            }
        };
        let check = match mode {
            SslMode::Disable | SslMode::Allow | SslMode::Prefer => Check::Nothing,
            // libpq: with a root certificate at hand, require behaves as verify-ca.
            SslMode::Require if matches!(roots, Roots::File(_)) => Check::Chain,
            SslMode::Require => Check::Nothing,
            SslMode::VerifyCa => Check::Chain,
            SslMode::VerifyFull => Check::ChainAndHost,
        };

        let cert = params.sslcert.clone().or_else(|| env("PGSSLCERT")).map(PathBuf::from);
        let key = params.sslkey.clone().or_else(|| env("PGSSLKEY")).map(PathBuf::from);
        let client = match (cert.or_else(|| in_home("postgresql.crt")), key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (Some(cert), None) => match in_home("postgresql.key") {
                Some(key) => Some((cert, key)),
                None => return Err(format!("sslcert {} is given without sslkey", cert.display())),
            },
            (None, Some(key)) => return Err(format!("sslkey {} is given without sslcert", key.display())),
            (None, None) => None,
        };
        Ok(Tls { mode, check, roots, client })
    }

    /// Set `config`'s TLS mode; `false` when this connection does not use TLS at all.
    pub fn configure(&self, config: &mut Config) -> bool {
        let unix_only = !config.get_hosts().is_empty()
            && config.get_hosts().iter().all(|h| matches!(h, Host::Unix(_)))
            && config.get_hostaddrs().is_empty();
        let mode = match self.mode {
            _ if unix_only => WireMode::Disable,
            SslMode::Disable => WireMode::Disable,
            SslMode::Allow | SslMode::Prefer => WireMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireMode::Require,
        };
        config.ssl_mode(mode);
        mode != WireMode::Disable
    }

    /// The OpenSSL connector for this connection. Files are read here, so a missing one is a clear error.
    pub fn connector(&self) -> Result<MakeTlsConnector, String> {
        let mut b = SslConnector::builder(SslMethod::tls_client()).map_err(openssl_error)?;
        // libpq's default ssl_min_protocol_version.
        b.set_min_proto_version(Some(SslVersion::TLS1_2)).map_err(openssl_error)?;
        // Needed by servers that take sslnegotiation=direct (PostgreSQL 17); ignored by the others.
        postgres_openssl::set_postgresql_alpn(&mut b).map_err(openssl_error)?;
        if self.check == Check::Nothing {
            b.set_verify(SslVerifyMode::NONE);
        } else if let Roots::File(path) = &self.roots {
            // Only these roots: the builder starts with the system's, which libpq does not use here.
            let mut store = X509StoreBuilder::new().map_err(openssl_error)?;
            for cert in read_certs("sslrootcert", path)? {
                store.add_cert(cert).map_err(openssl_error)?;
            }
            b.set_cert_store(store.build());
        }
        if let Some((cert, key)) = &self.client {
            let mut certs = read_certs("sslcert", cert)?.into_iter();
            let leaf = certs.next().ok_or_else(|| format!("sslcert {}: no certificate in the file", cert.display()))?;
            b.set_certificate(&leaf).map_err(openssl_error)?;
            for c in certs {
                b.add_extra_chain_cert(c).map_err(openssl_error)?;
            }
            let pem = read("sslkey", key)?;
            // A callback that gives no passphrase: OpenSSL's default one would prompt on the terminal.
            let pkey = PKey::private_key_from_pem_callback(&pem, |_| Ok(0)).map_err(|_| {
                format!("sslkey {}: not a PEM private key, or an encrypted one (not supported)", key.display())
            })?;
            // Checked here for a clear message; set_private_key would fail with OpenSSL's.
            if !leaf.public_key().is_ok_and(|p| p.public_eq(&pkey)) {
                return Err(format!("sslkey {} does not match sslcert {}", key.display(), cert.display()));
            }
            b.set_private_key(&pkey).map_err(openssl_error)?;
        }
        let mut connector = MakeTlsConnector::new(b.build());
        let check_host = self.check == Check::ChainAndHost;
        connector.set_callback(move |c, _| {
            c.set_verify_hostname(check_host);
            Ok(())
        });
        Ok(connector)
    }
}

/// For an OpenSSL error, its text and the reasons in it (`certificate verify failed`), to put in place
/// of that text: `error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify
/// failed:../ssl/statem/statem_clnt.c:1889:` says nothing more to a user.
pub(crate) fn openssl_reasons(e: &(dyn std::error::Error + 'static)) -> Option<(String, String)> {
    let stack = match e.downcast_ref::<openssl::ssl::Error>() {
        Some(ssl) => ssl.ssl_error()?,
        None => e.downcast_ref::<ErrorStack>()?,
    };
    let mut reasons: Vec<&str> = stack.errors().iter().map(|e| e.reason().unwrap_or("unknown error")).collect();
    reasons.dedup();
    (!reasons.is_empty()).then(|| (e.to_string(), reasons.join("; ")))
}

fn openssl_error(e: ErrorStack) -> String {
    format!("OpenSSL: {}", openssl_reasons(&e).map_or_else(|| e.to_string(), |(_, reasons)| reasons))
}

fn read(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

fn read_certs(what: &str, path: &Path) -> Result<Vec<X509>, String> {
    let certs = X509::stack_from_pem(&read(what, path)?)
        .map_err(|e| format!("{what} {}: not a PEM certificate file ({e})", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{what} {}: no certificate in the file", path.display()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_ok(s: &str) -> (String, TlsParams) {
        split(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn url_parameters_are_taken_out() {
        let (rest, p) = split_ok(
            "postgresql://u:p@h:5433/db?connect_timeout=5&sslmode=verify-full&sslrootcert=%2Ftmp%2Fmy%20ca.pem\
             &application_name=x&sslcert=/c.pem&sslkey=%2Fk.pem",
        );
        assert_eq!(rest, "postgresql://u:p@h:5433/db?connect_timeout=5&application_name=x");
        assert_eq!(p.sslmode, Some(SslMode::VerifyFull));
        assert_eq!(p.sslrootcert.as_deref(), Some("/tmp/my ca.pem"));
        assert_eq!(p.sslcert.as_deref(), Some("/c.pem"));
        assert_eq!(p.sslkey.as_deref(), Some("/k.pem"));
        let (rest, p) = split_ok("postgres://h/db?sslmode=require");
        assert_eq!((rest.as_str(), p.sslmode), ("postgres://h/db", Some(SslMode::Require)));
    }

    #[test]
    fn url_without_our_parameters_is_unchanged() {
        for s in
            ["postgresql://h/db", "postgresql://u:p?w@h/db?port=1", "postgresql:///db?host=%2Ftmp", "postgresql://"]
        {
            assert_eq!(split_ok(s), (s.to_string(), TlsParams::default()), "{s}");
        }
        // A `?` in the password is not the query (tokio-postgres reads credentials up to `@`).
        let (rest, p) = split_ok("postgresql://u:a?sslmode=x@h/db?sslmode=disable");
        assert_eq!((rest.as_str(), p.sslmode), ("postgresql://u:a?sslmode=x@h/db", Some(SslMode::Disable)));
    }

    #[test]
    fn keyword_parameters_are_taken_out() {
        let (rest, p) =
            split_ok("host=h  port = 5433 sslmode = verify-ca sslrootcert='/tmp/my ca\\'s.pem' dbname=d sslkey=/a\\ b");
        assert_eq!(rest, "host=h port = 5433 dbname=d");
        assert_eq!(p.sslmode, Some(SslMode::VerifyCa));
        assert_eq!(p.sslrootcert.as_deref(), Some("/tmp/my ca's.pem"));
        assert_eq!(p.sslkey.as_deref(), Some("/a b"));
        // Later wins, as in libpq.
        let (_, p) = split_ok("sslmode=require host=h sslmode=disable");
        assert_eq!(p.sslmode, Some(SslMode::Disable));
        // Quoted values keep other parameters' quoting intact.
        let (rest, _) = split_ok("options='-c x=1' sslmode=prefer user=u");
        assert_eq!(rest, "options='-c x=1' user=u");
    }

    #[test]
    fn syntax_errors_are_left_for_config() {
        let (rest, p) = split_ok("sslmode=require host");
        assert_eq!((rest.as_str(), p.sslmode), ("host", Some(SslMode::Require)));
        assert_eq!(split_ok("host='h").0, "host='h");
        assert_eq!(split_ok("host=").0, "host=");
        assert!(Config::from_str(&split_ok("sslrootcert=/x host='h").0).is_err());
    }

    #[test]
    fn unknown_sslmode_is_an_error() {
        for s in ["postgresql://h/db?sslmode=verify_full", "host=h sslmode=on", "postgresql://h/db?ssl%6Dode=bad"] {
            let e = split(s).unwrap_err();
            assert!(e.starts_with("invalid sslmode `"), "{s}: {e}");
        }
        assert!(split("postgresql://h/db?sslrootcert=%FF").is_err());
    }

    fn resolve(params: &TlsParams, env: &[(&str, &str)], home: Option<&Path>) -> Result<Tls, String> {
        Tls::resolve(params, |k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()), home)
    }

    fn params(s: &str) -> TlsParams {
        split_ok(s).1
    }

    #[test]
    fn modes_decide_what_is_checked() {
        let tls = |s: &str| resolve(&params(s), &[], None).unwrap();
        assert_eq!(tls("host=h").mode, SslMode::Prefer);
        assert_eq!(tls("host=h sslmode=allow").check, Check::Nothing);
        assert_eq!(tls("host=h sslmode=require").check, Check::Nothing);
        assert_eq!(tls("host=h sslmode=require sslrootcert=/ca.pem").check, Check::Chain);
        assert_eq!(tls("host=h sslmode=prefer sslrootcert=/ca.pem").check, Check::Nothing);
        // Without a root certificate, verifying modes are refused, as by libpq.
        let e = resolve(&params("host=h sslmode=verify-ca"), &[], None).unwrap_err();
        assert!(e.starts_with("sslmode=verify-ca needs a root certificate"), "{e}");
        let ca = tls("host=h sslmode=verify-ca sslrootcert=/ca.pem");
        assert_eq!((ca.check, ca.roots), (Check::Chain, Roots::File("/ca.pem".into())));
        let full = tls("host=h sslmode=verify-full sslrootcert=/ca.pem");
        assert_eq!((full.check, full.roots), (Check::ChainAndHost, Roots::File("/ca.pem".into())));
        let system = tls("host=h sslrootcert=system");
        assert_eq!((system.mode, system.roots), (SslMode::VerifyFull, Roots::System));
        assert!(resolve(&params("sslmode=require sslrootcert=system"), &[], None).unwrap_err().contains("verify-full"));
    }

    #[test]
    fn environment_and_home_fill_in_defaults() {
        let env = [("PGSSLMODE", "verify-ca"), ("PGSSLROOTCERT", "/env-ca.pem")];
        let t = resolve(&params("host=h"), &env, None).unwrap();
        assert_eq!((t.mode, t.roots), (SslMode::VerifyCa, Roots::File("/env-ca.pem".into())));
        // The connection string wins.
        assert_eq!(resolve(&params("sslmode=disable"), &env, None).unwrap().mode, SslMode::Disable);
        assert!(resolve(&params(""), &[("PGSSLMODE", "nope")], None).unwrap_err().starts_with("PGSSLMODE: "));

        let home = tempfile::tempdir().unwrap();
        let dot = home.path().join(".postgresql");
        std::fs::create_dir(&dot).unwrap();
        std::fs::write(dot.join("root.crt"), "").unwrap();
        let t = resolve(&params("sslmode=require"), &[], Some(home.path())).unwrap();
        assert_eq!((t.check, t.roots), (Check::Chain, Roots::File(dot.join("root.crt"))));
        assert_eq!(t.client, None);
        std::fs::write(dot.join("postgresql.crt"), "").unwrap();
        std::fs::write(dot.join("postgresql.key"), "").unwrap();
        let t = resolve(&params(""), &[], Some(home.path())).unwrap();
        assert_eq!(t.client, Some((dot.join("postgresql.crt"), dot.join("postgresql.key"))));
        let t = resolve(&params("sslcert=/c.pem"), &[], Some(home.path())).unwrap();
        assert_eq!(t.client, Some(("/c.pem".into(), dot.join("postgresql.key"))));
        assert!(resolve(&params("sslcert=/c.pem"), &[], None).unwrap_err().contains("without sslkey"));
    }

    #[test]
    fn unix_sockets_never_use_tls() {
        let tls = resolve(&params("sslmode=verify-full sslrootcert=/ca.pem"), &[], None).unwrap();
        let mut c = Config::from_str("host=/tmp").unwrap();
        assert!(!tls.configure(&mut c));
        assert_eq!(c.get_ssl_mode(), WireMode::Disable);
        let mut c = Config::from_str("host=h").unwrap();
        assert!(tls.configure(&mut c));
        assert_eq!(c.get_ssl_mode(), WireMode::Require);
    }

    #[test]
    fn unreadable_files_are_named() {
        let tls = resolve(&params("sslmode=verify-ca sslrootcert=/no/such/ca.pem"), &[], None).unwrap();
        let e = tls.connector().err().unwrap();
        assert!(e.starts_with("sslrootcert /no/such/ca.pem: "), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let tls = Tls { roots: Roots::File(empty.clone()), ..tls };
        let e = tls.connector().err().unwrap();
        assert!(e.contains("no certificate in the file"), "{e}");
        // Without a check, the roots are not read.
        assert!(Tls { check: Check::Nothing, ..tls }.connector().is_ok());
    }
}

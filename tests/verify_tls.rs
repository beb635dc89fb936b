//! `verify` over TLS, against real PostgreSQL servers: one started with `ssl=on` and a certificate
//! for `localhost` and 127.0.0.1 signed by a CA made at test time (plus a client CA for `cert`
//! logins), and the plain shared server for the cases where the server offers no TLS.
//!
//! The client-side files live in a directory whose name has a space, so URLs must percent-encode it.
//! The `PGSSL*` variables are removed for the `pg2znb` runs; the library calls read the test
//! process's environment, which is expected not to set them.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use pg2znb::verify;
use support::pg::{PgServer, ServerTls, CERT_ROLE};
use support::tls::Ca;

struct TlsServer {
    server: PgServer,
    /// The CA that signed the server's certificate, and one that did not.
    ca: PathBuf,
    other_ca: PathBuf,
    /// A client certificate for [`CERT_ROLE`] and its key; a key that is not its.
    client_cert: PathBuf,
    client_key: PathBuf,
    other_key: PathBuf,
}

fn tls_server() -> Option<&'static TlsServer> {
    static SERVER: OnceLock<Option<TlsServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let ca = Ca::new("pg2znb test CA");
            let server_cert = ca.server("localhost", &["localhost"], &["127.0.0.1"]);
            let client_ca = Ca::new("pg2znb test client CA");
            let tls = ServerTls {
                cert: server_cert.cert_pem,
                key: server_cert.key_pem,
                client_ca: Some(client_ca.cert_pem()),
            };
            let server = PgServer::start_tls(&tls)?.keep_until_exit();
            server.create_role(CERT_ROLE);
            let dir = server.dir().join("client files");
            std::fs::create_dir(&dir).unwrap();
            let client = client_ca.client(CERT_ROLE);
            let write = |name: &str, pem: &[u8]| {
                let p = dir.join(name);
                std::fs::write(&p, pem).unwrap();
                p
            };
            Some(TlsServer {
                ca: write("ca.pem", &ca.cert_pem()),
                other_ca: write("other-ca.pem", &Ca::new("pg2znb other CA").cert_pem()),
                client_cert: write("client.crt", &client.cert_pem),
                client_key: write("client.key", &client.key_pem),
                other_key: write("other.key", &client_ca.client(CERT_ROLE).key_pem),
                server,
            })
        })
        .as_ref()
}

fn enc(p: &Path) -> String {
    utf8_percent_encode(p.to_str().unwrap(), NON_ALPHANUMERIC).to_string()
}

/// `postgresql://postgres@host:port/postgres?params`.
fn url(s: &PgServer, host: &str, params: &str) -> String {
    format!("postgresql://postgres@{host}:{}/postgres?{params}", s.port())
}

/// Whether the connection `url` describes is encrypted, as the server sees it.
fn uses_tls(url: &str) -> bool {
    let mut c = verify::connect(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    c.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0)
}

fn connect_error(url: &str) -> String {
    match verify::connect(url) {
        Ok(_) => panic!("{url}: connected"),
        Err(e) => {
            let msg = e.to_string();
            assert_eq!(e.exit_code(), 2);
            assert!(!msg.contains('\n'), "not one line: {msg}");
            msg
        }
    }
}

fn pg2znb_verify(source: &str, target: &str) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pg2znb"));
    c.args(["verify", "--source", source, "--target", target]);
    for v in ["PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY"] {
        c.env_remove(v);
    }
    c.output().expect("run pg2znb")
}

/// Assert exit 2 with one line on stderr that starts with `start` and contains `needle`.
fn assert_exit_2(o: &Output, start: &str, needle: &str) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr}");
    assert!(stderr.starts_with(start), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn tls_is_used_when_the_server_offers_it() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    for params in ["sslmode=require", "sslmode=prefer", "sslmode=allow", ""] {
        assert!(uses_tls(&url(s, "127.0.0.1", params)), "{params}");
    }
    assert!(!uses_tls(&url(s, "127.0.0.1", "sslmode=disable")));
}

#[test]
fn verify_full_accepts_the_right_ca_for_name_and_address() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    let params = format!("sslmode=verify-full&sslrootcert={}", enc(&t.ca));
    assert!(uses_tls(&url(s, "localhost", &params)));
    // The certificate names 127.0.0.1 as an IP address too.
    assert!(uses_tls(&url(s, "127.0.0.1", &params)));
    // key=value form, quoted path with a space.
    let kv = format!(
        "host=localhost port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert='{}'",
        s.port(),
        t.ca.display()
    );
    assert!(uses_tls(&kv));
}

#[test]
fn pg2znb_verify_runs_over_tls() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    s.exec(
        "postgres",
        "CREATE TABLE IF NOT EXISTS tls_t (id int PRIMARY KEY); INSERT INTO tls_t VALUES (1) ON CONFLICT DO NOTHING",
    );
    let source = url(s, "localhost", &format!("sslmode=verify-full&sslrootcert={}", enc(&t.ca)));
    let target = format!(
        "host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=require sslrootcert='{}'",
        s.port(),
        t.ca.display()
    );
    let o = pg2znb_verify(&source, &target);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_wrong_ca_is_exit_2() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    let good = url(s, "localhost", "sslmode=require");
    let bad = url(s, "localhost", &format!("sslmode=verify-full&sslrootcert={}", enc(&t.other_ca)));
    let o = pg2znb_verify(&good, &bad);
    let start = format!(
        "pg2znb: error: target (localhost:{}/postgres): cannot connect: error performing TLS handshake: \
         certificate verify failed: unable to get local issuer certificate",
        s.port()
    );
    assert_exit_2(&o, &start, "");
    // require checks the chain too once given a root certificate (libpq), and so does verify-ca.
    for mode in ["require", "verify-ca"] {
        let msg = connect_error(&url(s, "127.0.0.1", &format!("sslmode={mode}&sslrootcert={}", enc(&t.other_ca))));
        assert!(msg.contains("certificate verify failed"), "{mode}: {msg}");
    }
}

#[test]
fn verify_full_checks_the_host_name_and_verify_ca_does_not() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    // hostaddr connects to the server; host is the name the certificate must carry.
    let kv = |mode: &str| {
        format!(
            "host=not-the-server.invalid hostaddr=127.0.0.1 port={} user=postgres dbname=postgres \
             sslmode={mode} sslrootcert='{}'",
            s.port(),
            t.ca.display()
        )
    };
    let msg = connect_error(&kv("verify-full"));
    assert!(msg.ends_with("error performing TLS handshake: certificate verify failed: hostname mismatch"), "{msg}");
    assert!(uses_tls(&kv("verify-ca")));
}

#[test]
fn require_against_a_server_without_tls_is_exit_2() {
    let Some(plain) = PgServer::shared() else { return };
    let Some(t) = tls_server() else { return };
    let good = url(&t.server, "127.0.0.1", "sslmode=require");
    let o = pg2znb_verify(&url(plain, "127.0.0.1", "sslmode=require"), &good);
    let start = format!("pg2znb: error: source (127.0.0.1:{}/postgres): cannot connect: ", plain.port());
    assert_exit_2(
        &o,
        &start,
        "error performing TLS handshake: server does not support TLS, which sslmode=require requires",
    );
    for mode in ["verify-ca", "verify-full"] {
        let msg = connect_error(&url(plain, "localhost", &format!("sslmode={mode}&sslrootcert={}", enc(&t.ca))));
        assert!(msg.ends_with(&format!("server does not support TLS, which sslmode={mode} requires")), "{msg}");
    }
}

#[test]
fn prefer_and_allow_fall_back_to_plain() {
    let Some(plain) = PgServer::shared() else { return };
    for params in ["sslmode=prefer", "sslmode=allow", ""] {
        assert!(!uses_tls(&url(plain, "127.0.0.1", params)), "{params}");
    }
}

#[test]
fn client_certificates_log_in() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    let cert_url =
        |params: &str| format!("postgresql://{CERT_ROLE}@127.0.0.1:{}/postgres?sslmode=require{params}", s.port());
    let with_cert = cert_url(&format!("&sslcert={}&sslkey={}", enc(&t.client_cert), enc(&t.client_key)));
    let mut c = verify::connect(&with_cert).unwrap_or_else(|e| panic!("{e}"));
    let user: String = c.query_one("SELECT current_user::text", &[]).unwrap().get(0);
    assert_eq!(user, CERT_ROLE);
    // Without one, the server's refusal, on one line.
    let msg = connect_error(&cert_url(""));
    assert!(msg.contains("FATAL"), "{msg}");
    // A key that is not the certificate's is caught before connecting.
    let msg = connect_error(&cert_url(&format!("&sslcert={}&sslkey={}", enc(&t.client_cert), enc(&t.other_key))));
    assert!(msg.contains("does not match sslcert"), "{msg}");
}

#[test]
fn a_missing_root_certificate_is_exit_2() {
    let Some(t) = tls_server() else { return };
    let s = &t.server;
    let good = url(s, "127.0.0.1", "sslmode=disable");
    let o = pg2znb_verify(&good, &url(s, "localhost", "sslmode=verify-ca&sslrootcert=%2Fno%2Fsuch%20ca.pem"));
    let start = format!(
        "pg2znb: error: target (localhost:{}/postgres): cannot connect: sslrootcert /no/such ca.pem: ",
        s.port()
    );
    assert_exit_2(&o, &start, "No such file");
    // An sslmode libpq does not know is a connection-string error.
    let o = pg2znb_verify(&good, &url(s, "localhost", "sslmode=verify"));
    assert_exit_2(&o, "pg2znb: error: target: invalid connection string: invalid sslmode `verify`", "verify-full");
}

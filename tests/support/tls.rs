//! Throwaway certificates for the TLS tests, made at test time with the `openssl` crate (already a
//! dependency of pg2znb, so the tests need neither the `openssl` command nor another crypto crate):
//! a CA, and certificates it signs for a server or a client. P-256 keys, valid from an hour ago for a day.

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509Name, X509NameBuilder, X509};

/// A certificate and its private key, as PEM.
pub struct Issued {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

pub struct Ca {
    cert: X509,
    key: PKey<Private>,
}

fn new_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
    PKey::from_ec_key(EcKey::generate(&group).expect("generate EC key")).expect("PKey")
}

fn name(cn: &str) -> X509Name {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, cn).unwrap();
    name.build()
}

fn builder(cn: &str, key: &PKey<Private>) -> X509Builder {
    let mut serial = BigNum::new().unwrap();
    serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(&Asn1Integer::from_bn(&serial).unwrap()).unwrap();
    b.set_subject_name(&name(cn)).unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&Asn1Time::from_unix(now - 3600).unwrap()).unwrap();
    b.set_not_after(&Asn1Time::from_unix(now + 86400).unwrap()).unwrap();
    b
}

impl Ca {
    /// A self-signed CA named `cn`.
    pub fn new(cn: &str) -> Ca {
        let key = new_key();
        let mut b = builder(cn, &key);
        b.set_issuer_name(&name(cn)).unwrap();
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap()).unwrap();
        b.append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build().unwrap()).unwrap();
        let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None)).unwrap();
        b.append_extension(ski).unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        Ca { cert: b.build(), key }
    }

    pub fn cert_pem(&self) -> Vec<u8> {
        self.cert.to_pem().unwrap()
    }

    /// A server certificate for `cn`, with `dns` names and `ips` as subject alternative names.
    pub fn server(&self, cn: &str, dns: &[&str], ips: &[&str]) -> Issued {
        self.issue(cn, dns, ips, true)
    }

    /// A client certificate for the role `cn` (PostgreSQL's `cert` authentication matches the CN).
    pub fn client(&self, cn: &str) -> Issued {
        self.issue(cn, &[], &[], false)
    }

    fn issue(&self, cn: &str, dns: &[&str], ips: &[&str], server: bool) -> Issued {
        let key = new_key();
        let mut b = builder(cn, &key);
        b.set_issuer_name(self.cert.subject_name()).unwrap();
        b.append_extension(BasicConstraints::new().build().unwrap()).unwrap();
        b.append_extension(KeyUsage::new().critical().digital_signature().key_agreement().build().unwrap()).unwrap();
        let mut eku = ExtendedKeyUsage::new();
        if server {
            eku.server_auth();
        } else {
            eku.client_auth();
        }
        b.append_extension(eku.build().unwrap()).unwrap();
        if !dns.is_empty() || !ips.is_empty() {
            let mut san = SubjectAlternativeName::new();
            for d in dns {
                san.dns(d);
            }
            for ip in ips {
                san.ip(ip);
            }
            let san = san.build(&b.x509v3_context(Some(&self.cert), None)).unwrap();
            b.append_extension(san).unwrap();
        }
        let aki = AuthorityKeyIdentifier::new().keyid(true).build(&b.x509v3_context(Some(&self.cert), None)).unwrap();
        b.append_extension(aki).unwrap();
        b.sign(&self.key, MessageDigest::sha256()).unwrap();
        Issued { cert_pem: b.build().to_pem().unwrap(), key_pem: key.private_key_to_pem_pkcs8().unwrap() }
    }
}

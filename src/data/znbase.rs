//! What the copy does differently on ZNbaseDB (and YugabyteDB): only when the target's
//! `version()` contains `-YB-`. On PostgreSQL nothing here is sent.
//!
//! - `COPY … FROM STDIN WITH (ROWS_PER_TRANSACTION n)`: ZNbaseDB commits a COPY in batches of
//!   rows by default, which would commit part of a range before its `pg2znb.copied` record; `n`
//!   is at least the range's possible rows, so the range and its record stay one transaction.
//! - The cluster's nodes (`yb_servers()`): the `--jobs` connections go round-robin over them.
//!   A multi-host connection string spreads them over its hosts the same way, on any target.

use postgres::Client;

use crate::verify::{Connector, VerifyError};

/// What the copy needs to know about its target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetKind {
    /// `version()` contains `-YB-`.
    pub znbase: bool,
    /// The nodes from `yb_servers()` (host, port), sorted; empty on PostgreSQL.
    pub nodes: Vec<(String, u16)>,
}

pub fn is_znbase(version: &str) -> bool {
    version.contains("-YB-")
}

/// Read the target's kind on `client` (and its nodes when it is ZNbaseDB).
pub fn detect(client: &mut Client) -> Result<TargetKind, VerifyError> {
    let version: String = client
        .query_one("SELECT pg_catalog.version()", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| VerifyError::query("select version() on the target", &e))?;
    if !is_znbase(&version) {
        return Ok(TargetKind::default());
    }
    let rows = client
        .query("SELECT host::text, port::int8 FROM yb_servers() ORDER BY 1, 2", &[])
        .map_err(|e| VerifyError::query("read the target's nodes (yb_servers())", &e))?;
    let nodes = rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u16)).collect();
    Ok(TargetKind { znbase: true, nodes })
}

/// `COPY qualified (cols) FROM STDIN`, with `ROWS_PER_TRANSACTION` on ZNbaseDB (`max_rows`: the
/// most rows the range can hold; unknown: the largest value the option takes).
pub fn copy_in_sql(qualified: &str, cols: &str, znbase: bool, max_rows: Option<i64>) -> String {
    let target = if cols.is_empty() { qualified.to_string() } else { format!("{qualified} ({cols})") };
    if znbase {
        let n = max_rows.unwrap_or(i64::from(i32::MAX)).clamp(1, i64::from(i32::MAX));
        format!("COPY {target} FROM STDIN WITH (ROWS_PER_TRANSACTION {n})")
    } else {
        format!("COPY {target} FROM STDIN")
    }
}

/// One connector per worker: round-robin over the connection string's hosts when it names
/// several, else over the ZNbaseDB nodes, else all the same.
pub fn spread(target: &Connector, kind: &TargetKind, workers: usize) -> Vec<Connector> {
    let hosts = target.hosts();
    let over = if hosts.len() > 1 { hosts } else { kind.nodes.clone() };
    (0..workers)
        .map(|i| match over.get(i % over.len().max(1)) {
            Some((h, p)) => target.on_host(h, *p),
            None => target.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_znbase_gets_rows_per_transaction() {
        assert_eq!(
            copy_in_sql("\"s\".\"t\"", "\"a\", \"b\"", false, Some(10)),
            "COPY \"s\".\"t\" (\"a\", \"b\") FROM STDIN"
        );
        assert_eq!(
            copy_in_sql("\"s\".\"t\"", "\"a\"", true, Some(1000)),
            "COPY \"s\".\"t\" (\"a\") FROM STDIN WITH (ROWS_PER_TRANSACTION 1000)"
        );
        assert_eq!(copy_in_sql("t", "", true, None), "COPY t FROM STDIN WITH (ROWS_PER_TRANSACTION 2147483647)");
        assert_eq!(
            copy_in_sql("t", "", true, Some(1 << 40)),
            "COPY t FROM STDIN WITH (ROWS_PER_TRANSACTION 2147483647)"
        );
        assert!(is_znbase("PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu"));
        assert!(!is_znbase("PostgreSQL 15.6 (Debian 15.6-1) on x86_64-pc-linux-gnu"));
    }

    #[test]
    fn connections_go_round_robin_over_hosts() {
        let c = Connector::parse("postgresql://u:pw@a:5433,b:5434,c/db").unwrap();
        let names: Vec<String> = spread(&c, &TargetKind::default(), 4).iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["a:5433/db", "b:5434/db", "c:5432/db", "a:5433/db"]);
        let kv = Connector::parse("host=x,y port=6000 dbname=db user=u").unwrap();
        let names: Vec<String> = spread(&kv, &TargetKind::default(), 2).iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["x:6000/db", "y:6000/db"]);
        let one = Connector::parse("postgresql://u@h:5432/db").unwrap();
        let nodes = TargetKind { znbase: true, nodes: vec![("n1".into(), 5433), ("n2".into(), 5433)] };
        let names: Vec<String> = spread(&one, &nodes, 3).iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["n1:5433/db", "n2:5433/db", "n1:5433/db"]);
        let names: Vec<String> = spread(&one, &TargetKind::default(), 2).iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["h:5432/db", "h:5432/db"]);
    }
}

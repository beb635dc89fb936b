//! `migrate`'s copy and sequences stages: every table's rows streamed from the source, read in the
//! exported snapshot, into the target, and every sequence set to its position in that snapshot.
//!
//! - A table is copied as `COPY (SELECT cols FROM ONLY t) TO STDOUT` on a source connection that
//!   imported the snapshot (`SET TRANSACTION SNAPSHOT` inside `REPEATABLE READ`), streamed in
//!   chunks into `COPY t (cols) FROM STDIN` on the target: memory does not grow with the table.
//! - Exactly once: the rows and the table's record in `pg2znb.copied` commit in the same target
//!   transaction; a re-run skips recorded tables, and a killed copy leaves nothing behind.
//! - Generated columns are left out of both COPY statements (the target computes them).
//! - `jobs` workers take tables from one queue, each with its own source and target connection.
//! - Whole tables only: big tables are not split into ranges yet.

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufReader, Read, Write};
use std::sync::Mutex;

use postgres::Client;

use crate::manifest::{ChangeKind, Manifest, ObjectKind};
use crate::verify::catalog::display_ident;
use crate::verify::{pg_message, Connector, VerifyError};

const STATE_DDL: &str = "CREATE SCHEMA IF NOT EXISTS pg2znb; \
    CREATE TABLE IF NOT EXISTS pg2znb.copied (table_name text PRIMARY KEY, rows bigint NOT NULL, \
        bytes bigint NOT NULL, finished_at timestamptz NOT NULL DEFAULT pg_catalog.now())";

/// Bytes read from the source per chunk written to the target.
const CHUNK: usize = 256 * 1024;

/// One table to copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: String,
    pub name: String,
    /// The columns copied (not dropped, not generated), in order.
    pub columns: Vec<String>,
}

impl Table {
    /// `schema.name`, quoted where needed: the key of its record in `pg2znb.copied`.
    pub fn key(&self) -> String {
        format!("{}.{}", display_ident(&self.schema), display_ident(&self.name))
    }

    /// The columns, quoted, comma-separated (for `COPY t (…)`).
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
    }
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn qerr(context: &str, e: &postgres::Error) -> VerifyError {
    VerifyError::Query { origin: String::new(), context: context.to_string(), message: pg_message(e) }
}

/// Begin a read-only REPEATABLE READ transaction on `client` that sees snapshot `id`.
pub fn import_snapshot(client: &mut Client, id: &str) -> Result<(), VerifyError> {
    let sql = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
        id.replace('\'', "''")
    );
    client.batch_execute(&sql).map_err(|e| qerr("set transaction snapshot", &e))
}

/// The tables to copy, read on `source` (inside the snapshot): [`source_tables`] that the manifest
/// lists and does not drop.
pub fn tables(source: &mut Client, manifest: &Manifest) -> Result<Vec<Table>, VerifyError> {
    let listed: BTreeSet<(String, String)> = manifest
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Table)
        .map(|o| (o.schema.clone().unwrap_or_default(), o.name.clone()))
        .collect();
    let dropped: BTreeSet<(String, String)> = manifest
        .changes
        .iter()
        .filter(|c| c.kind == ObjectKind::Table && c.change == ChangeKind::Dropped)
        .map(|c| (c.schema.clone().unwrap_or_default(), c.name.clone()))
        .collect();
    let all = source_tables(source)?;
    Ok(all
        .into_iter()
        .filter(|t| {
            let key = (t.schema.clone(), t.name.clone());
            listed.contains(&key) && !dropped.contains(&key)
        })
        .collect())
}

/// Every table of the source's catalog (as `source` sees it, e.g. in a snapshot): plain tables
/// and leaf partitions outside the system schemas and extensions, sorted. Partitioned parents and
/// foreign tables hold no rows of their own.
pub fn source_tables(source: &mut Client) -> Result<Vec<Table>, VerifyError> {
    let version: i32 = source
        .query_one("SELECT pg_catalog.current_setting('server_version_num')::int", &[])
        .and_then(|r| r.try_get(0))
        .map_err(|e| qerr("read server_version_num", &e))?;
    let generated = if version >= 120000 { "a.attgenerated = ''" } else { "true" };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, \
             coalesce(pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '{{}}') \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND {generated} \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg2znb') \
           AND n.nspname !~ '^pg_(toast|temp_)' \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                           AND d.objid = c.oid AND d.deptype = 'e') \
         GROUP BY n.nspname, c.relname ORDER BY 1, 2"
    );
    let rows = source.query(&sql, &[]).map_err(|e| qerr("list tables", &e))?;
    let mut out = Vec::new();
    for r in rows {
        let (schema, name, columns): (String, String, Vec<String>) = (r.get(0), r.get(1), r.get(2));
        out.push(Table { schema, name, columns });
    }
    Ok(out)
}

/// Create `pg2znb.copied` when missing and read the tables it records.
pub fn copied(target: &mut Client) -> Result<BTreeSet<String>, VerifyError> {
    target.batch_execute(STATE_DDL).map_err(|e| qerr("create pg2znb.copied", &e))?;
    let rows = target.query("SELECT table_name FROM pg2znb.copied", &[]).map_err(|e| qerr("read pg2znb.copied", &e))?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// What the copy stage did.
#[derive(Clone, Debug, Default)]
pub struct CopyReport {
    pub tables: usize,
    pub copied: usize,
    /// Recorded by an earlier run.
    pub skipped: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// Copy one table: source rows (in the snapshot `source` imported) into the target, committed
/// with its record. Returns (rows, bytes).
fn copy_table(source: &mut Client, target: &mut Client, t: &Table) -> Result<(u64, u64), VerifyError> {
    let key = t.key();
    let what = |step: &str| format!("copy {key}: {step}");
    let cols = t.column_list();
    let qualified = format!("{}.{}", quote(&t.schema), quote(&t.name));
    let (out_sql, in_sql) = if t.columns.is_empty() {
        // A table without columns still has rows; COPY needs no column list for it.
        (format!("COPY (SELECT FROM ONLY {qualified}) TO STDOUT"), format!("COPY {qualified} FROM STDIN"))
    } else {
        (
            format!("COPY (SELECT {cols} FROM ONLY {qualified}) TO STDOUT"),
            format!("COPY {qualified} ({cols}) FROM STDIN"),
        )
    };
    let mut tx = target.transaction().map_err(|e| qerr(&what("begin"), &e))?;
    let reader = source.copy_out(out_sql.as_str()).map_err(|e| qerr(&what("copy out"), &e))?;
    let mut reader = BufReader::with_capacity(CHUNK, reader);
    let mut writer = tx.copy_in(in_sql.as_str()).map_err(|e| qerr(&what("copy in"), &e))?;
    let mut buf = vec![0u8; CHUNK];
    let mut bytes = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(VerifyError::Query {
                    origin: String::new(),
                    context: what("read from the source"),
                    message: e.to_string(),
                })
            }
        };
        writer.write_all(&buf[..n]).map_err(|e| VerifyError::Query {
            origin: String::new(),
            context: what("write to the target"),
            message: e.to_string(),
        })?;
        bytes += n as u64;
    }
    let rows = writer.finish().map_err(|e| qerr(&what("copy in"), &e))?;
    tx.execute(
        "INSERT INTO pg2znb.copied (table_name, rows, bytes) VALUES ($1, $2, $3)",
        &[&key, &(rows as i64), &(bytes as i64)],
    )
    .map_err(|e| qerr(&what("record"), &e))?;
    tx.commit().map_err(|e| qerr(&what("commit"), &e))?;
    Ok((rows, bytes))
}

/// Copy every table of `tables` not recorded in the target's `pg2znb.copied`, `jobs` at a time.
/// `notify` hears one line per table copied.
pub fn run(
    source: &Connector,
    target: &Connector,
    snapshot: &str,
    tables: &[Table],
    jobs: usize,
    notify: &(dyn Fn(&str) + Sync),
) -> Result<CopyReport, VerifyError> {
    let mut state = target.connect()?;
    let done = copied(&mut state)?;
    drop(state);
    let todo: VecDeque<&Table> = tables.iter().filter(|t| !done.contains(&t.key())).collect();
    let report =
        Mutex::new(CopyReport { tables: tables.len(), skipped: tables.len() - todo.len(), ..CopyReport::default() });
    let workers = jobs.max(1).min(todo.len().max(1));
    let queue = Mutex::new(todo);
    let failed: Mutex<Option<VerifyError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let work = || -> Result<(), VerifyError> {
                    let mut src = source.connect()?;
                    import_snapshot(&mut src, snapshot)?;
                    let mut tgt = target.connect()?;
                    loop {
                        if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                            return Ok(());
                        }
                        let Some(t) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                            return Ok(());
                        };
                        let (rows, bytes) = copy_table(&mut src, &mut tgt, t)?;
                        if let Ok(mut r) = report.lock() {
                            r.copied += 1;
                            r.rows += rows;
                            r.bytes += bytes;
                        }
                        notify(&format!("copied {} ({rows} rows, {bytes} bytes)", t.key()));
                    }
                };
                if let Err(e) = work() {
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(e);
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(report.into_inner().unwrap_or_default())
}

/// A sequence's position in the source (as `source` sees it, e.g. in a snapshot).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SequencePosition {
    pub schema: String,
    pub name: String,
    /// `last_value` as text (a bigint).
    pub last_value: String,
    pub is_called: bool,
}

/// Every sequence of the source outside the system schemas and extensions, with its position.
pub fn sequence_positions(source: &mut Client) -> Result<Vec<SequencePosition>, VerifyError> {
    let rows = source
        .query(
            "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg2znb') \
               AND n.nspname !~ '^pg_(toast|temp_)' \
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                               AND d.objid = c.oid AND d.deptype = 'e') \
             ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| qerr("list sequences", &e))?;
    let mut out = Vec::new();
    for r in rows {
        let (schema, name): (String, String) = (r.get(0), r.get(1));
        let qualified = format!("{}.{}", quote(&schema), quote(&name));
        let what = format!("sequence {}.{}", display_ident(&schema), display_ident(&name));
        let pos = source
            .query_one(&format!("SELECT last_value::text, is_called FROM {qualified}"), &[])
            .map_err(|e| qerr(&format!("read {what}"), &e))?;
        out.push(SequencePosition { schema, name, last_value: pos.get(0), is_called: pos.get(1) });
    }
    Ok(out)
}

/// `setval` of one sequence on the target; `false` when the target has no such sequence.
pub fn set_sequence(target: &mut Client, p: &SequencePosition) -> Result<bool, VerifyError> {
    let qualified = format!("{}.{}", quote(&p.schema), quote(&p.name));
    let what = format!("sequence {}.{}", display_ident(&p.schema), display_ident(&p.name));
    let exists: bool = target
        .query_one("SELECT pg_catalog.to_regclass($1::text) IS NOT NULL", &[&qualified])
        .and_then(|r| r.try_get(0))
        .map_err(|e| qerr(&format!("find {what}"), &e))?;
    if exists {
        target
            .execute(
                "SELECT pg_catalog.setval($1::text::regclass, $2::text::bigint, $3)",
                &[&qualified, &p.last_value, &p.is_called],
            )
            .map_err(|e| qerr(&format!("setval {what}"), &e))?;
    }
    Ok(exists)
}

/// Set every sequence the target has to its position in the snapshot `source` imported. Returns
/// how many were set.
pub fn sequences(source: &mut Client, target: &mut Client) -> Result<usize, VerifyError> {
    let mut set = 0;
    for p in sequence_positions(source)? {
        if set_sequence(target, &p)? {
            set += 1;
        }
    }
    Ok(set)
}

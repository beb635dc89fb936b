//! `migrate`'s prepare step: everything checked before anything is written, and what is missing
//! created.
//!
//! - `pg_dump`: found, and at least as new as the source server (pg_dump refuses newer servers).
//! - source and target: reachable; a target database the URL names that does not exist is
//!   created when the role may (`CREATEDB`).
//! - the target's engine: `version()` (`-YB-` for ZNbaseDB/YugabyteDB, else plain PostgreSQL); the
//!   compile target comes from it (`--target-version auto`, or none given), and a given version
//!   whose PostgreSQL base differs from the server's is refused.
//! - the target database holds no user objects, or holds this run's state (`pg2znb.run` with the
//!   run id of the work directory): anything else is refused with what is there.
//! - enough free connections on both servers for `--jobs`.

use std::path::Path;
use std::process::Command;

use postgres::Client;

use super::records::Records;
use crate::rules::Targets;
use crate::verify::{pg_message, Connector, VerifyError};

/// Why prepare refused to go on. Messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{0}")]
    PgDump(String),
    #[error("{0}")]
    Connect(#[from] VerifyError),
    #[error("{endpoint}: {context} failed: {message}")]
    Query { endpoint: String, context: String, message: String },
    #[error("{0}")]
    Version(String),
    #[error("{0}")]
    NotEmpty(String),
    #[error("{0}")]
    Connections(String),
    #[error("{0}")]
    CreateDatabase(String),
    /// The work directory's records.
    #[error("{path}: {message}")]
    Records { path: String, message: String },
}

/// What prepare was asked to check.
pub struct PrepareOptions<'a> {
    pub source: &'a Connector,
    pub target: &'a Connector,
    pub pg_dump: &'a Path,
    pub jobs: usize,
    /// The version given with `--target-version` (resolved); `None`: read it from the target.
    pub given_version: Option<&'a str>,
    pub targets: &'a Targets,
    /// This migration's id (status.json's `run_id`).
    pub run_id: &'a str,
    /// For the record in `pg2znb.run`, so a refusal can say which work directory holds the run.
    pub workdir: &'a Path,
}

/// What prepare found.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The ZNbaseDB version to compile for.
    pub version: String,
    /// What the server said it is, when it differs from `version` (for the report's "requested").
    pub requested: Option<String>,
    /// A note about the target (a plain PostgreSQL server, …).
    pub note: Option<String>,
    /// The target holds none of this run's state: its steps start over.
    pub fresh_target: bool,
    /// Where the completion records go: the target's `pg2znb` schema, or `WORKDIR/records` when
    /// the target's role cannot create that schema.
    pub records: Records,
    /// One line for status.json.
    pub detail: String,
}

fn query_err(endpoint: &str, context: &str) -> impl Fn(postgres::Error) -> PrepareError {
    let (endpoint, context) = (endpoint.to_string(), context.to_string());
    move |e| PrepareError::Query { endpoint: endpoint.clone(), context: context.clone(), message: pg_message(&e) }
}

/// `pg_dump (PostgreSQL) 15.6 (Debian 15.6-1.pgdg120+2)` → `15.6`.
pub fn pg_dump_version(output: &str) -> Option<String> {
    let rest = output.trim().split_once(") ").map(|(_, r)| r).unwrap_or(output.trim());
    let v: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    (!v.is_empty()).then_some(v)
}

fn major_of(version: &str) -> u32 {
    version.split(|c: char| !c.is_ascii_digit()).next().and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// The version of `program`, or why it cannot be used.
fn pg_dump_check(program: &Path) -> Result<String, PrepareError> {
    let out = Command::new(program).arg("--version").output().map_err(|e| {
        PrepareError::PgDump(if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{} not found on PATH: migrate reads the source's schema with pg_dump; install PostgreSQL's client \
                 programs (a pg_dump at least as new as the source server), or pass --pg-dump PATH",
                program.display()
            )
        } else {
            format!("cannot run {}: {e}; pass --pg-dump PATH", program.display())
        })
    })?;
    let text = String::from_utf8_lossy(&out.stdout);
    pg_dump_version(&text).filter(|_| out.status.success()).ok_or_else(|| {
        PrepareError::PgDump(format!(
            "{} --version answered `{}`, not a pg_dump version; pass --pg-dump with PostgreSQL's pg_dump",
            program.display(),
            text.trim()
        ))
    })
}

fn one_value(c: &mut Client, endpoint: &str, sql: &str) -> Result<String, PrepareError> {
    let rows = c.simple_query(sql).map_err(query_err(endpoint, sql))?;
    Ok(rows
        .iter()
        .find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap_or_default())
}

/// Connect to the target, creating its database when it does not exist and the role may.
fn target_client(target: &Connector) -> Result<(Client, Option<String>), PrepareError> {
    let err = match target.connect() {
        Ok(c) => return Ok((c, None)),
        Err(e) => e,
    };
    let Some(db) = target.dbname().map(str::to_string) else { return Err(err.into()) };
    // The server's own words (libpq sends no localised text before the session starts).
    if !err.to_string().contains(&format!("database \"{db}\" does not exist")) {
        return Err(err.into());
    }
    let admin = target.with_dbname(if db == "postgres" { "template1" } else { "postgres" });
    let mut c = admin.connect().map_err(|e| {
        PrepareError::CreateDatabase(format!(
            "the target database {db} does not exist, and connecting to {} to create it failed: {e}; create it \
             (CREATE DATABASE) and run again",
            admin.name()
        ))
    })?;
    let may = one_value(
        &mut c,
        admin.name(),
        "SELECT (rolcreatedb OR rolsuper)::text FROM pg_catalog.pg_roles WHERE rolname = current_user",
    )?;
    if may != "true" {
        return Err(PrepareError::CreateDatabase(format!(
            "the target database {db} does not exist and the role may not create databases: create it \
             (CREATE DATABASE {}) or grant the role CREATEDB, then run again",
            crate::verify::catalog::quote_ident(&db)
        )));
    }
    c.batch_execute(&format!("CREATE DATABASE {}", crate::verify::catalog::quote_ident(&db)))
        .map_err(query_err(admin.name(), "CREATE DATABASE"))?;
    Ok((target.connect()?, Some(format!("created database {db}"))))
}

/// Free connections: `max_connections` minus those in use and those reserved for superusers
/// (unless the role is one).
fn free_connections(c: &mut Client, endpoint: &str) -> Result<(i64, String), PrepareError> {
    let row = c
        .query_one(
            "SELECT current_setting('max_connections')::int8, \
                    CASE WHEN (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN 0 \
                         ELSE current_setting('superuser_reserved_connections')::int8 END, \
                    (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')",
            &[],
        )
        .map_err(query_err(endpoint, "reading max_connections"))?;
    let (max, reserved, used): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    Ok((
        max - reserved - used,
        format!(
            "max_connections {max}, {used} in use{}",
            if reserved > 0 { format!(", {reserved} reserved") } else { String::new() }
        ),
    ))
}

/// `fixed` connections plus `per_job` for each of `jobs`.
fn check_connections(
    c: &mut Client,
    endpoint: &str,
    side: &str,
    (fixed, per_job): (i64, i64),
    jobs: usize,
) -> Result<(), PrepareError> {
    let (free, how) = free_connections(c, endpoint)?;
    let need = fixed + per_job * jobs as i64;
    // Our own connection counts as in use, and is one of those needed.
    if free + 1 < need {
        let fit = ((free + 1 - fixed) / per_job).max(1);
        return Err(PrepareError::Connections(format!(
            "the {side} ({endpoint}) has {} free ({how}) but --jobs {jobs} needs {need}: run with --jobs {fit}, \
             or raise max_connections on the {side}",
            crate::text::count((free + 1).max(0) as usize, "connection", "connections")
        )));
    }
    Ok(())
}

/// User objects in the target database (pg2znb's own and extension members left out), up to
/// `limit` names, and how many there are.
fn user_objects(c: &mut Client, endpoint: &str, limit: i64) -> Result<(i64, Vec<String>), PrepareError> {
    let sql = "WITH o AS ( \
          SELECT 'schema ' || n.nspname AS what FROM pg_catalog.pg_namespace n \
           WHERE n.nspname NOT IN ('public', 'information_schema', 'pg2znb') AND n.nspname !~ '^pg_' \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e') \
          UNION ALL \
          SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' \
                 WHEN 'S' THEN 'sequence ' WHEN 'f' THEN 'foreign table ' ELSE 'relation ' END \
                 || quote_ident(n.nspname) || '.' || quote_ident(c.relname) \
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
             AND n.nspname NOT IN ('information_schema', 'pg2znb') AND n.nspname !~ '^pg_' \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') \
          UNION ALL \
          SELECT 'function ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) \
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
           WHERE n.nspname NOT IN ('information_schema', 'pg2znb') AND n.nspname !~ '^pg_' \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') \
        ) SELECT (SELECT count(*) FROM o), coalesce((SELECT array_agg(what ORDER BY what) FROM (SELECT what FROM o ORDER BY what LIMIT $1) l), '{}')";
    let row = c.query_one(sql, &[&limit]).map_err(query_err(endpoint, "listing the target's objects"))?;
    Ok((row.get(0), row.get(1)))
}

/// The run recorded in the target's `pg2znb.run`, if any: (run id, work directory, source).
fn recorded_run(c: &mut Client, endpoint: &str) -> Result<Option<(String, String, String)>, PrepareError> {
    let exists = one_value(c, endpoint, "SELECT (pg_catalog.to_regclass('pg2znb.run') IS NOT NULL)::text")?;
    if exists != "true" {
        return Ok(None);
    }
    let row = c
        .query_opt("SELECT run_id, workdir, source FROM pg2znb.run ORDER BY started_at LIMIT 1", &[])
        .map_err(query_err(endpoint, "reading pg2znb.run"))?;
    Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// Run the checks; create what is missing.
pub fn run(o: &PrepareOptions<'_>) -> Result<Prepared, PrepareError> {
    let mut done = Vec::new();
    let dump_version = pg_dump_check(o.pg_dump)?;

    let mut src = o.source.connect()?;
    let src_version = one_value(&mut src, o.source.name(), "SHOW server_version")?;
    if major_of(&dump_version) < major_of(&src_version) {
        let m = major_of(&src_version);
        return Err(PrepareError::PgDump(format!(
            "{} is pg_dump {dump_version}, older than the source server (PostgreSQL {src_version}): pg_dump cannot \
             dump a newer server; install PostgreSQL {m}'s client programs (Debian/Ubuntu: apt-get install \
             postgresql-client-{m}) and pass --pg-dump /usr/lib/postgresql/{m}/bin/pg_dump, or put it first on PATH",
            o.pg_dump.display()
        )));
    }
    // The snapshot's holder, pg_dump, and one per job.
    check_connections(&mut src, o.source.name(), "source", (2, 1), o.jobs)?;
    let src_encoding = one_value(&mut src, o.source.name(), "SHOW server_encoding")?;
    drop(src);

    let (mut tgt, created) = target_client(o.target)?;
    done.extend(created);
    let endpoint = o.target.name();
    let answer = one_value(&mut tgt, endpoint, "SELECT pg_catalog.version()")?;
    let server = o.targets.from_server_version(&answer).map_err(|e| PrepareError::Version(format!("target: {e}")))?;
    let server_major = major_of(
        answer.strip_prefix("PostgreSQL ").unwrap_or(&answer).split(|c: char| c.is_whitespace()).next().unwrap_or(""),
    );
    let engine = if answer.contains("-YB-") {
        format!("ZNbaseDB {} (PostgreSQL {server_major} engine)", server.detected)
    } else {
        format!("PostgreSQL {}", server.detected.trim_start_matches("PostgreSQL "))
    };
    let (version, requested, mut note) = match o.given_version {
        None => {
            let requested = (server.detected != server.version).then(|| server.detected.clone());
            (server.version.clone(), requested, server.note.clone())
        }
        Some(v) => {
            let base = o.targets.base(v).unwrap_or("");
            if major_of(base) != server_major {
                let fits = server.version.clone();
                return Err(PrepareError::Version(format!(
                    "--target-version {v} compiles for ZNbaseDB {v}, whose SQL layer is PostgreSQL {base}, but the \
                     target ({endpoint}) runs {engine}: the scripts would be written for another engine; pass \
                     --target-version auto (here: {fits}), or the version the target runs"
                )));
            }
            (v.to_string(), None, None)
        }
    };

    // The target holds nothing, or this run's state (recorded in the target, or — when its role
    // cannot create the pg2znb schema — in the work directory).
    let run = recorded_run(&mut tgt, endpoint)?;
    let (objects, names) = user_objects(&mut tgt, endpoint, 5)?;
    let records_dir = o.workdir.join("records");
    let dir_run = std::fs::read_to_string(records_dir.join("run")).ok().map(|s| s.trim().to_string());
    let ours_in_dir = run.is_none() && objects > 0 && dir_run.as_deref() == Some(o.run_id);
    let ours = ours_in_dir || run.as_ref().is_some_and(|(id, _, _)| id == o.run_id);
    if let Some((id, dir, source)) = run.as_ref().filter(|_| !ours) {
        return Err(PrepareError::NotEmpty(format!(
            "the target database ({endpoint}) holds another migration (run {id} from {source}, work directory {dir}) \
             with {}: to resume it, run migrate with -w {dir}; to start over, drop and recreate the target database \
             (or drop its objects and the pg2znb schema), or choose another target database",
            crate::text::count(objects as usize, "object", "objects")
        )));
    }
    if !ours && objects > 0 {
        let more = if objects as usize > names.len() { format!(", … ({objects} in all)") } else { String::new() };
        return Err(PrepareError::NotEmpty(format!(
            "the target database ({endpoint}) is not empty: {}{more}; migrate loads into an empty database — drop \
             these objects, or create a new database and point --target at it",
            names.join(", ")
        )));
    }
    // The copy's state connection, and per job a copy worker and a finalize session: finalize
    // starts with the copy.
    check_connections(&mut tgt, endpoint, "target", (1, 2), o.jobs)?;
    // Not refused (ASCII-only data loads anywhere), but every row holding a character the
    // target's encoding lacks will be rejected: say so before the copy, not after.
    let tgt_encoding = one_value(&mut tgt, endpoint, "SHOW server_encoding")?;
    if tgt_encoding != src_encoding && src_encoding != "SQL_ASCII" {
        let warn = format!(
            "the target database ({endpoint}) is encoded {tgt_encoding}, the source {src_encoding}: a row holding a \
             character {tgt_encoding} cannot represent is rejected (SQLSTATE 22P05) and stops the copy (or is stashed \
             with --on-error stash); ZNbaseDB databases are UTF8 — create the target database with ENCODING 'UTF8'"
        );
        note = Some(match note {
            Some(n) => format!("{n}; {warn}"),
            None => warn,
        });
    }
    let mut records = if ours_in_dir { Records::Dir(records_dir.clone()) } else { Records::Target };
    let created = if ours {
        Ok(())
    } else {
        tgt.batch_execute(
            "CREATE SCHEMA IF NOT EXISTS pg2znb; \
             CREATE TABLE IF NOT EXISTS pg2znb.run (run_id text PRIMARY KEY, source text NOT NULL, workdir text NOT NULL, \
                 started_at timestamptz NOT NULL DEFAULT pg_catalog.now())",
        )
    };
    match created {
        Err(e) if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => {
            // A fresh start: whatever the directory recorded is not in this target.
            let io = |e: std::io::Error| PrepareError::Records {
                path: records_dir.display().to_string(),
                message: e.to_string(),
            };
            if records_dir.exists() {
                std::fs::remove_dir_all(&records_dir).map_err(io)?;
            }
            std::fs::create_dir_all(&records_dir).map_err(io)?;
            std::fs::write(records_dir.join("run"), format!("{}\n", o.run_id)).map_err(io)?;
            done.push(format!(
                "the target's role cannot create the pg2znb schema ({}): completion records are kept in {} instead \
                 (each range's rows are deleted before it is copied, so a redo replaces them; tables split by integer \
                 key only; --join needs the records in the target)",
                pg_message(&e),
                records_dir.display()
            ));
            records = Records::Dir(records_dir.clone());
        }
        Err(e) => return Err(query_err(endpoint, "creating pg2znb.run")(e)),
        Ok(()) => {}
    }
    if !ours && records == Records::Target {
        let dir = std::fs::canonicalize(o.workdir).unwrap_or_else(|_| o.workdir.to_path_buf());
        tgt.execute(
            "INSERT INTO pg2znb.run (run_id, source, workdir) VALUES ($1, $2, $3)",
            &[&o.run_id, &o.source.name(), &dir.display().to_string()],
        )
        .map_err(query_err(endpoint, "recording the run in pg2znb.run"))?;
        done.push(format!("recorded run {} in pg2znb.run", o.run_id));
    }
    let mut detail = format!(
        "pg_dump {dump_version}; source PostgreSQL {src_version}; target {engine}, compiling for {version}{}; {}",
        if o.given_version.is_none() { " (from the target's version())" } else { "" },
        if ours_in_dir {
            format!("the work directory's records ({}) hold this run: resuming", records_dir.display())
        } else if ours {
            "the target holds this run's state: resuming".to_string()
        } else {
            "the target is empty".to_string()
        }
    );
    for d in &done {
        detail.push_str("; ");
        detail.push_str(d);
    }
    Ok(Prepared { version, requested, note, fresh_target: !ours, records, detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pg_dump_versions() {
        assert_eq!(pg_dump_version("pg_dump (PostgreSQL) 15.6 (Debian 15.6-1.pgdg120+2)\n").as_deref(), Some("15.6"));
        assert_eq!(pg_dump_version("pg_dump (PostgreSQL) 11.22\n").as_deref(), Some("11.22"));
        assert_eq!(pg_dump_version("pg_dump (PostgreSQL) 17beta1").as_deref(), Some("17"));
        assert_eq!(pg_dump_version("nonsense"), None);
        assert_eq!(major_of("11.2-YB-2.20.1.0-b0"), 11);
        assert_eq!(major_of("15.6 (Debian)"), 15);
    }
}

//! A deterministic snapshot of one database's user objects, read from the system catalogs.
//!
//! Queries use only catalog columns and functions that exist in PostgreSQL 11 (ZNbaseDB 2.x is
//! PostgreSQL 11.2-based); the few newer columns are read only when the server is new enough
//! (`attgenerated` from 12, `tgparentid` from 13, `pg_get_function_sqlbody` from 14).
//! Skipped: `pg_catalog`, `information_schema`, `pg_toast*`, `pg_temp*`, `pg2znb` (`apply`'s records on
//! the target), and every object that belongs to an extension (`pg_depend.deptype = 'e'`).
//! The session runs with `search_path = ''`, `TimeZone = UTC` and ISO date style, so
//! every `pg_get_*` text is schema-qualified and independent of server defaults.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use postgres::{Client, GenericClient, IsolationLevel};
use serde::Serialize;

use super::normalize;
use super::VerifyError;

/// A schema-qualified name, raw (unquoted) parts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct QualName {
    pub schema: String,
    pub name: String,
}

impl QualName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualName { schema: schema.into(), name: name.into() }
    }

    /// `"schema"."name"`, always quoted: safe to splice into SQL.
    pub fn sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

impl fmt::Display for QualName {
    /// `schema.name`, quoting a part only when it needs quotes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", display_ident(&self.schema), display_ident(&self.name))
    }
}

/// Always-quoted identifier for SQL text.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// An identifier as a human reads it: bare when it is a plain lower-case name, quoted otherwise.
pub fn display_ident(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        s.to_string()
    } else {
        quote_ident(s)
    }
}

/// The database itself (`pg_database` for `current_database()`): what its text is stored in
/// and how it sorts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Database {
    /// `UTF8`, `LATIN1`, … (`pg_encoding_to_char(encoding)`).
    pub encoding: String,
    /// `datcollate`: LC_COLLATE, the order of text.
    pub collate: String,
    /// `datctype`: LC_CTYPE, character classes (upper/lower, …).
    pub ctype: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub schema: String,
    /// Recorded, not compared: servers ship different versions of the same extension.
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum TypeDef {
    /// Labels in sort order, each quoted as a literal.
    Enum {
        labels: String,
    },
    Domain {
        base: String,
        not_null: bool,
        default: Option<String>,
        /// `name: definition` of each constraint, sorted by name, `; `-separated.
        constraints: String,
    },
    /// `name type` of each attribute in order.
    Composite {
        attributes: String,
    },
    Range {
        subtype: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// 1-based position among the table's live (not dropped) columns.
    pub position: usize,
    /// `format_type` text, e.g. `character varying(45)`, `public.mpaa_rating`.
    pub data_type: String,
    pub not_null: bool,
    /// Default expression, or the generation expression of a generated column.
    pub default: Option<String>,
    /// `always`, `by default`, or empty.
    pub identity: String,
    /// `stored`, or empty.
    pub generated: String,
    /// Explicit collation when it differs from the type's default.
    pub collation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    /// `table`, `partitioned table` or `foreign table`.
    pub kind: String,
    /// `permanent` or `unlogged`.
    pub persistence: String,
    /// `pg_get_partkeydef` of a partitioned table.
    pub partition_key: Option<String>,
    /// Parents (inheritance or partitioning), qualified, in order.
    pub parents: Option<String>,
    /// `FOR VALUES …` of a partition.
    pub partition_bound: Option<String>,
    pub row_security: bool,
    pub force_row_security: bool,
    pub columns: Vec<Column>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Constraint {
    /// `primary key`, `unique`, `foreign key`, `check`, `exclusion`, `trigger`.
    pub kind: String,
    pub columns: Option<String>,
    pub references: Option<String>,
    /// `pg_get_constraintdef`, whitespace-normalized.
    pub definition: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Index {
    pub table: String,
    /// `pg_get_indexdef` as the server prints it.
    pub raw_definition: String,
    /// [`normalize::index_def`] of the raw definition: what is compared.
    pub definition: String,
    pub valid: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trigger {
    /// [`normalize::trigger_def`] of `pg_get_triggerdef`.
    pub definition: String,
    /// `pg_trigger.tgenabled`: `O` (origin), `D` (disabled), `R` (replica), `A` (always).
    pub enabled: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub definition: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// `pg_policy.polcmd`: `*` all, `r` select, `a` insert, `w` update, `d` delete.
    pub command: String,
    pub permissive: bool,
    /// Role names, sorted, `public` for PUBLIC.
    pub roles: String,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub data_type: String,
    pub start: String,
    pub increment: String,
    pub min: String,
    pub max: String,
    pub cycle: bool,
    /// Recorded, not compared: a performance setting ZNbaseDB overrides with a server flag.
    pub cache: String,
    /// `schema.table.column` of `OWNED BY` (or the identity column).
    pub owned_by: Option<String>,
}

/// A column whose values come from a sequence: it owns the sequence (serial, identity,
/// `OWNED BY`) or its default calls `nextval` on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SequenceFeed {
    pub sequence: QualName,
    pub table: QualName,
    pub column: String,
    /// `format_type` without modifier, e.g. `bigint`.
    pub column_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct View {
    pub materialized: bool,
    /// `pg_get_viewdef`, whitespace-normalized.
    pub definition: String,
    /// View options (`security_barrier`, `check_option`), comma-separated.
    pub options: Option<String>,
    /// Materialized views only: whether it holds data (`REFRESH` ran).
    pub populated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Routine {
    /// `function`, `procedure`, `aggregate`, `window`.
    pub kind: String,
    pub result: Option<String>,
    pub language: String,
    pub volatility: String,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: String,
    pub config: Option<String>,
    /// `md5(prosrc)` computed on the server (for SQL-standard bodies, of the deparsed body).
    pub body_md5: String,
}

/// Everything [`snapshot`] read. Only ordered collections, so equal databases give equal values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// `server_version_num`, e.g. 150018. Not compared.
    pub server_version_num: i32,
    /// Encoding and locale of the database; `None` if it could not be read.
    pub database: Option<Database>,
    pub schemas: BTreeSet<String>,
    pub extensions: BTreeMap<String, Extension>,
    pub types: BTreeMap<QualName, TypeDef>,
    pub tables: BTreeMap<QualName, Table>,
    /// Keyed by (table, constraint name).
    pub constraints: BTreeMap<(QualName, String), Constraint>,
    /// Keyed by the index's own qualified name.
    pub indexes: BTreeMap<QualName, Index>,
    /// Keyed by (table, trigger name).
    pub triggers: BTreeMap<(QualName, String), Trigger>,
    /// Keyed by (table or view, rule name); `_RETURN` rules of views are not listed.
    pub rules: BTreeMap<(QualName, String), Rule>,
    /// Keyed by (table, policy name).
    pub policies: BTreeMap<(QualName, String), Policy>,
    pub sequences: BTreeMap<QualName, Sequence>,
    /// Sorted, deduplicated.
    pub sequence_feeds: Vec<SequenceFeed>,
    pub views: BTreeMap<QualName, View>,
    /// Keyed by (name, identity arguments as `pg_get_function_identity_arguments` prints them).
    pub routines: BTreeMap<(QualName, String), Routine>,
}

type Row = Vec<Option<String>>;

/// Run `sql` (every output column cast to text) and return its rows.
fn rows(
    client: &mut impl GenericClient,
    context: &str,
    sql: &str,
    schemas: &[String],
) -> Result<Vec<Row>, VerifyError> {
    let result = if sql.contains("$1") { client.query(sql, &[&schemas]) } else { client.query(sql, &[]) };
    let result = result.map_err(|e| VerifyError::query(context, &e))?;
    let mut out = Vec::with_capacity(result.len());
    for r in result {
        let mut row = Vec::with_capacity(r.len());
        for i in 0..r.len() {
            let v: Option<String> = r.try_get(i).map_err(|e| VerifyError::query(context, &e))?;
            row.push(v);
        }
        out.push(row);
    }
    Ok(out)
}

fn s(row: &Row, i: usize) -> String {
    row[i].clone().unwrap_or_default()
}

fn opt(row: &Row, i: usize) -> Option<String> {
    row[i].clone().filter(|v| !v.is_empty())
}

fn flag(row: &Row, i: usize) -> bool {
    matches!(row[i].as_deref(), Some("true") | Some("t"))
}

/// SQL condition: the object `oid_expr` in catalog `catalog` is not a member of an extension.
fn not_extension_member(catalog: &str, oid_expr: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass \
         AND x.objid = {oid_expr} AND x.deptype = 'e')"
    )
}

/// Session settings that make catalog text independent of the server's defaults.
pub(crate) fn prepare_session(client: &mut Client) -> Result<(), VerifyError> {
    client
        .batch_execute(
            "SELECT pg_catalog.set_config('search_path', '', false); \
             SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
             SET extra_float_digits = 3",
        )
        .map_err(|e| VerifyError::query("session setup", &e))
}

/// Read the user objects of `schemas` (all non-system schemas when empty) in one read-only
/// repeatable-read transaction. Leaves the session with `search_path = ''`, `TimeZone = UTC`,
/// ISO dates (see the module docs).
pub fn snapshot(client: &mut Client, schemas: &[String]) -> Result<Catalog, VerifyError> {
    prepare_session(client)?;
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| VerifyError::query("begin transaction", &e))?;
    let cat = read_catalog(&mut tx, schemas)?;
    tx.commit().map_err(|e| VerifyError::query("commit", &e))?;
    Ok(cat)
}

fn read_catalog(tx: &mut impl GenericClient, filter: &[String]) -> Result<Catalog, VerifyError> {
    let mut cat = Catalog::default();
    let version = rows(tx, "server version", "SELECT pg_catalog.current_setting('server_version_num')", &[])?;
    cat.server_version_num = version.first().map(|r| s(r, 0)).and_then(|v| v.parse().ok()).unwrap_or(0);
    let v = cat.server_version_num;

    // PostgreSQL 11-safe: datcollate and datctype are text-like `name` columns on every version.
    cat.database = rows(
        tx,
        "read the database's encoding",
        "SELECT pg_catalog.pg_encoding_to_char(d.encoding)::text, d.datcollate::text, d.datctype::text \
         FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
        &[],
    )?
    .first()
    .map(|r| Database { encoding: s(r, 0), collate: s(r, 1), ctype: s(r, 2) });

    let sql = format!(
        "SELECT n.nspname::text FROM pg_catalog.pg_namespace n \
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg2znb') AND n.nspname !~ '^pg_(toast|temp_)' \
         AND {} ORDER BY 1",
        not_extension_member("pg_namespace", "n.oid")
    );
    for r in rows(tx, "list schemas", &sql, &[])? {
        let name = s(&r, 0);
        if filter.is_empty() || filter.contains(&name) {
            cat.schemas.insert(name);
        }
    }
    let schemas: Vec<String> = cat.schemas.iter().cloned().collect();

    // Extensions: all of them without a schema filter; with one, those installed in it.
    for r in rows(
        tx,
        "list extensions",
        "SELECT e.extname::text, n.nspname::text, e.extversion::text FROM pg_catalog.pg_extension e \
         JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace ORDER BY 1",
        &[],
    )? {
        let schema = s(&r, 1);
        if filter.is_empty() || filter.contains(&schema) {
            cat.extensions.insert(s(&r, 0), Extension { schema, version: s(&r, 2) });
        }
    }

    let sql = format!(
        "SELECT n.nspname::text, t.typname::text, t.typtype::text, \
           CASE t.typtype \
             WHEN 'e' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel::text), ', ' ORDER BY e.enumsortorder) \
                            FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) \
             WHEN 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) \
             WHEN 'c' THEN (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname::text) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) \
                            FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) \
             WHEN 'r' THEN (SELECT pg_catalog.format_type(r.rngsubtype, NULL) FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid) \
           END, \
           t.typnotnull::text, t.typdefault::text, \
           (SELECT pg_catalog.string_agg(c.conname::text || ': ' || pg_catalog.pg_get_constraintdef(c.oid), '; ' ORDER BY c.conname) \
              FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid) \
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname::text = ANY($1) AND t.typtype IN ('e', 'd', 'c', 'r') \
           AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c') \
           AND {} ORDER BY 1, 2",
        not_extension_member("pg_type", "t.oid")
    );
    for r in rows(tx, "list types", &sql, &schemas)? {
        let def = match s(&r, 2).as_str() {
            "e" => TypeDef::Enum { labels: s(&r, 3) },
            "d" => {
                TypeDef::Domain { base: s(&r, 3), not_null: flag(&r, 4), default: opt(&r, 5), constraints: s(&r, 6) }
            }
            "c" => TypeDef::Composite { attributes: s(&r, 3) },
            _ => TypeDef::Range { subtype: s(&r, 3) },
        };
        cat.types.insert(QualName::new(s(&r, 0), s(&r, 1)), def);
    }

    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence::text, \
           CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
           (SELECT pg_catalog.string_agg(i.inhparent::pg_catalog.regclass::text, ', ' ORDER BY i.inhseqno) \
              FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid), \
           CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, \
           c.relrowsecurity::text, c.relforcerowsecurity::text \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND c.relkind IN ('r', 'p', 'f') AND {} ORDER BY 1, 2",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list tables", &sql, &schemas)? {
        let kind = match s(&r, 2).as_str() {
            "p" => "partitioned table",
            "f" => "foreign table",
            _ => "table",
        };
        let persistence = match s(&r, 3).as_str() {
            "u" => "unlogged",
            "t" => "temporary",
            _ => "permanent",
        };
        cat.tables.insert(
            QualName::new(s(&r, 0), s(&r, 1)),
            Table {
                kind: kind.into(),
                persistence: persistence.into(),
                partition_key: opt(&r, 4),
                parents: opt(&r, 5),
                partition_bound: opt(&r, 6),
                row_security: flag(&r, 7),
                force_row_security: flag(&r, 8),
                columns: Vec::new(),
            },
        );
    }

    let generated = if v >= 120000 { "a.attgenerated::text" } else { "''::text" };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, \
           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text, \
           pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, {generated}, \
           CASE WHEN a.attcollation <> t.typcollation THEN \
             (SELECT pg_catalog.quote_ident(cn.nspname::text) || '.' || pg_catalog.quote_ident(co.collname::text) \
                FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
               WHERE co.oid = a.attcollation) END \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE n.nspname::text = ANY($1) AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped \
           AND {} ORDER BY 1, 2, a.attnum",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list columns", &sql, &schemas)? {
        let Some(table) = cat.tables.get_mut(&QualName::new(s(&r, 0), s(&r, 1))) else {
            continue;
        };
        let identity = match s(&r, 6).as_str() {
            "a" => "always",
            "d" => "by default",
            _ => "",
        };
        let generated = match s(&r, 7).as_str() {
            "s" => "stored",
            "v" => "virtual",
            _ => "",
        };
        table.columns.push(Column {
            name: s(&r, 2),
            position: table.columns.len() + 1,
            data_type: s(&r, 3),
            not_null: flag(&r, 4),
            default: opt(&r, 5),
            identity: identity.into(),
            generated: generated.into(),
            collation: opt(&r, 8),
        });
    }

    // Constraints inherited from a parent's constraint (conparentid <> 0) are compared through the
    // parent; PostgreSQL 12+ also adds such rows, under the parent's name, for foreign keys that
    // reference partitioned tables. NOT NULL constraints (PostgreSQL 18's contype 'n') are compared
    // as column nullability.
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, co.conname::text, co.contype::text, \
           (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname::text), ', ' ORDER BY k.ord) \
              FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY AS k(attnum, ord) \
              JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum), \
           CASE WHEN co.confrelid <> 0 THEN co.confrelid::pg_catalog.regclass::text END, \
           pg_catalog.pg_get_constraintdef(co.oid) \
         FROM pg_catalog.pg_constraint co \
         JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND co.contype <> 'n' AND co.conparentid = 0 \
           AND {} ORDER BY 1, 2, 3",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list constraints", &sql, &schemas)? {
        let kind = match s(&r, 3).as_str() {
            "p" => "primary key",
            "u" => "unique",
            "f" => "foreign key",
            "c" => "check",
            "x" => "exclusion",
            "t" => "trigger",
            other => other,
        }
        .to_string();
        cat.constraints.insert(
            (QualName::new(s(&r, 0), s(&r, 1)), s(&r, 2)),
            Constraint {
                kind,
                columns: opt(&r, 4),
                references: opt(&r, 5),
                definition: normalize::whitespace(&s(&r, 6)),
            },
        );
    }

    let sql = format!(
        "SELECT n.nspname::text, ic.relname::text, tc.relname::text, \
           pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid::text \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace \
         WHERE n.nspname::text = ANY($1) AND tc.relkind IN ('r', 'p', 'm', 'f') \
           AND {} AND {} ORDER BY 1, 2",
        not_extension_member("pg_class", "ic.oid"),
        not_extension_member("pg_class", "tc.oid")
    );
    for r in rows(tx, "list indexes", &sql, &schemas)? {
        let raw = s(&r, 3);
        cat.indexes.insert(
            QualName::new(s(&r, 0), s(&r, 1)),
            Index { table: s(&r, 2), definition: normalize::index_def(&raw), raw_definition: raw, valid: flag(&r, 4) },
        );
    }

    // Triggers cloned onto partitions from their parent's trigger are internal before PostgreSQL
    // 13 and carry tgparentid from 13 on: compared through the parent either way.
    let cloned = if v >= 130000 { " AND t.tgparentid = 0" } else { "" };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, t.tgname::text, \
           pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled::text \
         FROM pg_catalog.pg_trigger t \
         JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND NOT t.tgisinternal{cloned} \
           AND {} AND {} ORDER BY 1, 2, 3",
        not_extension_member("pg_class", "c.oid"),
        not_extension_member("pg_trigger", "t.oid")
    );
    for r in rows(tx, "list triggers", &sql, &schemas)? {
        cat.triggers.insert(
            (QualName::new(s(&r, 0), s(&r, 1)), s(&r, 2)),
            Trigger { definition: normalize::trigger_def(&s(&r, 3)), enabled: s(&r, 4) },
        );
    }

    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, r.rulename::text, pg_catalog.pg_get_ruledef(r.oid) \
         FROM pg_catalog.pg_rewrite r \
         JOIN pg_catalog.pg_class c ON c.oid = r.ev_class \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND r.rulename <> '_RETURN' \
           AND {} ORDER BY 1, 2, 3",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list rules", &sql, &schemas)? {
        cat.rules.insert(
            (QualName::new(s(&r, 0), s(&r, 1)), s(&r, 2)),
            Rule { definition: normalize::whitespace(&s(&r, 3)) },
        );
    }

    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, p.polname::text, p.polcmd::text, p.polpermissive::text, \
           (SELECT pg_catalog.string_agg(x.role, ', ' ORDER BY x.role) FROM \
              (SELECT CASE WHEN u.oid = 0 THEN 'public' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(u.oid)::text) END AS role \
                 FROM pg_catalog.unnest(p.polroles) AS u(oid)) x), \
           pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
         FROM pg_catalog.pg_policy p \
         JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND {} ORDER BY 1, 2, 3",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list policies", &sql, &schemas)? {
        cat.policies.insert(
            (QualName::new(s(&r, 0), s(&r, 1)), s(&r, 2)),
            Policy {
                command: s(&r, 3),
                permissive: flag(&r, 4),
                roles: s(&r, 5),
                using: opt(&r, 6).map(|x| normalize::whitespace(&x)),
                with_check: opt(&r, 7).map(|x| normalize::whitespace(&x)),
            },
        );
    }

    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, pg_catalog.format_type(s.seqtypid, NULL), \
           s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcycle::text, s.seqcache::text, \
           (SELECT pg_catalog.quote_ident(tn.nspname::text) || '.' || pg_catalog.quote_ident(tc.relname::text) || '.' || pg_catalog.quote_ident(a.attname::text) \
              FROM pg_catalog.pg_depend d \
              JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid \
              JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
              JOIN pg_catalog.pg_attribute a ON a.attrelid = tc.oid AND a.attnum = d.refobjsubid \
             WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid \
               AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0 \
               AND d.deptype IN ('a', 'i') ORDER BY 1 LIMIT 1) \
         FROM pg_catalog.pg_sequence s \
         JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND {} ORDER BY 1, 2",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list sequences", &sql, &schemas)? {
        cat.sequences.insert(
            QualName::new(s(&r, 0), s(&r, 1)),
            Sequence {
                data_type: s(&r, 2),
                start: s(&r, 3),
                increment: s(&r, 4),
                min: s(&r, 5),
                max: s(&r, 6),
                cycle: flag(&r, 7),
                cache: s(&r, 8),
                owned_by: opt(&r, 9),
            },
        );
    }

    // Columns fed by a sequence: owners (serial, identity, OWNED BY) and nextval() defaults.
    let sql = "SELECT sn.nspname::text, sc.relname::text, tn.nspname::text, tc.relname::text, a.attname::text, \
           pg_catalog.format_type(a.atttypid, NULL) \
         FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S' \
         JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace \
         JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid AND tc.relkind IN ('r', 'p') \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = tc.oid AND a.attnum = d.refobjsubid \
         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass \
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
           AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND sn.nspname::text = ANY($1) \
         UNION \
         SELECT sn.nspname::text, sc.relname::text, tn.nspname::text, tc.relname::text, a.attname::text, \
           pg_catalog.format_type(a.atttypid, NULL) \
         FROM pg_catalog.pg_attrdef ad \
         JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid = ad.oid \
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
         JOIN pg_catalog.pg_class sc ON sc.oid = d.refobjid AND sc.relkind = 'S' \
         JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace \
         JOIN pg_catalog.pg_class tc ON tc.oid = ad.adrelid AND tc.relkind IN ('r', 'p') \
         JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum \
         WHERE sn.nspname::text = ANY($1) \
         ORDER BY 1, 2, 3, 4, 5";
    let mut feeds = BTreeSet::new();
    for r in rows(tx, "list sequence columns", sql, &schemas)? {
        feeds.insert(SequenceFeed {
            sequence: QualName::new(s(&r, 0), s(&r, 1)),
            table: QualName::new(s(&r, 2), s(&r, 3)),
            column: s(&r, 4),
            column_type: s(&r, 5),
        });
    }
    cat.sequence_feeds = feeds.into_iter().collect();

    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, c.relkind::text, pg_catalog.pg_get_viewdef(c.oid), \
           pg_catalog.array_to_string(c.reloptions, ', '), c.relispopulated::text \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND c.relkind IN ('v', 'm') AND {} ORDER BY 1, 2",
        not_extension_member("pg_class", "c.oid")
    );
    for r in rows(tx, "list views", &sql, &schemas)? {
        let materialized = s(&r, 2) == "m";
        cat.views.insert(
            QualName::new(s(&r, 0), s(&r, 1)),
            View {
                materialized,
                definition: normalize::whitespace(&s(&r, 3)),
                options: opt(&r, 4),
                populated: materialized && flag(&r, 5),
            },
        );
    }

    let body = if v >= 140000 {
        "pg_catalog.md5(COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), p.prosrc))"
    } else {
        "pg_catalog.md5(p.prosrc)"
    };
    let sql = format!(
        "SELECT n.nspname::text, p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid), \
           p.prokind::text, pg_catalog.pg_get_function_result(p.oid), l.lanname::text, p.provolatile::text, \
           p.proisstrict::text, p.prosecdef::text, p.proparallel::text, \
           pg_catalog.array_to_string(p.proconfig, ', '), {body} \
         FROM pg_catalog.pg_proc p \
         JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
         WHERE n.nspname::text = ANY($1) AND {} ORDER BY 1, 2, 3",
        not_extension_member("pg_proc", "p.oid")
    );
    for r in rows(tx, "list functions", &sql, &schemas)? {
        let kind = match s(&r, 3).as_str() {
            "p" => "procedure",
            "a" => "aggregate",
            "w" => "window",
            _ => "function",
        };
        let volatility = match s(&r, 6).as_str() {
            "i" => "immutable",
            "s" => "stable",
            _ => "volatile",
        };
        let parallel = match s(&r, 9).as_str() {
            "s" => "safe",
            "r" => "restricted",
            _ => "unsafe",
        };
        cat.routines.insert(
            (QualName::new(s(&r, 0), s(&r, 1)), s(&r, 2)),
            Routine {
                kind: kind.into(),
                result: opt(&r, 4),
                language: s(&r, 5),
                volatility: volatility.into(),
                strict: flag(&r, 7),
                security_definer: flag(&r, 8),
                parallel: parallel.into(),
                config: opt(&r, 10),
                body_md5: s(&r, 11),
            },
        );
    }

    Ok(cat)
}

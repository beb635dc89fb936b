//! Object identities used for dependencies, the report and the manifest.

use serde::Serialize;

/// Namespaces of PostgreSQL object names. Tables, views, sequences and indexes share one
/// (`pg_class`), so they are all `Relation`.
/// The schema temporary tables are created in (psql's name for the session's own schema).
pub const TEMP_SCHEMA: &str = "pg_temp";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjKind {
    Schema,
    Extension,
    Type,
    Relation,
    Function,
    Constraint,
    Trigger,
    Policy,
    Rule,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjKey {
    pub kind: ObjKind,
    /// Empty for schemas and extensions.
    pub schema: String,
    pub name: String,
    /// For constraints, triggers, policies and rules: the table's name (same schema).
    pub table: Option<String>,
}

impl ObjKey {
    pub fn new(kind: ObjKind, schema: &str, name: &str) -> Self {
        ObjKey { kind, schema: schema.to_string(), name: name.to_string(), table: None }
    }
    pub fn on_table(kind: ObjKind, schema: &str, table: &str, name: &str) -> Self {
        ObjKey { kind, schema: schema.to_string(), name: name.to_string(), table: Some(table.to_string()) }
    }
    pub fn relation(schema: &str, name: &str) -> Self {
        Self::new(ObjKind::Relation, schema, name)
    }

    /// `schema.name`, or `name ON schema.table` for table-scoped objects.
    pub fn display(&self) -> String {
        let q = |s: &str, n: &str| if s.is_empty() { n.to_string() } else { format!("{s}.{n}") };
        match &self.table {
            Some(t) => format!("{} on {}", self.name, q(&self.schema, t)),
            None => q(&self.schema, &self.name),
        }
    }
}

/// An identifier as SQL: bare when it is a plain lowercase name, quoted otherwise.
pub fn quote_ident(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if plain && pg_query::parse(&format!("SELECT 1 AS {s}"), 0).is_ok() {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

//! `manifest.json`: what the target holds after all scripts load. The contract `verify` checks.

use serde::{Deserialize, Serialize};

pub const MANIFEST_FORMAT: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Schema,
    Extension,
    Type,
    Domain,
    Sequence,
    Table,
    Column,
    Constraint,
    Index,
    View,
    MaterializedView,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    Rule,
    Policy,
    Other,
}

/// One object the target will hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestObject {
    pub kind: ObjectKind,
    /// Schema of the object (for columns, constraints, indexes and triggers: of their table).
    pub schema: Option<String>,
    pub name: String,
    /// The table a column, constraint, index, trigger, rule or policy belongs to.
    pub table: Option<String>,
    /// Short human summary, e.g. `bigint not null`, `primary key (id)`, `btree (email)`.
    pub summary: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The object will not exist on the target (e.g. a GiST index moved to unsupported.sql).
    Dropped,
    /// The object exists but differs from the source on purpose (e.g. a stripped COLLATE).
    Rewritten,
}

/// A difference pg2znb introduced on purpose; `verify --manifest` treats it as expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestChange {
    pub kind: ObjectKind,
    pub schema: Option<String>,
    pub name: String,
    pub table: Option<String>,
    pub change: ChangeKind,
    /// Rule codes responsible (e.g. `ZN201`).
    pub codes: Vec<String>,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Target version the scripts were compiled for, e.g. `2.6`.
    pub target: String,
    pub objects: Vec<ManifestObject>,
    pub changes: Vec<ManifestChange>,
}

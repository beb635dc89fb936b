//! The vocabulary of deliberate differences: the kinds of object the target holds and the changes
//! rules make to them on purpose. Rules record them on statements (`Stmt::changes`); `manifest`
//! lists them and `verify` expects them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// The database itself (verify compares its encoding and locale).
    Database,
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

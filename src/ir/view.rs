//! The typed views rules match against. Their serialized field names are the paths of the
//! rule expression language (`table.partitioned`, `constraint.kind`), checked when rules load.

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct TableView {
    pub schema: String,
    pub name: String,
    /// Whether the input defines the table (a `CREATE TABLE` was seen).
    pub exists: bool,
    /// `PARTITION BY …`: a partitioned parent.
    pub partitioned: bool,
    /// `PARTITION OF …` or attached later.
    pub partition: bool,
    pub unlogged: bool,
    pub temporary: bool,
    pub columns: Vec<ColumnView>,
    /// Whether the CREATE TABLE has a column list constraints can be folded into.
    pub has_element_list: bool,
    pub has_primary_key: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ColumnView {
    pub name: String,
    /// The type as written, without `pg_catalog.`, e.g. `varchar(50)`, `public.mpaa_rating[]`.
    #[serde(rename = "type")]
    pub type_name: String,
    pub not_null: bool,
    pub has_default: bool,
    /// `always` / `by_default` for identity columns.
    pub identity: Option<String>,
    /// `stored` / `virtual` for generated columns.
    pub generated: Option<String>,
    pub collation: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ConstraintView {
    pub name: String,
    /// `primary_key`, `unique`, `check`, `foreign_key`, `exclusion`, `not_null`, `other`.
    pub kind: String,
    pub columns: Vec<String>,
    pub deferrable: bool,
    pub initially_deferred: bool,
    pub not_valid: bool,
    /// For foreign keys: the referenced table, `schema.name`.
    pub references: Option<String>,
    pub using_index: Option<String>,
    pub has_storage_parameters: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct IndexView {
    pub schema: String,
    pub name: String,
    pub table: String,
    pub method: String,
    pub unique: bool,
    pub partial: bool,
    pub concurrent: bool,
    pub on_only: bool,
    pub columns: Vec<String>,
    pub has_expressions: bool,
    pub has_storage_parameters: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct TriggerView {
    pub name: String,
    pub schema: String,
    pub table: String,
    /// `before`, `after`, `instead_of`.
    pub timing: String,
    /// `row` or `statement`.
    pub level: String,
    pub events: Vec<String>,
    pub constraint: bool,
    pub function: String,
    pub transition_tables: bool,
}

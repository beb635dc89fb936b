//! The typed views rules match against. Their serialized field names are the paths of the
//! rule expression language (`table.partitioned`, `constraint.kind`), checked when rules load.
//! Fields marked `serde(skip)` are for actions (byte positions), not for rules.

use serde::Serialize;

use crate::source::Span;

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
    /// For a partition created with `PARTITION OF`: its parent, `schema.name`.
    pub partition_of: Option<String>,
    /// `range`, `list` or `hash` for a partitioned parent.
    pub partition_strategy: Option<String>,
    /// Column names of the partition key (expressions are not listed).
    pub partition_columns: Vec<String>,
    pub partition_by_expression: bool,
    pub unlogged: bool,
    pub temporary: bool,
    pub foreign: bool,
    /// `INHERITS (…)` parents, `schema.name`.
    pub inherits: Vec<String>,
    /// `LIKE t …` sources, `schema.name`.
    pub like: Vec<String>,
    /// The LIKE clauses themselves, for expanding them.
    #[serde(skip)]
    pub like_clauses: Vec<LikeClause>,
    /// Names of `WITH (…)` storage parameters.
    pub storage_parameters: Vec<String>,
    pub tablespace: Option<String>,
    /// `USING method` (PostgreSQL 12+ table access method).
    pub access_method: Option<String>,
    pub of_type: Option<String>,
    pub columns: Vec<ColumnView>,
    /// Constraints declared inside CREATE TABLE (table- and column-level).
    pub constraints: Vec<ConstraintView>,
    /// Whether the CREATE TABLE has a column list constraints can be folded into.
    pub has_element_list: bool,
    pub has_primary_key: bool,
    /// Columns of the primary key, inline or folded.
    pub primary_key: Vec<String>,
    /// The table gets a primary key from another table the input defines: it is a partition of
    /// a parent with one (`PARTITION OF` or attached later), or it copies one with
    /// `LIKE … INCLUDING INDEXES` (or `INCLUDING ALL`).
    pub inherited_primary_key: bool,
    /// The primary key as `--shard-hints` writes it: the first column HASH, any others ASC
    /// (`id HASH`, `a HASH, b ASC`); empty without a key.
    pub shard_key: String,
}

/// One `LIKE source [INCLUDING …]` element of a CREATE TABLE.
#[derive(Clone, Debug)]
pub struct LikeClause {
    pub source: crate::ir::ObjKey,
    /// PostgreSQL's CREATE_TABLE_LIKE_* bits.
    pub options: u32,
    /// Byte span of the element within its statement (relative), from the source name.
    pub span: Span,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ColumnView {
    pub name: String,
    /// The type as written, without `pg_catalog.`, e.g. `varchar(50)`, `public.mpaa_rating[]`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The type's base name, lowercase, without schema, modifiers or array brackets: `varchar`.
    pub base_type: String,
    pub array: bool,
    /// A type qualified with a schema other than `pg_catalog` (enum, domain, composite, extension type).
    pub user_type: bool,
    pub not_null: bool,
    pub has_default: bool,
    /// `always` / `by_default` for identity columns.
    pub identity: Option<String>,
    /// `stored` / `virtual` for generated columns.
    pub generated: Option<String>,
    pub collation: Option<String>,
    pub compression: Option<String>,
    pub storage: Option<String>,
    /// The type's key (`schema.name` as qualified under the statement's search path) when it is
    /// not a `pg_catalog` type, for resolving domains and composite types the input defines.
    #[serde(skip)]
    pub type_key: Option<crate::ir::ObjKey>,
    /// Byte span of the column definition within its statement (relative).
    #[serde(skip)]
    pub span: Span,
    /// Byte span of the DEFAULT expression within its statement (relative).
    #[serde(skip)]
    pub default_span: Option<Span>,
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
    pub nulls_not_distinct: bool,
    /// For exclusion constraints: the index method.
    pub method: Option<String>,
    /// Types of the key columns from the table's definition when known (`base_type`, or `array`).
    pub column_types: Vec<String>,
    /// For foreign keys: whether the referenced table is partitioned (known from the input).
    pub references_partitioned: bool,
    /// Declared inside CREATE TABLE (rather than by ALTER TABLE).
    pub inline: bool,
    /// Byte offset of the constraint within its statement (relative).
    #[serde(skip)]
    pub location: usize,
    /// Byte span of the constraint within its statement (relative), when known.
    #[serde(skip)]
    pub span: Span,
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
    /// Key columns that are expressions, counted.
    pub expressions: usize,
    pub has_expressions: bool,
    /// Number of key columns (columns and expressions).
    pub key_count: usize,
    /// A key column has ASC/DESC or NULLS FIRST/LAST.
    pub ordered: bool,
    /// A key column has a COLLATE clause.
    pub collated: bool,
    pub has_storage_parameters: bool,
    pub nulls_not_distinct: bool,
    pub tablespace: Option<String>,
    /// Types of the key columns, from the table's definition when known (`base_type` form), then
    /// those of the expression keys whose type is known (`expression_types`).
    pub column_types: Vec<String>,
    /// What decides the type of each expression key, when its form tells (for `column_types`).
    #[serde(skip)]
    pub expression_types: Vec<ExprType>,
}

/// The type of an index expression, as far as its form tells without a catalog.
#[derive(Clone, Debug)]
pub enum ExprType {
    /// A cast (`(data::jsonb)`), or a function whose result type is known (`to_tsvector(…)`).
    Type(TypeRef),
    /// A column of the table, in parentheses (`((col))`).
    Column(String),
    /// `col -> 'k'` / `col #> '{k}'`: json or jsonb when the column is.
    JsonPath(String),
    /// A call of a function that is not a known built-in, with its number of arguments: the
    /// declared result type when the input defines exactly one such function.
    Call { function: crate::ir::ObjKey, args: usize },
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

#[derive(Clone, Debug, Default, Serialize)]
pub struct CommandView {
    /// The ALTER TABLE subcommand: `add_constraint`, `cluster_on`, `set_statistics`,
    /// `set_storage`, `set_options`, `reset_options`, `set_compression`, `alter_column_type`,
    /// `drop_constraint`, `disable_rule`, `set_rel_options`, `add_inherit`, `attach_partition`, …
    pub kind: String,
    /// The column or object the command names, when it names one.
    pub name: Option<String>,
    /// Its new name, for the renames of a column, constraint or trigger (`rename_column`,
    /// `rename_constraint`, `rename_trigger`: commands of a `rename` statement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Byte span of the subcommand within its statement (relative), for removing it.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FunctionView {
    pub schema: String,
    pub name: String,
    pub procedure: bool,
    pub language: String,
    /// SQL-standard body (`BEGIN ATOMIC … END` or `RETURN expr`, PostgreSQL 14+).
    pub sql_body: bool,
    pub returns: Option<String>,
    pub returns_trigger: bool,
    /// A parameter or return type uses `%TYPE`.
    pub percent_type: bool,
    /// The number of input parameters (IN, INOUT, VARIADIC), for matching calls to overloads.
    #[serde(skip)]
    pub inputs: usize,
    /// How many of them have a default (a call may leave those out).
    #[serde(skip)]
    pub defaults: usize,
    /// The last input parameter is VARIADIC (a call may pass more arguments).
    #[serde(skip)]
    pub variadic: bool,
    /// The declared result type (not for `SETOF`, `TABLE (…)` or `%TYPE`), for typing calls.
    #[serde(skip)]
    pub result: Option<TypeRef>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ViewView {
    pub schema: String,
    pub name: String,
    pub materialized: bool,
    /// `local` or `cascaded` for WITH CHECK OPTION.
    pub check_option: Option<String>,
    pub security_invoker: bool,
    pub recursive: bool,
    pub with_no_data: bool,
    /// `USING method` of a materialized view (PostgreSQL 12+).
    pub access_method: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SequenceView {
    pub schema: String,
    pub name: String,
    /// The CACHE option, when given.
    pub cache: Option<i64>,
}

/// A run-time setting a statement sets or resets: `SET [SESSION | LOCAL]`, `RESET`,
/// `SELECT set_config(…)`, `ALTER DATABASE | ROLE … SET`, and the `SET` clauses of `ALTER
/// FUNCTION` and `CREATE FUNCTION`. `known` and `custom` are filled in for the target when a
/// rule reads them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SettingView {
    /// Lowercase (setting names are case-insensitive): `SET TIME ZONE` is `timezone`, `SET NAMES`
    /// `client_encoding`.
    pub name: String,
    /// The value as written, without quotes (several values joined with `, `); `null` for RESET,
    /// `DEFAULT`, `FROM CURRENT` and values that are not constants.
    pub value: Option<String>,
    /// `set`, `reset`, `set_config`, `alter_database`, `alter_role`, `alter_function`,
    /// `create_function`.
    pub context: String,
    /// `SET LOCAL`, or `set_config(…, true)`.
    pub local: bool,
    /// The statement does nothing else: leaving it out loses only this setting.
    pub alone: bool,
    /// The target's PostgreSQL base knows the setting (custom names with a dot always are; so is
    /// every name when no settings list ships for the base).
    pub known: bool,
    /// A custom placeholder (`myapp.tenant`): the name has a dot.
    pub custom: bool,
    /// Byte span (statement-relative) for findings: the whole statement, or the `SET` / `RESET`
    /// keyword of a clause among other function options.
    #[serde(skip)]
    pub span: Span,
    /// Statement-relative start of the first and of the last value token.
    #[serde(skip)]
    pub value_at: Option<(usize, usize)>,
}

/// A type the input defines that key columns can resolve through (`CREATE DOMAIN`,
/// `CREATE TYPE … AS (…)`, `CREATE TYPE … AS RANGE`).
#[derive(Clone, Debug, Default)]
pub struct TypeDef {
    /// `domain`, `composite` or `range`.
    pub kind: String,
    /// A domain's base type, a composite type's attribute types (none for a range type).
    pub parts: Vec<TypeRef>,
}

/// One type as written: its base name (lowercase, no schema), whether it is an array, and its
/// key when it is not a `pg_catalog` type.
#[derive(Clone, Debug, Default)]
pub struct TypeRef {
    pub base_type: String,
    pub array: bool,
    pub key: Option<crate::ir::ObjKey>,
}

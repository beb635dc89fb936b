//! Application-level facts about a statement (DML and session constructs), found at lowering
//! for every parsed statement and for the SQL embedded in routine bodies. Rules match them through
//! the node kinds of `rules::dml` (`call`, `system_column`, `lock`, `transaction`,
//! `select_locking`, `cursor`, `construct`).
//!
//! Every fact is one occurrence with its own span (relative to the statement text), so a finding
//! points at the offending token, also inside a function body.

use serde::Serialize;

use crate::source::Span;

/// The DML facts of one statement; `Stmt::dml` is `None` when there are none.
#[derive(Clone, Debug, Default)]
pub struct DmlFacts {
    pub items: Vec<DmlItem>,
    /// The search_path the statement runs under (set by `lower::dml::sequence`): unqualified
    /// function names resolve through it.
    pub search_path: Vec<String>,
    /// The statement sets the search_path to this list (`SET search_path`, `set_config`).
    pub sets_search_path: Option<Vec<String>>,
}

impl DmlFacts {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.sets_search_path.is_none()
    }
}

/// One occurrence.
#[derive(Clone, Debug)]
pub struct DmlItem {
    pub fact: Fact,
    /// Byte range relative to the statement text.
    pub span: Span,
    pub context: ContextView,
    /// What a rewrite of this occurrence needs (`None`: no rewrite possible).
    pub fix: Option<FixData>,
}

#[derive(Clone, Debug)]
pub enum Fact {
    Call(CallView),
    SystemColumn(SystemColumnView),
    Lock(LockView),
    Transaction(TransactionView),
    SelectLocking(LockingView),
    Cursor(CursorView),
    Construct(ConstructView),
}

/// Where an occurrence is: top-level statement text, a routine body, or a literal `EXECUTE` string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContextView {
    /// `schema.name` of the function or procedure whose body holds the occurrence, `DO` for an
    /// anonymous block, `null` at top level.
    pub routine: Option<String>,
    /// Inside a literal `EXECUTE '…'` string.
    pub dynamic: bool,
}

/// A function call, or SQL syntax that reads like one (`XMLELEMENT(…)`, `JSON_OBJECT(…)`,
/// `XMLTABLE(…)`, `… IS JSON`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallView {
    /// The schema as written, `null` when unqualified.
    pub schema: Option<String>,
    /// Lowercase unless quoted.
    pub name: String,
    pub qualified: bool,
    /// The built-in function of that name: qualified with `pg_catalog`, or unqualified and the
    /// input defines no function of that name in a schema on the search_path.
    pub builtin: bool,
    /// Number of arguments.
    pub args: usize,
    /// SQL syntax rather than a call by name (`XMLELEMENT`, `JSON_OBJECT`, `IS JSON`, …).
    pub syntax: bool,
}

/// A reference to a system column: `xmin`, `xmax`, `cmin`, `cmax`, `ctid`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SystemColumnView {
    pub name: String,
    /// The table or alias it is qualified with, if any.
    pub qualifier: Option<String>,
}

/// `LOCK TABLE … IN mode MODE`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LockView {
    /// `access_share`, `row_share`, `row_exclusive`, `share_update_exclusive`, `share`,
    /// `share_row_exclusive`, `exclusive`, `access_exclusive`.
    pub mode: String,
    /// The mode as SQL: `ACCESS EXCLUSIVE`.
    pub mode_sql: String,
    pub nowait: bool,
}

/// A transaction-control or isolation statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TransactionView {
    /// `begin`, `commit`, `rollback`, `savepoint`, `release`, `rollback_to`, `prepare`,
    /// `commit_prepared`, `rollback_prepared`, `set_transaction` (SET TRANSACTION / SET
    /// transaction_isolation), `set_session` (SET SESSION CHARACTERISTICS), `set_default` (SET
    /// default_transaction_isolation, also through ALTER DATABASE/ROLE … SET).
    pub kind: String,
    /// `serializable`, `repeatable_read`, `read_committed`, `read_uncommitted`, or `null`.
    pub isolation: Option<String>,
    /// The isolation level as SQL: `READ COMMITTED`.
    pub isolation_sql: Option<String>,
}

/// `SELECT … FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LockingView {
    /// `update`, `no_key_update`, `share`, `key_share`.
    pub strength: String,
    /// As SQL: `FOR NO KEY UPDATE`.
    pub strength_sql: String,
    pub nowait: bool,
    pub skip_locked: bool,
    /// The isolation level the statement runs under when the file sets it (`BEGIN ISOLATION
    /// LEVEL …`, `SET TRANSACTION …`, `SET SESSION CHARACTERISTICS …`, `SET
    /// default_transaction_isolation …`), as `transaction.isolation` spells it; `null` when unknown
    /// (the server's default, or inside a routine body).
    pub isolation: Option<String>,
}

/// Cursor use beyond forward-only iteration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CursorView {
    /// `declare`, `fetch`, `move`, `current_of`.
    pub kind: String,
    /// `DECLARE … SCROLL CURSOR` (or a PL/pgSQL `SCROLL CURSOR` variable).
    pub scroll: bool,
    /// For FETCH / MOVE: `forward`, `backward`, `absolute`, `relative`.
    pub direction: Option<String>,
    /// For FETCH / MOVE: the row count or position (`FETCH PRIOR` is backward 1).
    pub count: Option<i64>,
    /// The construct as written, shortened: `FETCH PRIOR`, `DECLARE … SCROLL`, `WHERE CURRENT OF`.
    pub construct: String,
}

/// A piece of syntax: `merge`, `fetch_with_ties`, `cte_materialized`, `copy_where`,
/// `copy_on_error`, `subscript` (`x['key']`), `non_decimal_literal`, `listen`, `notify`,
/// `unlisten`, `ddl_in_transaction`, `truncate_in_transaction`, `dynamic_sql` (EXECUTE of a string
/// built at run time), `unanalysable` (a body or embedded statement that could not be parsed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConstructView {
    pub kind: String,
    /// Kind-specific: the subscript key, the literal, the channel, the statement kind, `NOT
    /// MATERIALIZED`, the parse error, …
    pub detail: Option<String>,
    /// How many times the construct occurs where one finding stands for several (DDL statements
    /// in the transaction block, dynamic EXECUTEs in the routine); 1 otherwise.
    pub count: usize,
    /// For `subscript`: the subscripted value is known to be `jsonb` (a `::jsonb` cast, a
    /// function returning jsonb, or a column the input declares as jsonb). Filled in by the
    /// rules engine, which knows the tables.
    pub jsonb: bool,
    /// For `subscript`: the target of an assignment (`UPDATE … SET j['k'] = …`).
    pub assignment: bool,
    /// For `subscript`: what is subscripted (resolved into `jsonb` by the rules engine).
    #[serde(skip)]
    pub base: SubscriptBase,
}

/// What rewrites need, in statement-relative byte offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixData {
    /// `base['a'][0]` → `(base -> 'a' -> 0)`: the base expression's span and each subscript's
    /// `[`…`]` span with its key as written.
    Subscript { base: Span, subscripts: Vec<(Span, String)> },
    /// A top-level MERGE statement (the action re-parses it).
    Merge,
}

/// For `subscript`: what the subscripted value is, to decide whether it is jsonb.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SubscriptBase {
    #[default]
    Unknown,
    /// `expr::jsonb`.
    JsonbCast,
    /// A call; the name (lowercase, unqualified).
    Function(String),
    /// A column reference and the relations of its statement (`(alias, schema, table)`).
    Column { qualifier: Option<String>, name: String, relations: Vec<(String, Option<String>, String)> },
}

impl Fact {
    pub fn construct(kind: &str, detail: Option<String>) -> Fact {
        Fact::Construct(ConstructView { kind: kind.into(), detail, count: 1, ..Default::default() })
    }
}

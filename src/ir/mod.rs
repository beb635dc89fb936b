//! The intermediate representation: one `Stmt` per input piece that carries meaning
//! (statement, COPY data block, psql meta-command), plus what lowering learned about it.
//!
//! Invariant: `Ir::stmts` is in input order (file, then byte offset), and every statement ends
//! the pipeline with exactly one `Fate` and one `Phase`.

pub mod change;
pub mod dml;
pub mod names;
pub mod text;
pub mod view;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::scan::PieceKind;
use crate::source::{FileId, Span};
pub use names::{ObjKey, ObjKind, TEMP_SCHEMA};
pub use view::{
    ColumnView, CommandView, ConstraintView, ExprType, FunctionView, IndexView, LikeClause, SequenceView, SettingView,
    TableView, TriggerView, TypeDef, TypeRef, ViewView,
};

pub type StmtId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    PreData,
    Data,
    PostData,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::PreData, Phase::Data, Phase::PostData];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::PreData => "pre-data",
            Phase::Data => "data",
            Phase::PostData => "post-data",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Emitted byte for byte from the source.
    Verbatim,
    /// Emitted with changes made by rules.
    Rewritten,
    /// Folded into another statement (`merged_into`).
    Merged,
    /// Not emitted to the loadable scripts; a diagnostic says why.
    Dropped,
}

impl Fate {
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Verbatim => "verbatim",
            Fate::Rewritten => "rewritten",
            Fate::Merged => "merged",
            Fate::Dropped => "dropped",
        }
    }
}

/// A text change inside a statement, at absolute byte offsets of its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub insert: String,
}

/// A constraint folded into this statement by `inline_constraint`: which edit holds its text, and
/// where it came from, so later rewrites of the constraint (e.g. stripping a clause) reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub edit: usize,
    pub source: StmtId,
    /// Separator written before the constraint text (`,\n    `).
    pub prefix: String,
}

/// A statement pg2znb adds because others need it (see [`Stmt::requires`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Prerequisite {
    /// The SQL, with a comment line above it saying why.
    pub sql: String,
    /// What it creates, for the manifest.
    pub defines: Option<ObjKey>,
}

/// How a statement acts on the psql session rather than on the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Session {
    /// Not a session statement.
    None,
    /// `SET …`, `SELECT pg_catalog.set_config(…)`, `\connect`, `\set`: replayed at the top of
    /// every script that needs the state they establish.
    Setting,
    /// `\restrict` / `\unrestrict`: frames every output script.
    Restrict,
    Unrestrict,
}

/// What lowering learned about a statement's own object, for rules and the manifest.
#[derive(Clone, Debug, Default)]
pub enum Detail {
    #[default]
    None,
    // Boxed: most statements are not tables, and every statement holds a `Detail`.
    CreateTable(Box<TableView>),
    /// One `ALTER TABLE … ADD CONSTRAINT` (only single-command ALTERs are split out).
    AddConstraint {
        table: ObjKey,
        only: bool,
        constraint: ConstraintView,
        single_command: bool,
    },
    CreateIndex(Box<IndexView>),
    CreateTrigger(TriggerView),
    CreateFunction(FunctionView),
    CreateView(ViewView),
    CreateSequence(SequenceView),
    CreateExtension {
        name: String,
    },
    /// `CREATE DOMAIN`, `CREATE TYPE … AS (…)`, `CREATE TYPE … AS RANGE`.
    CreateType(Box<TypeDef>),
}

/// How a statement meets an earlier definition of the objects it names, for telling a
/// duplicate definition from a legitimate redefinition (`sanity::duplicates`). Only statements
/// with something to say have one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redefine {
    /// `CREATE OR REPLACE …`, `CREATE … IF NOT EXISTS`: an earlier definition is not a conflict.
    pub tolerant: bool,
    /// A shell type (`CREATE TYPE t;`, completed by a later `CREATE TYPE t (…)`) or a temporary
    /// object: neither conflicts with nor counts as a definition.
    pub unchecked: bool,
    /// Argument types of a function, procedure or aggregate (overloads share a name).
    pub signature: Option<String>,
    /// What the statement removes (`DROP …`, `ALTER TABLE … DROP CONSTRAINT`), with the
    /// argument types of a dropped function when given.
    pub drops: Vec<(ObjKey, Option<String>)>,
    /// `BEGIN`/`START TRANSACTION`, `COMMIT`/`END`, `ROLLBACK`/`ABORT`.
    pub transaction: Option<Transaction>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transaction {
    Begin,
    Commit,
    Rollback,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub id: StmtId,
    pub file: FileId,
    pub span: Span,
    /// Comments and whitespace directly before the statement; they travel with it.
    pub trivia: Span,
    pub piece: PieceKind,
    /// Snake-case statement kind, e.g. `create_table`, `alter_table`, `copy`, `psql_meta`.
    pub kind: String,
    /// The main object the statement creates or changes, for the report.
    pub object: Option<ObjKey>,
    /// Objects the statement creates.
    pub defines: Vec<ObjKey>,
    /// Objects the statement needs (possibly not defined in the input).
    pub refs: Vec<ObjKey>,
    pub detail: Detail,
    /// For ALTER TABLE: its subcommands, in order.
    pub commands: Vec<CommandView>,
    /// `ALTER TABLE ONLY` / `CREATE INDEX … ON ONLY`.
    pub only: bool,
    /// Roles the statement names (owners, grantees, policy roles).
    pub roles: Vec<String>,
    /// Top-level `name = value` options (CREATE COLLATION/DATABASE/EXTENSION/SEQUENCE, views,
    /// types): lowercase names, values as written.
    pub options: BTreeMap<String, String>,
    /// Elements of `CREATE SCHEMA s CREATE TABLE …`.
    pub schema_elements: usize,
    /// For an element of `CREATE SCHEMA s CREATE TABLE …`: the CREATE SCHEMA statement. Elements
    /// follow it in `Ir::stmts` with their own views (rules and the manifest see their tables and
    /// columns) and spans inside its text; they are merged into it from lowering on, and its text
    /// carries theirs.
    pub element_of: Option<StmtId>,
    pub session: Session,
    /// Run-time settings the statement sets or resets (SET, set_config, ALTER … SET, a
    /// function's SET clauses).
    pub settings: Vec<SettingView>,
    /// Statements that must have run before this one loads (e.g. `CREATE EXTENSION pgcrypto`
    /// for a function the base lacks): each is written once, before the first statement in load
    /// order that needs it ([`Ir::place_prerequisites`] puts it in that statement's `prelude`).
    pub requires: Vec<Prerequisite>,
    /// Prerequisites written just before this statement (and its leading comments).
    pub prelude: Vec<Prerequisite>,
    /// The statement moves rows (COPY, INSERT, setval): the data phase.
    pub is_data: bool,
    /// For a `COPY … FROM stdin`: the id of its data block.
    pub copy_data: Option<StmtId>,
    /// The statement did not parse; it is kept verbatim.
    pub parse_error: bool,
    /// Byte offset (absolute) where the column/constraint list of a CREATE TABLE closes, for
    /// inserting inlined constraints; `None` when the table has no element list.
    pub elements_close: Option<usize>,
    /// Application-level facts (calls, system columns, locks, transactions, …) for the lint
    /// rules; `None` when the statement has none.
    pub dml: Option<Box<dml::DmlFacts>>,
    /// How the statement meets earlier definitions; `None` for a plain definition (or none).
    pub redefine: Option<Box<Redefine>>,

    // Set by rules and order.
    pub fate: Fate,
    pub phase: Phase,
    pub codes: Vec<String>,
    pub merged_into: Option<StmtId>,
    /// Why the statement's phase differs from where its kind normally loads, when no rule
    /// moved it itself (it follows a statement it depends on).
    pub phase_reason: Option<String>,
    pub edits: Vec<Edit>,
    /// Constraints folded into this statement (by `inline_constraint`).
    pub folds: Vec<Fold>,
    /// Text appended after the statement (e.g. trigger copies for partitions).
    pub appended: Vec<String>,
    /// The emitted text uses ZNbaseDB-only syntax (e.g. `PRIMARY KEY (id HASH)`): PostgreSQL's
    /// parser cannot check it.
    pub target_syntax: bool,
    /// For statements moved to `unsupported.sql`: the finding written above them.
    pub unsupported: Option<String>,
    /// For a statement that moved to `unsupported.sql` along with another (it needs what that
    /// one defines, or was folded into it): that statement. report.html draws it as an edge.
    pub moved_with: Option<StmtId>,
    /// Differences from the source the target will have on purpose (for the manifest).
    pub changes: Vec<change::ManifestChange>,
}

impl Stmt {
    pub fn new(id: StmtId, file: FileId, span: Span, trivia: Span, piece: PieceKind) -> Self {
        Stmt {
            id,
            file,
            span,
            trivia,
            piece,
            kind: String::new(),
            object: None,
            defines: Vec::new(),
            refs: Vec::new(),
            detail: Detail::None,
            commands: Vec::new(),
            only: false,
            roles: Vec::new(),
            options: Default::default(),
            schema_elements: 0,
            element_of: None,
            session: Session::None,
            settings: Vec::new(),
            requires: Vec::new(),
            prelude: Vec::new(),
            is_data: false,
            copy_data: None,
            parse_error: false,
            elements_close: None,
            dml: None,
            redefine: None,
            fate: Fate::Verbatim,
            phase: Phase::PreData,
            codes: Vec::new(),
            merged_into: None,
            phase_reason: None,
            edits: Vec::new(),
            folds: Vec::new(),
            appended: Vec::new(),
            target_syntax: false,
            unsupported: None,
            moved_with: None,
            changes: Vec::new(),
        }
    }

    /// `ALTER … RENAME TO` / `ALTER … SET SCHEMA` of a relation: its old key and its new one
    /// (later statements name it by the new one).
    pub fn renamed_relation(&self) -> Option<(&ObjKey, &ObjKey)> {
        if !matches!(self.kind.as_str(), "rename" | "alter_set_schema") {
            return None;
        }
        let old = self.redefine.as_deref()?.drops.first().map(|(k, _)| k).filter(|k| k.kind == ObjKind::Relation)?;
        let new = self.defines.iter().find(|d| d.kind == ObjKind::Relation)?;
        Some((old, new))
    }

    /// Folded into another statement by a rule (not an element of CREATE SCHEMA, which is part
    /// of its statement from the start).
    pub fn folded(&self) -> bool {
        self.fate == Fate::Merged && self.element_of.is_none()
    }

    pub fn add_code(&mut self, code: &str) {
        if !self.codes.iter().any(|c| c == code) {
            self.codes.push(code.to_string());
        }
    }
}

/// The whole program: every statement of every input file, in input order.
#[derive(Clone, Debug, Default)]
pub struct Ir {
    pub stmts: Vec<Stmt>,
    /// Definers of each key in input order, once [`Ir::index_definitions`] ran (a linear scan
    /// per lookup made folding every primary key quadratic in the number of tables).
    definers: Option<BTreeMap<ObjKey, Vec<StmtId>>>,
    /// Every prerequisite a rule asked for (see [`Stmt::requires`]), and whether the input
    /// already provides it (then no statement requires it).
    pub prerequisites: BTreeMap<Prerequisite, bool>,
}

impl Ir {
    /// The statement that defines `key`, if the input has one (first definition wins).
    pub fn definer(&self, key: &ObjKey) -> Option<StmtId> {
        match &self.definers {
            Some(index) => index.get(key).and_then(|d| d.first()).copied(),
            None => self.stmts.iter().find(|s| s.defines.contains(key)).map(|s| s.id),
        }
    }

    /// The definition of `key` live at statement `at`: the last one before it, else the first
    /// after it (a script may drop a table and create it again; a name used before its
    /// definition means the one that follows).
    pub fn definer_at(&self, key: &ObjKey, at: StmtId) -> Option<StmtId> {
        let all: Vec<StmtId>;
        let defs = match &self.definers {
            Some(index) => index.get(key)?.as_slice(),
            None => {
                all = self.stmts.iter().filter(|s| s.defines.contains(key)).map(|s| s.id).collect();
                &all
            }
        };
        let before = defs.partition_point(|&d| d < at);
        before.checked_sub(1).map(|i| defs[i]).or_else(|| defs.get(before).copied())
    }

    /// Index every statement's definitions for [`Ir::definer`]; after this, add definitions
    /// with [`Ir::add_definition`] so the index stays true.
    pub fn index_definitions(&mut self) {
        let mut index: BTreeMap<ObjKey, Vec<StmtId>> = BTreeMap::new();
        for s in &self.stmts {
            for d in &s.defines {
                index.entry(d.clone()).or_default().push(s.id);
            }
        }
        self.definers = Some(index);
    }

    /// Give each prerequisite to the first statement in load order (`order`: the scripts' statement
    /// lists, in load order) that requires it, as its `prelude`; emitted only once.
    pub fn place_prerequisites(&mut self, order: &[&[StmtId]]) {
        let mut placed: Vec<Prerequisite> = Vec::new();
        for &id in order.iter().flat_map(|ids| ids.iter()) {
            if self.stmts[id].requires.is_empty() {
                continue;
            }
            let fresh: Vec<Prerequisite> =
                self.stmts[id].requires.iter().filter(|p| !placed.contains(p)).cloned().collect();
            placed.extend(fresh.iter().cloned());
            self.stmts[id].prelude = fresh;
        }
    }

    /// Statement `id` now also defines `key` (e.g. the trigger that replaces a generated column).
    pub fn add_definition(&mut self, id: StmtId, key: ObjKey) {
        if let Some(index) = &mut self.definers {
            let defs = index.entry(key.clone()).or_default();
            if let Err(at) = defs.binary_search(&id) {
                defs.insert(at, id);
            }
        }
        self.stmts[id].defines.push(key);
    }
}

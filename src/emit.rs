//! Stage 6: print each phase. An untouched statement is its source text byte for byte (with
//! the comments that preceded it); a rewritten one applies its edits to that text.
//!
//! Each script runs in its own psql session, so the session settings a statement ran under in
//! the source (`SET …`, `set_config`, `\connect`) are replayed before it when they differ from
//! what the script has established so far.

use std::collections::BTreeMap;
use std::io;

use crate::ir::text::statement_pieces;
use crate::ir::{Ir, Phase, Session, Stmt, StmtId};
use crate::order::Order;
use crate::source::SourceFile;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scripts {
    pub pre_data: String,
    /// `None` when the input carried no data.
    pub data: Option<String>,
    pub post_data: String,
    /// Statements the target cannot load, each under its finding; `None` when there are none.
    pub unsupported: Option<String>,
    /// `CREATE ROLE` statements (commented) for the roles the scripts name; `None` when none.
    pub roles: Option<String>,
}

/// The scripts `compile` writes, in load order (`unsupported.sql` and `roles.sql` are for the user).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScriptKind {
    PreData,
    Data,
    PostData,
    Unsupported,
    Roles,
}

impl ScriptKind {
    pub const ALL: [ScriptKind; 5] =
        [ScriptKind::PreData, ScriptKind::Data, ScriptKind::PostData, ScriptKind::Unsupported, ScriptKind::Roles];

    pub fn file_name(self) -> &'static str {
        match self {
            ScriptKind::PreData => "pre-data.sql",
            ScriptKind::Data => "data.sql",
            ScriptKind::PostData => "post-data.sql",
            ScriptKind::Unsupported => "unsupported.sql",
            ScriptKind::Roles => "roles.sql",
        }
    }
}

/// Where script text goes: a `String` or an `io::Write` (a file, for outputs too large to hold).
/// Pieces of the source are passed through as they are, never gathered into one buffer first.
/// The first write error is kept and returned by [`Sink::finish`].
struct Sink<'w> {
    out: SinkOut<'w>,
    /// The last byte written, to end a script with a line break.
    last: Option<u8>,
    err: Option<io::Error>,
    /// Bytes written so far.
    written: usize,
    /// Where each statement's part of the script starts (`Emitter::marks`); `None`: not wanted.
    marks: Option<Vec<(usize, StmtId)>>,
}

enum SinkOut<'w> {
    Text(&'w mut String),
    Io(&'w mut dyn io::Write),
    /// Nothing kept: only positions are wanted.
    Count,
}

impl<'w> Sink<'w> {
    fn text(out: &'w mut String) -> Self {
        Sink { out: SinkOut::Text(out), last: None, err: None, written: 0, marks: None }
    }

    fn io(out: &'w mut dyn io::Write) -> Self {
        Sink { out: SinkOut::Io(out), last: None, err: None, written: 0, marks: None }
    }

    fn count() -> Self {
        Sink { out: SinkOut::Count, last: None, err: None, written: 0, marks: Some(Vec::new()) }
    }

    fn mark(&mut self, id: StmtId) {
        if let Some(m) = &mut self.marks {
            m.push((self.written, id));
        }
    }

    fn push(&mut self, s: &str) {
        if s.is_empty() || self.err.is_some() {
            return;
        }
        self.last = s.as_bytes().last().copied();
        self.written += s.len();
        match &mut self.out {
            SinkOut::Text(t) => t.push_str(s),
            SinkOut::Io(w) => {
                if let Err(e) = w.write_all(s.as_bytes()) {
                    self.err = Some(e);
                }
            }
            SinkOut::Count => {}
        }
    }

    fn finish(self) -> io::Result<()> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

struct Writer<'a> {
    ir: &'a Ir,
    files: &'a [SourceFile],
    /// Session-setting statements of each file, in source order.
    settings: BTreeMap<usize, Vec<StmtId>>,
    /// For each statement: how many of its file's settings precede it.
    state_of: Vec<usize>,
}

impl<'a> Writer<'a> {
    fn new(ir: &'a Ir, files: &'a [SourceFile]) -> Self {
        let mut settings: BTreeMap<usize, Vec<StmtId>> = BTreeMap::new();
        let mut state_of = Vec::with_capacity(ir.stmts.len());
        for s in &ir.stmts {
            let list = settings.entry(s.file).or_default();
            state_of.push(list.len());
            // A setting left out (e.g. one the target's base does not know) is never replayed.
            if s.session == Session::Setting && s.fate != crate::ir::Fate::Dropped {
                list.push(s.id);
            }
        }
        Writer { ir, files, settings, state_of }
    }

    fn statement(&self, out: &mut Sink<'_>, stmt: &Stmt) {
        statement_pieces(stmt, self.files, |p| out.push(p));
    }

    fn script(&self, out: &mut Sink<'_>, ids: &[StmtId], header: &str) {
        out.push(header);
        // Left out (dropped) unless compiled with --psql-restrict.
        let framing =
            |kind: Session| self.ir.stmts.iter().find(|s| s.session == kind && s.fate != crate::ir::Fate::Dropped);
        let (restrict, unrestrict) = (framing(Session::Restrict), framing(Session::Unrestrict));
        if let Some(r) = restrict {
            out.push(self.files[r.file].slice(r.span).trim_end());
            out.push("\n");
        }
        // (file, number of settings applied) established so far in this script.
        let mut current: Option<(usize, usize)> = None;
        for &id in ids {
            let s = &self.ir.stmts[id];
            if matches!(s.session, Session::Restrict | Session::Unrestrict) {
                continue;
            }
            out.mark(id);
            let want = self.state_of[id];
            let list = &self.settings[&s.file];
            let from = match current {
                Some((f, have)) if f == s.file && have <= want => have,
                Some(_) => {
                    out.push("\nRESET ALL;\n");
                    0
                }
                None => 0,
            };
            if from < want {
                out.push("\n-- session settings the following statements were written under\n");
                for &sid in &list[from..want] {
                    self.statement(out, &self.ir.stmts[sid]);
                    out.push("\n");
                }
            }
            current = Some((s.file, want + usize::from(s.session == Session::Setting)));
            for p in &s.prelude {
                out.push("\n\n");
                out.push(&p.sql);
            }
            out.push(self.files[s.file].slice(s.trivia));
            self.statement(out, s);
            if let Some(c) = s.copy_data {
                let d = &self.ir.stmts[c];
                out.push(self.files[d.file].slice(d.trivia));
                out.push(self.files[d.file].slice(d.span));
            }
        }
        if out.last != Some(b'\n') {
            out.push("\n");
        }
        if let Some(u) = unrestrict {
            out.push("\n");
            out.push(self.files[u.file].slice(u.span).trim_end());
            out.push("\n");
        }
    }
}

fn has_unsupported(ir: &Ir) -> bool {
    ir.stmts.iter().any(|s| s.unsupported.is_some())
}

fn unsupported(out: &mut Sink<'_>, ir: &Ir, files: &[SourceFile], target: &str) {
    out.push(&format!(
        "-- unsupported.sql: generated by pg2znb {} for ZNbaseDB {target}.\n\
         -- Statements the target cannot load as written, each under the finding that moved it here.\n\
         -- None of this is in pre-data/data/post-data.sql: adapt what you need and apply it by hand.\n",
        env!("CARGO_PKG_VERSION")
    ));
    for s in ir.stmts.iter().filter(|s| s.unsupported.is_some()) {
        let f = &files[s.file];
        let (line, _) = f.line_col(s.span.start);
        out.push("\n");
        if s.piece != crate::scan::PieceKind::CopyData {
            for l in s.unsupported.as_deref().unwrap_or("").lines() {
                out.push("-- ");
                out.push(l);
                out.push("\n");
            }
            // An element of a CREATE SCHEMA that loads without it: its unqualified names meant
            // that schema, and its text ends before the next element.
            match s.element_of.and_then(|h| ir.stmts[h].object.as_ref()) {
                Some(schema) => out.push(&format!(
                    "-- from {}:{line}, an element of CREATE SCHEMA {} (its unqualified names are in that schema)\n",
                    f.name, schema.name
                )),
                None => out.push(&format!("-- from {}:{line}\n", f.name)),
            }
        }
        out.push(f.slice(s.span));
        if s.element_of.is_some() {
            out.push(";");
        }
        out.push("\n");
    }
}

/// Roles the scripts name (owners, grants, policies), with how many statements name each.
fn named_roles(ir: &Ir) -> BTreeMap<&str, usize> {
    let mut named: BTreeMap<&str, usize> = BTreeMap::new();
    for s in ir.stmts.iter().filter(|s| s.fate != crate::ir::Fate::Dropped) {
        for r in &s.roles {
            *named.entry(r.as_str()).or_default() += 1;
        }
    }
    named
}

fn roles(out: &mut Sink<'_>, ir: &Ir, target: &str) {
    let named = named_roles(ir);
    let created: Vec<&str> = ir
        .stmts
        .iter()
        .filter(|s| s.kind == "create_role")
        .filter_map(|s| s.object.as_ref().map(|o| o.name.as_str()))
        .collect();
    out.push(&format!(
        "-- roles.sql: generated by pg2znb {} for ZNbaseDB {target}.\n\
         -- The scripts name these roles (owners, grants, policies). Create the ones the target lacks\n\
         -- before loading: review, uncomment and adjust (LOGIN, passwords, memberships).\n\
         -- Or compile with --no-owner / --no-privileges to leave ownership and grants out.\n\n",
        env!("CARGO_PKG_VERSION")
    ));
    for (r, n) in named {
        let note = if created.contains(&r) { ", created by the input" } else { "" };
        out.push(&format!(
            "-- CREATE ROLE {}; -- named by {}{note}\n",
            crate::ir::names::quote_ident(r),
            crate::text::count(n, "statement", "statements")
        ));
    }
}

/// Prints the scripts of a compiled program, one at a time, to a `String` or straight to a file.
/// Both go through the same code, so a streamed script is byte for byte what [`emit`] returns.
pub struct Emitter<'a> {
    ir: &'a Ir,
    order: &'a Order,
    files: &'a [SourceFile],
    target: &'a str,
    writer: Writer<'a>,
}

impl<'a> Emitter<'a> {
    pub fn new(ir: &'a Ir, order: &'a Order, files: &'a [SourceFile], target: &'a str) -> Self {
        Emitter { ir, order, files, target, writer: Writer::new(ir, files) }
    }

    /// Whether the program has this script: `data.sql` only when the input carried data,
    /// `unsupported.sql` and `roles.sql` only when they would list something.
    pub fn has(&self, kind: ScriptKind) -> bool {
        match kind {
            ScriptKind::PreData | ScriptKind::PostData => true,
            ScriptKind::Data => !self.order.data.is_empty(),
            ScriptKind::Unsupported => has_unsupported(self.ir),
            ScriptKind::Roles => !named_roles(self.ir).is_empty(),
        }
    }

    /// The scripts the program has, in load order.
    pub fn present(&self) -> Vec<ScriptKind> {
        ScriptKind::ALL.into_iter().filter(|&k| self.has(k)).collect()
    }

    /// Write one script to `w` (which the caller should buffer). Writes nothing for a script the
    /// program does not have.
    pub fn write(&self, kind: ScriptKind, w: &mut dyn io::Write) -> io::Result<()> {
        let mut sink = Sink::io(w);
        self.print(kind, &mut sink);
        sink.finish()
    }

    /// One script as a `String`, or `None` when the program does not have it.
    pub fn text(&self, kind: ScriptKind) -> Option<String> {
        if !self.has(kind) {
            return None;
        }
        let mut out = String::new();
        let mut sink = Sink::text(&mut out);
        self.print(kind, &mut sink);
        drop(sink);
        Some(out)
    }

    /// Where each statement's part of a script begins (its replayed settings, prerequisites,
    /// leading comments, then its text), as byte offsets in that script, in script order. The
    /// script is printed without being kept. Empty for a script the program does not have.
    pub fn marks(&self, kind: ScriptKind) -> Vec<(usize, StmtId)> {
        let mut sink = Sink::count();
        self.print(kind, &mut sink);
        sink.marks.unwrap_or_default()
    }

    /// Every script as a `String`.
    pub fn scripts(&self) -> Scripts {
        Scripts {
            pre_data: self.text(ScriptKind::PreData).unwrap_or_default(),
            data: self.text(ScriptKind::Data),
            post_data: self.text(ScriptKind::PostData).unwrap_or_default(),
            unsupported: self.text(ScriptKind::Unsupported),
            roles: self.text(ScriptKind::Roles),
        }
    }

    fn print(&self, kind: ScriptKind, out: &mut Sink<'_>) {
        if !self.has(kind) {
            return;
        }
        let load = if self.has(ScriptKind::Data) {
            "pre-data.sql, data.sql, post-data.sql"
        } else {
            "pre-data.sql, post-data.sql"
        };
        let header = |phase: Phase| {
            format!(
                "-- {}.sql: generated by pg2znb {} for ZNbaseDB {}.\n-- Load order: {load}.\n",
                phase.as_str(),
                env!("CARGO_PKG_VERSION"),
                self.target
            )
        };
        match kind {
            ScriptKind::PreData => self.writer.script(out, &self.order.pre_data, &header(Phase::PreData)),
            ScriptKind::Data => self.writer.script(out, &self.order.data, &header(Phase::Data)),
            ScriptKind::PostData => self.writer.script(out, &self.order.post_data, &header(Phase::PostData)),
            ScriptKind::Unsupported => unsupported(out, self.ir, self.files, self.target),
            ScriptKind::Roles => roles(out, self.ir, self.target),
        }
    }
}

/// Every script as a `String` (see [`Emitter`] to stream them instead).
pub fn emit(ir: &Ir, order: &Order, files: &[SourceFile], target: &str) -> Scripts {
    Emitter::new(ir, order, files, target).scripts()
}

#[cfg(test)]
mod tests {
    use crate::compile::compile;
    use crate::rules::{ApplyOptions, RulePack};
    use crate::source::SourceFile;

    /// A setting a rule left out is replayed in no script; the others are, in each script.
    #[test]
    fn dropped_settings_are_not_replayed() {
        let sql = "SET transaction_timeout = 0;\nSET lock_timeout = 0;\nCREATE TABLE t (id int);\n\
                   CREATE TABLE c (id int);\nALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (id) REFERENCES t (id);\nINSERT INTO t VALUES (1);\n";
        let pack = RulePack::builtin().unwrap();
        let c = compile(vec![SourceFile::new("s.sql", sql)], &pack, &ApplyOptions::default());
        let data = c.scripts.data.as_deref().unwrap();
        for script in [&c.scripts.pre_data, data, &c.scripts.post_data] {
            assert!(!script.contains("transaction_timeout"), "{script}");
            assert!(script.contains("SET lock_timeout = 0;"), "{script}");
        }
        // On the PostgreSQL 15 base it is unknown too (PostgreSQL 17); lock_timeout stays.
        let c = compile(
            vec![SourceFile::new("s.sql", sql)],
            &pack,
            &ApplyOptions { target: "2025.1".into(), ..Default::default() },
        );
        assert!(!c.scripts.pre_data.contains("transaction_timeout"));
    }

    /// A prerequisite is written once, before the first statement that needs it, in load order.
    #[test]
    fn a_prerequisite_is_written_once_before_its_first_user() {
        let sql = "CREATE TABLE t (id uuid DEFAULT gen_random_uuid());\nCREATE VIEW v AS SELECT gen_random_uuid();\n";
        let pack = RulePack::builtin().unwrap();
        let c = compile(vec![SourceFile::new("s.sql", sql)], &pack, &ApplyOptions::default());
        let pre = &c.scripts.pre_data;
        let ext = "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA pg_catalog;";
        assert_eq!(pre.matches(ext).count(), 1, "{pre}");
        assert!(pre.find(ext).unwrap() < pre.find("CREATE TABLE t").unwrap(), "{pre}");
        assert!(c.report.statements.iter().all(|s| s.fate.as_str() != "dropped"));
    }
}

//! Input sanity: what is wrong with the inputs as a whole rather than with one statement.
//!
//! - [`duplicates`] (`E005`, error): an object defined twice (two dumps of one database given
//!   together, a file listed twice). The second definition moves to `unsupported.sql`.
//! - [`truncation`] (`E006`, warning): a pg_dump script without its trailer, or `\restrict`
//!   without `\unrestrict`: the dump was cut short.
//! - [`omit_restrict`] (`E007`, info): `\restrict` framing left out unless `--psql-restrict`.
//! - [`is_blank`]: input without statements (`E003`; the CLI refuses input that is all blank).

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{Detail, Fate, Ir, ObjKey, ObjKind, Session, StmtId, Transaction};
use crate::scan::PieceKind;
use crate::source::{SourceFile, Span};

/// The code of a duplicate definition; a statement dropped as one carries it in its codes.
pub const DUPLICATE: &str = "E005";
pub const TRUNCATED: &str = "E006";
pub const RESTRICT_OMITTED: &str = "E007";

/// Only whitespace and comments (`--` lines, nested `/* */` blocks): nothing to compile. Stops
/// at the first character of a statement, so a dump costs a few bytes to check.
pub fn is_blank(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = b[i..].iter().position(|&c| c == b'\n').map(|n| i + n + 1).unwrap_or(b.len());
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                loop {
                    match (b.get(i), b.get(i + 1)) {
                        (None, _) => return true, // an unterminated comment is still a comment
                        (Some(b'/'), Some(b'*')) => {
                            depth += 1;
                            i += 2;
                        }
                        (Some(b'*'), Some(b'/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => i += 1,
                    }
                }
            }
            // A UTF-8 byte order mark is not a statement either.
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            _ => return false,
        }
    }
    true
}

/// `E003` for each input without statements (a warning for compile, info for lint).
pub fn blank_files(files: &[SourceFile], severity: Severity) -> Vec<Diagnostic> {
    files
        .iter()
        .enumerate()
        .filter(|(_, f)| is_blank(&f.text))
        .map(|(id, _)| {
            Diagnostic::new("E003", "scan", severity, "the file has no statements (it is empty or holds only comments)")
                .at(id, Span::new(0, 0))
                .with_help("check that the right file was given (pg_dump writes to stdout unless -f is set)")
        })
        .collect()
}

/// What a definition is identified by: the database (`\connect` switches, as in pg_dumpall
/// output, numbered), the object, and for functions their argument types. Borrowed from the IR.
type Key<'a> = (u32, &'a ObjKey, &'a str);

/// Keys compared: not `Other` (operators, collations, …: their identity is more than a name), and
/// not an unnamed schema (`CREATE SCHEMA AUTHORIZATION r` is named after the role).
fn checked(key: &ObjKey) -> bool {
    key.kind != ObjKind::Other && !key.name.is_empty()
}

/// The tables a statement's definitions belong to (dropped with them): a table's own, and a
/// partition's or an inheriting table's parents (`DROP TABLE parent [CASCADE]` drops them).
fn owner_tables(ir: &Ir, id: StmtId) -> Vec<ObjKey> {
    let s = &ir.stmts[id];
    match &s.detail {
        Detail::CreateTable(t) => {
            let parents = t.partition_of.iter().chain(&t.inherits).map(|p| {
                let (schema, name) = p.split_once('.').unwrap_or(("public", p));
                ObjKey::relation(schema, name)
            });
            s.object.iter().cloned().chain(parents).collect()
        }
        Detail::AddConstraint { table, .. } => vec![table.clone()],
        Detail::CreateIndex(i) => vec![ObjKey::relation(&i.schema, &i.table)],
        Detail::CreateTrigger(t) => vec![ObjKey::relation(&t.schema, &t.table)],
        _ => Vec::new(),
    }
}

/// The object word for messages: `table public.actor`, `function public.f(int4)`.
fn describe(ir: &Ir, id: StmtId, key: &ObjKey, signature: &str) -> String {
    let noun = match key.kind {
        ObjKind::Relation => match ir.stmts[id].kind.as_str() {
            "create_table" | "create_table_partition" | "create_table_as" | "create_foreign_table" => "table",
            "create_view" => "view",
            "create_materialized_view" => "materialized view",
            "create_sequence" => "sequence",
            "create_index" | "alter_table" => "index",
            _ => "relation",
        },
        ObjKind::Type => "type",
        ObjKind::Function => "function",
        ObjKind::Schema => "schema",
        ObjKind::Extension => "extension",
        ObjKind::Constraint => "constraint",
        ObjKind::Trigger => "trigger",
        ObjKind::Policy => "policy",
        ObjKind::Rule => "rule",
        ObjKind::Other => "object",
    };
    let args = if key.kind == ObjKind::Function { format!("({signature})") } else { String::new() };
    format!("{noun} {}{args}", key.display())
}

/// The definitions in force while walking the input in order. Hash maps: they are only looked
/// up (a schema drop scans one to remove entries), never iterated into output.
#[derive(Default)]
struct Defined<'a> {
    defs: HashMap<Key<'a>, StmtId>,
    /// Keys recorded for a table's statements (its constraints, indexes, triggers, partitions),
    /// removed with it; kept only when the input drops or renames anything.
    owned: HashMap<(u32, ObjKey), Vec<Key<'a>>>,
    /// Inside `BEGIN`: every change since, with the value it replaced, for `ROLLBACK`.
    undo: Option<Vec<(Key<'a>, Option<StmtId>)>>,
}

impl<'a> Defined<'a> {
    fn set(&mut self, key: Key<'a>, id: Option<StmtId>) {
        let old = match id {
            Some(id) => self.defs.insert(key, id),
            None => self.defs.remove(&key),
        };
        if let Some(u) = &mut self.undo {
            u.push((key, old));
        }
    }

    fn rollback(&mut self) {
        for (key, old) in self.undo.take().unwrap_or_default().into_iter().rev() {
            match old {
                Some(id) => self.defs.insert(key, id),
                None => self.defs.remove(&key),
            };
        }
    }

    /// `DROP …` of `key` (of the function with `signature`, or every overload when `None`).
    fn drop(&mut self, db: u32, key: &'a ObjKey, signature: Option<&'a str>) {
        let mut gone: Vec<Key<'a>> = match (key.kind, signature) {
            (ObjKind::Schema, _) => {
                self.defs.keys().filter(|k| k.0 == db && (k.1 == key || k.1.schema == key.name)).copied().collect()
            }
            (ObjKind::Function, None) => self.defs.keys().filter(|k| k.0 == db && k.1 == key).copied().collect(),
            _ => self.defs.get_key_value(&(db, key, signature.unwrap_or(""))).map(|(k, _)| *k).into_iter().collect(),
        };
        gone.extend(self.owned.remove(&(db, key.clone())).unwrap_or_default());
        for k in gone {
            if self.defs.contains_key(&k) {
                self.set(k, None);
            }
        }
    }
}

/// `\connect db` / `\c db`: the database the following statements run in.
fn connects_to(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let cmd = words.next()?;
    if cmd != "\\connect" && cmd != "\\c" {
        return None;
    }
    // `\connect -reuse-previous=on "dbname='x'"`: the rest of the line names the database.
    Some(words.filter(|w| !w.starts_with("-reuse-previous")).collect::<Vec<_>>().join(" "))
}

/// (duplicate, its first definition, what it defines) in input order.
fn find_duplicates(ir: &Ir, files: &[SourceFile]) -> Vec<(StmtId, StmtId, String)> {
    // Ownership only matters to a DROP or a rename: most dumps have none.
    let drops = ir.stmts.iter().any(|s| s.redefine.as_ref().is_some_and(|r| !r.drops.is_empty()));
    let mut defined = Defined::default();
    let mut found = Vec::new();
    let mut databases: Vec<String> = vec![String::new()];
    let (mut file, mut db) = (usize::MAX, 0u32);
    for st in &ir.stmts {
        if st.file != file {
            (file, db) = (st.file, 0);
            defined.undo = None;
        }
        match st.piece {
            PieceKind::Meta => {
                if let Some(target) = connects_to(files[st.file].slice(st.span)) {
                    db = match databases.iter().position(|d| *d == target) {
                        Some(i) => i as u32,
                        None => {
                            databases.push(target);
                            (databases.len() - 1) as u32
                        }
                    };
                    defined.undo = None;
                }
                continue;
            }
            // Elements of CREATE SCHEMA define through it.
            PieceKind::Statement if !st.parse_error && st.element_of.is_none() => {}
            _ => continue,
        }
        let redefine = st.redefine.as_deref();
        if let Some(t) = redefine.and_then(|r| r.transaction) {
            match t {
                Transaction::Begin => defined.undo = Some(Vec::new()),
                Transaction::Commit => defined.undo = None,
                Transaction::Rollback => defined.rollback(),
            }
            continue;
        }
        for (key, signature) in redefine.map(|r| r.drops.as_slice()).unwrap_or_default() {
            defined.drop(db, key, signature.as_deref());
        }
        if st.defines.is_empty() || redefine.is_some_and(|r| r.unchecked) {
            continue;
        }
        let signature = redefine.and_then(|r| r.signature.as_deref()).unwrap_or("");
        let keys = st.defines.iter().filter(|d| checked(d)).map(|d| {
            let sig = if d.kind == ObjKind::Function { signature } else { "" };
            (db, d, sig)
        });
        let tolerant = redefine.is_some_and(|r| r.tolerant);
        if !tolerant {
            if let Some((k, &first)) = keys.clone().find_map(|k| defined.defs.get_key_value(&k)) {
                found.push((st.id, first, describe(ir, first, k.1, k.2)));
                continue;
            }
        }
        let owners = if drops { owner_tables(ir, st.id) } else { Vec::new() };
        for k in keys {
            if defined.defs.contains_key(&k) {
                continue;
            }
            for t in owners.iter().filter(|t| *t != k.1) {
                defined.owned.entry((db, t.clone())).or_default().push(k);
            }
            defined.set(k, Some(st.id));
        }
    }
    found
}

/// `E005` for every statement that defines an object an earlier statement already defined, in
/// the same database: each moves to `unsupported.sql` (and with it, through
/// `order::cascade_drops`, what needs a definition only it made). Not duplicates: `CREATE OR
/// REPLACE`, `IF NOT EXISTS`, a definition after a `DROP` of the object, definitions rolled
/// back, shell types, temporary objects, overloads of a function, and objects of another
/// database (`\connect`). Run before rules, so no rule folds anything into or out of them.
pub fn duplicates(ir: &mut Ir, files: &[SourceFile]) -> Vec<Diagnostic> {
    let found = find_duplicates(ir, files);
    let position = |ir: &Ir, id: StmtId| {
        let s = &ir.stmts[id];
        let f = &files[s.file];
        format!("{}:{}", f.name, f.line_col(s.span.start).0)
    };
    let mut diags = Vec::new();
    for (id, first, what) in found {
        let (here, there) = (position(ir, id), position(ir, first));
        let message = format!(
            "{what} is defined twice: first at {there}, again at {here}; the second definition does not load (moved to unsupported.sql)"
        );
        let s = &mut ir.stmts[id];
        s.fate = Fate::Dropped;
        s.add_code(DUPLICATE);
        s.unsupported = Some(format!("{DUPLICATE}: {message}"));
        diags.push(Diagnostic::error(DUPLICATE, "sanity", message).at(s.file, s.span).with_help(
            "keep one definition: the inputs overlap (the same dump given twice, or two dumps of one database); \
                 remove the object from one of them, or compile inputs of different databases separately",
        ));
    }
    diags
}

/// `E006` at the end of each input that looks cut short: pg_dump's header comment without its
/// trailer (`-- PostgreSQL database dump complete`), or `\restrict` without `\unrestrict`.
pub fn truncation(ir: &Ir, files: &[SourceFile]) -> Vec<Diagnostic> {
    const EDGE: usize = 8192;
    // Per file: the line of its first `\restrict`, and how many \restrict and \unrestrict it has.
    let mut framing: BTreeMap<usize, (Option<StmtId>, usize, usize)> = BTreeMap::new();
    for s in ir.stmts.iter().filter(|s| matches!(s.session, Session::Restrict | Session::Unrestrict)) {
        let e = framing.entry(s.file).or_default();
        if s.session == Session::Restrict {
            e.0.get_or_insert(s.id);
            e.1 += 1;
        } else {
            e.2 += 1;
        }
    }
    let mut diags = Vec::new();
    for (id, f) in files.iter().enumerate() {
        let text: &str = &f.text;
        let (mut head_end, mut tail_start) = (EDGE.min(text.len()), text.len().saturating_sub(EDGE));
        while !text.is_char_boundary(head_end) {
            head_end -= 1;
        }
        while !text.is_char_boundary(tail_start) {
            tail_start += 1;
        }
        let (head, tail) = (&text[..head_end], &text[tail_start..]);
        let has_line = |part: &str, want: &str| part.lines().any(|l| l.trim_end() == want);
        let mut reasons = Vec::new();
        for header in ["-- PostgreSQL database cluster dump", "-- PostgreSQL database dump"] {
            if has_line(head, header) {
                let trailer = format!("{header} complete");
                if !has_line(tail, &trailer) {
                    reasons.push(format!("it starts with pg_dump's `{header}` header but lacks the `{trailer}` line that ends every complete dump"));
                }
                break;
            }
        }
        if let Some(&(Some(first), restricts, unrestricts)) = framing.get(&id) {
            if unrestricts < restricts {
                let line = f.line_col(ir.stmts[first].span.start).0;
                reasons.push(format!("`\\restrict` at line {line} has no matching `\\unrestrict`"));
            }
        }
        if reasons.is_empty() {
            continue;
        }
        diags.push(
            Diagnostic::new(
                TRUNCATED,
                "sanity",
                Severity::Warning,
                format!("the dump looks truncated: {}", reasons.join("; ")),
            )
            .at(id, Span::new(text.len(), text.len()))
            .with_help(
                "what the file holds was compiled, but whatever followed the cut is missing: re-run pg_dump and check \
                 that it exits with status 0, that the disk it writes to has space, and that the pipe or transfer \
                 that carried the dump completed",
            ),
        );
    }
    diags
}

/// Without `--psql-restrict`: `\restrict` and `\unrestrict` are left out of the scripts (only
/// recent psql knows them; ysqlsh and older psql stop a load at them), with one `E007` at each
/// `\restrict`, labelled at the `\unrestrict`s it explains (and one at an `\unrestrict` that
/// follows no `\restrict` in its file).
pub fn omit_restrict(ir: &mut Ir) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Per file: the index in `diags` of its last `\restrict` finding.
    let mut open: BTreeMap<usize, usize> = BTreeMap::new();
    for s in ir.stmts.iter_mut().filter(|s| matches!(s.session, Session::Restrict | Session::Unrestrict)) {
        s.fate = Fate::Dropped;
        s.add_code(RESTRICT_OMITTED);
        match (s.session, open.get(&s.file)) {
            (Session::Unrestrict, Some(&at)) => {
                diags[at] = diags[at].clone().with_label(s.file, s.span, "`\\unrestrict` left out with it");
            }
            (session, _) => {
                let what = if session == Session::Restrict { "\\restrict" } else { "\\unrestrict" };
                if session == Session::Restrict {
                    open.insert(s.file, diags.len());
                }
                diags.push(
                    Diagnostic::new(
                        RESTRICT_OMITTED,
                        "emit",
                        Severity::Info,
                        format!(
                            "pg_dump's `{what}` framing is left out of the scripts: ysqlsh and psql before 13.22, 14.19, \
                             15.14, 16.10 and 17.6 do not know the command and stop an ON_ERROR_STOP load at it"
                        ),
                    )
                    .at(s.file, s.span)
                    .with_help(
                        "to load with a psql that knows it, compile with --psql-restrict: every script is then framed \
                         by `\\restrict KEY` … `\\unrestrict KEY`, which stops psql meta-commands that a malicious \
                         source server could have slipped into the dump from running during the load",
                    ),
                );
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::is_blank;
    use crate::compile::{compile, Compilation};
    use crate::diagnostic::Severity;
    use crate::ir::Fate;
    use crate::rules::{ApplyOptions, RulePack};
    use crate::source::SourceFile;

    fn run(files: &[(&str, &str)], opts: &ApplyOptions) -> Compilation {
        let pack = RulePack::builtin().unwrap();
        let files = files.iter().map(|(n, t)| SourceFile::new(*n, t.to_string())).collect();
        let c = compile(files, &pack, opts);
        c.check_invariants().unwrap();
        c
    }

    fn codes(c: &Compilation, code: &str) -> Vec<String> {
        c.diagnostics.iter().filter(|d| d.code == code).map(|d| d.message.clone()).collect()
    }

    const ACTOR: &str = "CREATE TABLE public.actor (\n    actor_id integer NOT NULL,\n    name text\n);\n\
        ALTER TABLE ONLY public.actor\n    ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id);\n";

    #[test]
    fn a_table_defined_in_two_inputs_loads_once_with_one_primary_key() {
        let second = format!("SET statement_timeout = 0;\n{ACTOR}");
        let c = run(&[("a.sql", ACTOR), ("b.sql", &second)], &ApplyOptions::default());
        let dup = codes(&c, "E005");
        assert_eq!(
            dup,
            [
                "table public.actor is defined twice: first at a.sql:1, again at b.sql:2; the second definition does not load (moved to unsupported.sql)",
                "constraint actor_pkey on public.actor is defined twice: first at a.sql:5, again at b.sql:6; the second definition does not load (moved to unsupported.sql)",
            ]
        );
        assert!(c.diagnostics.iter().filter(|d| d.code == "E005").all(|d| d.severity == Severity::Error));
        assert!(c.has_errors());
        assert_eq!(c.scripts.pre_data.matches("PRIMARY KEY").count(), 1, "{}", c.scripts.pre_data);
        assert_eq!(c.scripts.pre_data.matches("CREATE TABLE public.actor").count(), 1);
        let unsupported = c.scripts.unsupported.as_deref().unwrap();
        assert!(unsupported.contains("-- from b.sql:2\nCREATE TABLE public.actor"), "{unsupported}");
        assert!(unsupported.contains("-- from b.sql:6\nALTER TABLE ONLY public.actor"), "{unsupported}");
        // The table is there (from a.sql): the manifest does not call it dropped.
        assert!(c.manifest.changes.is_empty(), "{:?}", c.manifest.changes);
        assert_eq!(c.manifest.objects.iter().filter(|o| o.name == "actor").count(), 1);
    }

    #[test]
    fn what_only_the_second_definition_made_moves_with_it() {
        let second = "CREATE TABLE public.actor (id int, CONSTRAINT extra UNIQUE (id));\n\
            COMMENT ON CONSTRAINT extra ON public.actor IS 'x';\nCOMMENT ON TABLE public.actor IS 'y';\n";
        let c = run(&[("a.sql", "CREATE TABLE public.actor (id int);\n"), ("b.sql", second)], &Default::default());
        let moved: Vec<&str> = c.ir.stmts.iter().filter(|s| s.fate == Fate::Dropped).map(|s| s.kind.as_str()).collect();
        assert_eq!(moved, ["create_table", "comment"]);
        assert_eq!(codes(&c, "E102").len(), 1);
        assert!(c.scripts.pre_data.contains("COMMENT ON TABLE public.actor IS 'y'"), "the table is still there");
    }

    #[test]
    fn duplicates_of_each_kind() {
        for (sql, what) in [
            ("CREATE VIEW v AS SELECT 1;\nCREATE VIEW v AS SELECT 2;\n", "view public.v"),
            ("CREATE SEQUENCE s;\nCREATE SEQUENCE public.s;\n", "sequence public.s"),
            ("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCREATE INDEX i ON t (a);\n", "index public.i"),
            ("CREATE TYPE e AS ENUM ('a');\nCREATE TYPE public.e AS ENUM ('b');\n", "type public.e"),
            (
                "CREATE FUNCTION f(integer) RETURNS int LANGUAGE sql AS 'select 1';\n\
                 CREATE FUNCTION f(x int4, OUT y int) LANGUAGE sql AS 'select 1';\n",
                "function public.f(int4)",
            ),
            ("CREATE SCHEMA app;\nCREATE SCHEMA app;\n", "schema app"),
            ("CREATE EXTENSION hstore;\nCREATE EXTENSION hstore;\n", "extension hstore"),
            (
                "CREATE TABLE t (a int);\nCREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
                 CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
                "trigger tr on public.t",
            ),
            ("CREATE OR REPLACE VIEW v AS SELECT 1;\nCREATE VIEW v AS SELECT 1;\n", "view public.v"),
        ] {
            let c = run(&[("x.sql", sql)], &Default::default());
            let dup = codes(&c, "E005");
            assert_eq!(dup.len(), 1, "{sql}: {dup:?}");
            assert!(dup[0].starts_with(&format!("{what} is defined twice")), "{sql}: {dup:?}");
        }
    }

    #[test]
    fn redefinitions_that_are_not_duplicates() {
        for sql in [
            // Replaced, or created only if missing.
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\n\
             CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 2';\n",
            "CREATE VIEW v AS SELECT 1;\nCREATE OR REPLACE VIEW v AS SELECT 1;\n",
            "CREATE TABLE t (a int);\nCREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX IF NOT EXISTS t ON t (a);\n",
            "CREATE SCHEMA IF NOT EXISTS app;\nCREATE SCHEMA IF NOT EXISTS app;\n",
            // Dropped, then created again (with what belonged to the table).
            "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (a);\nCREATE INDEX ti ON t (a);\n\
             DROP TABLE IF EXISTS t;\nCREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n\
             CREATE INDEX ti ON t (a);\n",
            "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT c;\n\
             ALTER TABLE t ADD CONSTRAINT c CHECK (a > 1);\n",
            "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';\nDROP FUNCTION f(integer);\n\
             CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';\nDROP FUNCTION f;\n\
             CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';\n",
            "CREATE SCHEMA app;\nCREATE TABLE app.t (a int);\nDROP SCHEMA app CASCADE;\nCREATE SCHEMA app;\n\
             CREATE TABLE app.t (a int);\n",
            // Overloads, a shell type and its definition, a partition and its parent.
            "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';\n\
             CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 1';\n\
             CREATE FUNCTION f(int[]) RETURNS int LANGUAGE sql AS 'select 1';\n",
            "CREATE TYPE b;\nCREATE FUNCTION b_in(cstring) RETURNS b LANGUAGE internal AS 'int4in';\n\
             CREATE TYPE b (INPUT = b_in, OUTPUT = b_out);\n",
            "CREATE TABLE m (d date, id int) PARTITION BY RANGE (d);\n\
             CREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n\
             ALTER TABLE ONLY m ADD CONSTRAINT m_pkey PRIMARY KEY (id, d);\n\
             ALTER TABLE ONLY m_2020 ADD CONSTRAINT m_2020_pkey PRIMARY KEY (id, d);\n",
            "CREATE TABLE p (a int) PARTITION BY LIST (a);\nCREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\n\
             DROP TABLE p;\nCREATE TABLE p (a int) PARTITION BY LIST (a);\nCREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\n",
            // Renamed: the old name is free.
            "CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;\nCREATE TABLE t (a int);\n\
             ALTER TABLE t ADD CONSTRAINT c UNIQUE (a);\nALTER TABLE t RENAME CONSTRAINT c TO d;\n\
             ALTER TABLE t ADD CONSTRAINT c UNIQUE (a);\nALTER INDEX c RENAME TO e;\n",
            "CREATE SCHEMA AUTHORIZATION r1;\nCREATE SCHEMA AUTHORIZATION r2;\n",
            // Rolled back, temporary, or in another database (pg_dumpall).
            "BEGIN;\nCREATE TABLE t (a int);\nROLLBACK;\nCREATE TABLE t (a int);\n",
            "CREATE TEMP TABLE t (a int);\nCREATE TEMP TABLE t (a int);\nCREATE TABLE t (a int);\n",
            "\\connect a\nCREATE TABLE t (a int);\n\\connect b\nCREATE TABLE t (a int);\n",
        ] {
            let c = run(&[("x.sql", sql)], &Default::default());
            assert_eq!(codes(&c, "E005"), Vec::<String>::new(), "{sql}");
        }
        // The first committed definition stays.
        let c = run(
            &[("x.sql", "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\nCREATE TABLE t (a int);\n")],
            &Default::default(),
        );
        assert_eq!(codes(&c, "E005").len(), 1);
    }

    const HEADER: &str =
        "--\n-- PostgreSQL database dump\n--\n\n\\restrict k3y\n\nSET a = 1;\nCREATE TABLE t (a int);\n";
    const TRAILER: &str = "\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict k3y\n\n";

    #[test]
    fn a_dump_without_its_end_looks_truncated() {
        let whole = format!("{HEADER}{TRAILER}");
        let cut_before_unrestrict = &whole[..whole.find("\\unrestrict").unwrap()];
        let no_trailer = format!("{HEADER}\\unrestrict k3y\n");
        for (text, truncated) in [
            (whole.as_str(), None),
            ("CREATE TABLE t (a int);\n", None),
            (HEADER, Some("lacks the `-- PostgreSQL database dump complete` line that ends every complete dump; `\\restrict` at line 5 has no matching `\\unrestrict`")),
            (cut_before_unrestrict, Some("`\\restrict` at line 5 has no matching `\\unrestrict`")),
            (&no_trailer, Some("lacks the `-- PostgreSQL database dump complete` line")),
        ] {
            let c = run(&[("d.sql", text)], &Default::default());
            let found: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "E006").collect();
            match truncated {
                None => assert!(found.is_empty(), "{text}: {found:?}"),
                Some(why) => {
                    assert_eq!(found.len(), 1, "{text}");
                    let d = found[0];
                    assert_eq!(d.severity, Severity::Warning);
                    assert!(d.message.starts_with("the dump looks truncated: ") && d.message.contains(why), "{}", d.message);
                    assert_eq!(d.location.unwrap().span.start, text.len(), "at the end of the file");
                    assert!(d.help.as_deref().unwrap().contains("re-run pg_dump"));
                }
            }
        }
    }

    #[test]
    fn restrict_framing_is_left_out_unless_asked_for() {
        let dump = format!("{HEADER}{TRAILER}");
        let c = run(&[("d.sql", &dump)], &Default::default());
        let e007: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "E007").collect();
        assert_eq!(e007.len(), 1, "one finding for the framing");
        assert_eq!(e007[0].severity, Severity::Info);
        assert_eq!(c.files[0].line_col(e007[0].location.unwrap().span.start).0, 5, "at the \\restrict line");
        assert_eq!(e007[0].labels.len(), 1, "labelled at \\unrestrict");
        assert!(e007[0].help.as_deref().unwrap().contains("--psql-restrict"));
        for s in c.ir.stmts.iter().filter(|s| s.kind == "psql_meta") {
            assert_eq!(s.fate, Fate::Dropped);
        }
        for script in [&c.scripts.pre_data, &c.scripts.post_data] {
            assert!(!script.contains("restrict"), "{script}");
        }
        assert!(c.scripts.unsupported.is_none(), "omitted, not unsupported");

        let opts = ApplyOptions { psql_restrict: true, ..Default::default() };
        let c = run(&[("d.sql", &dump)], &opts);
        assert!(codes(&c, "E007").is_empty());
        for script in [&c.scripts.pre_data, &c.scripts.post_data] {
            assert!(script.contains("\\restrict k3y\n") && script.trim_end().ends_with("\\unrestrict k3y"), "{script}");
        }

        // An \unrestrict without a \restrict before it gets its own finding.
        let c = run(&[("d.sql", "CREATE TABLE t (a int);\n\\unrestrict k3y\n")], &Default::default());
        assert_eq!(codes(&c, "E007").len(), 1);
    }

    #[test]
    fn blank_is_whitespace_and_comments_only() {
        for blank in ["", "  \n\t", "-- x\n--y", "/* a /* nested */ b */\n-- c", "/* unterminated", "\u{feff}\n"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for not in [";", "SELECT 1", "-- x\nSET a = 1;", "/* */ x", "\\connect db", "- 1"] {
            assert!(!is_blank(not), "{not:?}");
        }
    }
}

//! Stage 5: assign every emitted statement its phase and a deterministic load order.
//!
//! The source is a valid load order for everything rules did not move, so within a phase the
//! topological sort breaks ties by kind priority (post-data only: keys before the foreign keys
//! that need them, triggers last) and then by source position.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::Diagnostic;
use crate::ir::{Detail, Fate, Ir, ObjKey, ObjKind, Phase, Session, StmtId};
use crate::scan::PieceKind;

/// Statements of each phase in load order. COPY data blocks are not listed: they follow their
/// COPY statement.
#[derive(Clone, Debug, Default)]
pub struct Order {
    pub pre_data: Vec<StmtId>,
    pub data: Vec<StmtId>,
    pub post_data: Vec<StmtId>,
    /// The dependency graph the order was sorted by: one node per emitted statement (COPY data
    /// blocks aside), an edge from a statement to each statement that needs it. Kept for
    /// report.html's drawing (`render::graph`), which must not build a second one.
    pub graph: DiGraph<StmtId, ()>,
    /// For each post-data statement (not a session setting), the post-data statements it needs
    /// (the graph's edges inside post-data): `migrate`'s finalize runs the others in parallel.
    pub post_data_after: BTreeMap<StmtId, Vec<StmtId>>,
}

impl Order {
    pub fn phase(&self, p: Phase) -> &[StmtId] {
        match p {
            Phase::PreData => &self.pre_data,
            Phase::Data => &self.data,
            Phase::PostData => &self.post_data,
        }
    }
}

fn emitted(ir: &Ir, id: StmtId) -> bool {
    matches!(ir.stmts[id].fate, Fate::Verbatim | Fate::Rewritten)
}

/// Kind priority inside post-data; 0 elsewhere (source order rules there).
fn priority(ir: &Ir, id: StmtId) -> u8 {
    let s = &ir.stmts[id];
    if s.phase != Phase::PostData {
        return 0;
    }
    match &s.detail {
        Detail::AddConstraint { constraint, .. } => match constraint.kind.as_str() {
            "primary_key" | "unique" | "exclusion" => 1,
            "check" | "not_null" => 2,
            "foreign_key" => 5,
            _ => 6,
        },
        Detail::CreateIndex(_) => 3,
        Detail::CreateTrigger(_) => 6,
        _ if s.kind == "alter_index" => 4,
        _ => 7,
    }
}

/// Statement `id` is a CREATE SCHEMA whose elements are statements of their own (they follow it).
fn has_elements(ir: &Ir, id: StmtId) -> bool {
    ir.stmts.get(id + 1).is_some_and(|e| e.element_of == Some(id))
}

/// The code of the finding that moved statement `s` to unsupported.sql: the one its note names
/// (its first code may be a rewrite's, a key folded into it), else its first.
fn cause_code(s: &crate::ir::Stmt) -> String {
    let noted = s.unsupported.as_deref().and_then(|n| n.split_once(':')).map(|(c, _)| c);
    match noted.filter(|c| *c != "E102" && s.codes.iter().any(|k| k == c)) {
        Some(c) => c.to_string(),
        None => s.codes.first().cloned().unwrap_or_else(|| "E102".into()),
    }
}

/// Statement `d` is not loaded: moved to unsupported.sql, or merged into one that was.
fn gone(ir: &Ir, d: StmtId) -> bool {
    let s = &ir.stmts[d];
    s.fate == Fate::Dropped
        || s.fate == Fate::Merged && s.merged_into.is_some_and(|h| ir.stmts[h].fate == Fate::Dropped)
}

/// A statement that needs an object whose definition left the scripts cannot load either: it
/// follows that definition to `unsupported.sql` (a COPY takes its data block along).
fn cascade_drops(ir: &mut Ir) -> Vec<Diagnostic> {
    // (statement, why) for each statement that followed a definition, in the order they moved.
    let mut moved: Vec<(StmtId, String)> = Vec::new();
    // Names the input defines somewhere (whatever became of the definition).
    // A table is also a type (its row type), so types and relations share their names here.
    let kind_of = |k: ObjKind| if k == ObjKind::Relation { ObjKind::Type } else { k };
    let defined: BTreeSet<(ObjKind, String, String)> = ir
        .stmts
        .iter()
        .flat_map(|s| s.defines.iter().map(|d| (kind_of(d.kind), d.schema.clone(), d.name.clone())))
        .collect();
    loop {
        let mut dropped_defs: BTreeMap<&ObjKey, StmtId> = BTreeMap::new();
        // Schemas of extensions that moved: a type, function or table named in such a schema that
        // the input never defines is the extension's (pgvector's `public.vector`, PostGIS's
        // `public.geometry`), and is missing with it.
        let mut extension_schemas: BTreeMap<&str, StmtId> = BTreeMap::new();
        for s in ir.stmts.iter().filter(|s| s.fate == Fate::Dropped && s.unsupported.is_some()) {
            for d in &s.defines {
                dropped_defs.entry(d).or_insert(s.id);
            }
            if let (Detail::CreateExtension { .. }, Some(schema)) = (&s.detail, s.options.get("schema")) {
                extension_schemas.entry(schema.as_str()).or_insert(s.id);
            }
        }
        if dropped_defs.is_empty() {
            break;
        }
        // Every definition of the names that lost one, in input order: a name means the
        // definition live where it is used (the last one before it; else the first after it,
        // for a name used before its definition), which may still load (CREATE OR REPLACE, a
        // table created again after a DROP).
        let mut definitions: BTreeMap<&ObjKey, Vec<StmtId>> = BTreeMap::new();
        // A duplicate definition (E005) never was one: the first stays live through it.
        for o in ir.stmts.iter().filter(|o| !o.codes.iter().any(|c| c == crate::sanity::DUPLICATE)) {
            // A CREATE SCHEMA defines its elements' names too: the elements are their definitions.
            let elements = has_elements(ir, o.id);
            for d in
                o.defines.iter().filter(|d| dropped_defs.contains_key(d) && !(elements && d.kind != ObjKind::Schema))
            {
                definitions.entry(d).or_default().push(o.id);
            }
        }
        let live_dropped = |r: &ObjKey, at: StmtId| -> bool {
            // Only duplicates defined it: nothing loads it.
            let Some(defs) = definitions.get(r) else { return true };
            let before = defs.partition_point(|&d| d < at);
            let live = before.checked_sub(1).map(|i| defs[i]).or_else(|| defs.get(before).copied());
            live.is_some_and(|d| gone(ir, d))
        };
        let mut newly: Vec<(StmtId, StmtId, ObjKey)> = Vec::new();
        // An element of CREATE SCHEMA follows what it needs on its own (it leaves its statement's
        // text); the CREATE SCHEMA, which carries its elements' names too, stays for the others.
        let candidate = |s: &&crate::ir::Stmt| match s.element_of {
            _ if s.fate == Fate::Dropped => false,
            Some(host) => ir.stmts[host].fate != Fate::Dropped,
            None => !has_elements(ir, s.id),
        };
        for s in ir.stmts.iter().filter(candidate) {
            // Still defined elsewhere: not missing.
            if let Some(r) = s.refs.iter().find(|r| dropped_defs.contains_key(r) && live_dropped(r, s.id)) {
                let by = definitions.get(r).and_then(|defs| defs.iter().rev().find(|&&d| d < s.id && gone(ir, d)));
                let by = by.copied().unwrap_or(dropped_defs[r]);
                let by = if ir.stmts[by].fate == Fate::Merged { ir.stmts[by].merged_into.unwrap_or(by) } else { by };
                newly.push((s.id, by, r.clone()));
                continue;
            }
            let from_extension = |r: &&ObjKey| {
                matches!(r.kind, ObjKind::Type | ObjKind::Function | ObjKind::Relation)
                    && extension_schemas.contains_key(r.schema.as_str())
                    && !defined.contains(&(kind_of(r.kind), r.schema.clone(), r.name.clone()))
            };
            if let Some(r) = s.refs.iter().find(from_extension) {
                newly.push((s.id, extension_schemas[r.schema.as_str()], r.clone()));
            }
        }
        if newly.is_empty() {
            break;
        }
        for (id, by, key) in newly {
            // The root cause's code, through a chain of cascades.
            let by_code = cause_code(&ir.stmts[by]);
            let message = format!(
                "{} needs {}, which is not loaded ({by_code}); moved to unsupported.sql with it",
                ir.stmts[id].kind,
                key.display()
            );
            let s = &mut ir.stmts[id];
            s.fate = Fate::Dropped;
            s.edits.clear();
            s.add_code(&by_code);
            s.unsupported = Some(format!("E102: {message}"));
            s.moved_with = Some(by);
            moved.push((id, message));
            if let Some(c) = s.copy_data {
                ir.stmts[c].fate = Fate::Dropped;
                ir.stmts[c].unsupported = Some("E102: data of the COPY above".into());
            }
        }
    }
    grouped_findings(ir, moved)
}

/// One finding per root cause: the statements that moved because a statement left the scripts
/// (directly or through a chain) are listed as labels of one E102 warning, at the first of them;
/// a root cause with one dependent keeps its own message.
fn grouped_findings(ir: &Ir, moved: Vec<(StmtId, String)>) -> Vec<Diagnostic> {
    let root = |mut id: StmtId| {
        // Bounded: a chain cannot be longer than the statements.
        for _ in 0..ir.stmts.len() {
            match ir.stmts[id].moved_with {
                Some(by) if by != id => id = by,
                _ => break,
            }
        }
        id
    };
    let mut groups: BTreeMap<StmtId, Vec<(StmtId, String)>> = BTreeMap::new();
    for (id, message) in moved {
        groups.entry(root(id)).or_default().push((id, message));
    }
    let help = "adapt it together with the statement it depends on";
    let mut diags = Vec::new();
    for (root, mut members) in groups {
        members.sort_by_key(|(id, _)| *id);
        let first = &ir.stmts[members[0].0];
        if members.len() == 1 {
            let (_, message) = members.pop().unwrap_or_default();
            diags.push(Diagnostic::warning("E102", "order", message).at(first.file, first.span).with_help(help));
            continue;
        }
        let r = &ir.stmts[root];
        let what = r.object.as_ref().map(|o| format!("{} {}", r.kind, o.display())).unwrap_or_else(|| r.kind.clone());
        let code = cause_code(r);
        let message = format!(
            "{} statements need {what}, which is not loaded ({code}), directly or through each other; they moved to unsupported.sql with it",
            members.len()
        );
        let mut d = Diagnostic::warning("E102", "order", message)
            .at(first.file, first.span)
            .with_help("adapt them together with the statement they depend on; each is labelled with what it needs");
        for (id, why) in &members {
            let s = &ir.stmts[*id];
            d = d.with_label(s.file, s.span, why.clone());
        }
        diags.push(d);
    }
    diags
}

pub fn order(ir: &mut Ir) -> (Order, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let n = ir.stmts.len();

    // Initial phases: data statements, and their COPY blocks, load between the two scripts.
    for i in 0..n {
        let s = &mut ir.stmts[i];
        // Rows for a temporary table stay with it: each script runs in its own session.
        let temporary = s.refs.iter().any(|r| r.kind == ObjKind::Relation && r.schema == "pg_temp");
        if s.phase == Phase::PreData && s.is_data && s.session == Session::None && !temporary {
            s.phase = Phase::Data;
        }
        if s.kind == "refresh_materialized_view" {
            s.phase = Phase::PostData;
        }
    }

    diags.extend(cascade_drops(ir));
    // An element of CREATE SCHEMA goes where its statement went (a rule, a duplicate or a cascade
    // may have moved it).
    for i in 0..n {
        if let Some(host) = ir.stmts[i].element_of {
            if ir.stmts[host].fate == Fate::Dropped {
                ir.stmts[i].fate = Fate::Dropped;
                ir.stmts[i].moved_with = Some(host);
            }
        }
    }

    // Who defines what. A statement merged into another defines through it.
    let mut definer: BTreeMap<&ObjKey, StmtId> = BTreeMap::new();
    for s in &ir.stmts {
        let owner = match s.fate {
            // Into a table created inside CREATE SCHEMA: into the CREATE SCHEMA.
            Fate::Merged => s.merged_into.map(|t| ir.stmts[t].element_of.unwrap_or(t)).unwrap_or(s.id),
            Fate::Dropped => continue,
            _ => s.id,
        };
        for d in &s.defines {
            definer.entry(d).or_insert(owner);
        }
    }
    // Unique keys per table, which foreign keys to that table must follow.
    let mut keys_of: BTreeMap<ObjKey, Vec<StmtId>> = BTreeMap::new();
    for s in ir.stmts.iter().filter(|s| emitted(ir, s.id)) {
        match &s.detail {
            Detail::AddConstraint { table, constraint, .. }
                if matches!(constraint.kind.as_str(), "primary_key" | "unique") =>
            {
                keys_of.entry(ObjKey::relation(&table.schema, &table.name)).or_default().push(s.id);
            }
            Detail::CreateIndex(i) if i.unique => {
                keys_of.entry(ObjKey::relation(&i.schema, &i.table)).or_default().push(s.id);
            }
            _ => {}
        }
    }

    let mut graph: DiGraph<StmtId, ()> = DiGraph::new();
    let mut node_of: Vec<Option<NodeIndex>> = vec![None; n];
    for s in &ir.stmts {
        if emitted(ir, s.id) && s.piece != PieceKind::CopyData {
            node_of[s.id] = Some(graph.add_node(s.id));
        }
    }
    let mut last_session: BTreeMap<usize, StmtId> = BTreeMap::new();
    for s in &ir.stmts {
        let Some(to) = node_of[s.id] else { continue };
        // Order never undoes the source: within a file, a statement that names an object before the
        // object is defined (`ALTER TABLE IF EXISTS t DROP CONSTRAINT IF EXISTS …` in a `pg_dump
        // --clean` dump) means an earlier incarnation of it, and keeps its place before the
        // definition. Across files, which are read in path order, a definition may come later.
        let before = |d: StmtId| {
            let (a, b) = (&ir.stmts[d], s);
            a.file != b.file || a.span.start < b.span.start
        };
        let mut deps: Vec<StmtId> =
            s.refs.iter().filter_map(|r| definer.get(r).copied()).filter(|&d| before(d)).collect();
        if let Detail::AddConstraint { constraint, .. } = &s.detail {
            if constraint.kind == "foreign_key" {
                if let Some(r) = &constraint.references {
                    let (schema, name) = r.split_once('.').unwrap_or(("public", r));
                    deps.extend(keys_of.get(&ObjKey::relation(schema, name)).into_iter().flatten().copied());
                }
            }
        }
        // A statement runs under the settings (search_path, …) that preceded it.
        if let Some(&sess) = last_session.get(&s.file) {
            deps.push(sess);
        }
        if s.session == Session::Setting {
            last_session.insert(s.file, s.id);
        }
        deps.sort_unstable();
        deps.dedup();
        for d in deps {
            if d == s.id {
                continue;
            }
            if let Some(from) = node_of[d] {
                graph.add_edge(from, to, ());
            }
        }
    }

    // Phase propagation: nothing loads before what it needs (a comment on a deferred constraint
    // follows the constraint to post-data). Repeat to a fixed point over the (acyclic) graph.
    loop {
        let mut changed = false;
        for e in graph.raw_edges() {
            let (from, to) = (graph[e.source()], graph[e.target()]);
            // Settings are replayed in every script; they never pull a statement later. Data
            // statements define nothing a schema object could need.
            if ir.stmts[from].session != Session::None || ir.stmts[from].phase == Phase::Data {
                continue;
            }
            let need = ir.stmts[from].phase;
            if need > ir.stmts[to].phase {
                let why = ir.stmts[from]
                    .object
                    .as_ref()
                    .map(|o| format!("follows {} {} to {}", ir.stmts[from].kind, o.display(), need.as_str()))
                    .unwrap_or_else(|| format!("follows a statement it needs to {}", need.as_str()));
                ir.stmts[to].phase = need;
                ir.stmts[to].phase_reason = Some(why);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for s in ir.stmts.iter_mut() {
        if s.piece == PieceKind::CopyData {
            s.phase = Phase::Data;
        }
    }
    for i in 0..n {
        if let Some(c) = ir.stmts[i].copy_data {
            let p = ir.stmts[i].phase;
            ir.stmts[c].phase = p;
        }
    }

    let mut out = Order::default();
    for phase in Phase::ALL {
        let members: Vec<NodeIndex> = graph.node_indices().filter(|&ix| ir.stmts[graph[ix]].phase == phase).collect();
        // In-degree within the phase, by node index (`None`: not in this phase, or placed).
        let mut indegree: Vec<Option<usize>> = vec![None; graph.node_count()];
        for &m in &members {
            indegree[m.index()] = Some(0);
        }
        for &m in &members {
            for nb in graph.neighbors(m) {
                if let Some(d) = indegree[nb.index()].as_mut() {
                    *d += 1;
                }
            }
        }
        let key = |ix: NodeIndex| {
            let s = &ir.stmts[graph[ix]];
            Reverse((priority(ir, s.id), s.file, s.span.start, ix))
        };
        let mut ready: BinaryHeap<_> =
            members.iter().filter(|m| indegree[m.index()] == Some(0)).map(|&m| key(m)).collect();
        let list = match phase {
            Phase::PreData => &mut out.pre_data,
            Phase::Data => &mut out.data,
            Phase::PostData => &mut out.post_data,
        };
        while let Some(Reverse((_, _, _, ix))) = ready.pop() {
            list.push(graph[ix]);
            indegree[ix.index()] = None;
            for nb in graph.neighbors(ix) {
                if let Some(d) = indegree[nb.index()].as_mut() {
                    *d -= 1;
                    if *d == 0 {
                        ready.push(key(nb));
                    }
                }
            }
        }
        if indegree.iter().any(Option::is_some) {
            // A cycle: name every member, then fall back to source order for them.
            let mut rest: Vec<StmtId> =
                members.iter().filter(|m| indegree[m.index()].is_some()).map(|&ix| graph[ix]).collect();
            rest.sort_by_key(|&id| (ir.stmts[id].file, ir.stmts[id].span.start));
            let names: Vec<String> = rest
                .iter()
                .map(|&id| {
                    let s = &ir.stmts[id];
                    s.object.as_ref().map(|o| format!("{} {}", s.kind, o.display())).unwrap_or_else(|| s.kind.clone())
                })
                .collect();
            let first = &ir.stmts[rest[0]];
            // The statements still load in source order when the cycle is only in our reading of
            // them (e.g. a function body naming a view that uses it): a warning, not an error.
            diags.push(
                Diagnostic::warning(
                    "E101",
                    "order",
                    format!("dependency cycle in {}: {}", phase.as_str(), names.join(" → ")),
                )
                .at(first.file, first.span)
                .with_help("these statements are emitted in source order; break the cycle (e.g. add a foreign key with ALTER TABLE after both tables exist)"),
            );
            list.extend(rest);
        }
    }
    // The post-data part of the graph, kept for whoever runs post-data in parallel.
    for &id in &out.post_data {
        let Some(ix) = node_of[id] else { continue };
        if ir.stmts[id].session != Session::None {
            continue;
        }
        let mut after: Vec<StmtId> = graph
            .neighbors_directed(ix, petgraph::Direction::Incoming)
            .map(|p| graph[p])
            .filter(|&p| ir.stmts[p].phase == Phase::PostData && ir.stmts[p].session == Session::None)
            .collect();
        after.sort_unstable();
        after.dedup();
        out.post_data_after.insert(id, after);
    }
    out.graph = graph;
    (out, diags)
}

#[cfg(test)]
mod tests {
    use crate::compile::compile;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    #[test]
    fn a_cycle_is_a_diagnostic_naming_every_member() {
        // Across files (within one, a name used before its definition means an earlier object).
        let a = SourceFile::new("a.sql", "CREATE VIEW a AS SELECT * FROM b;\n");
        let b = SourceFile::new("b.sql", "CREATE VIEW b AS SELECT * FROM a;\nCREATE TABLE t (id int);\n");
        let c = compile(vec![a, b], &RulePack::builtin().unwrap(), &Default::default());
        let d = c.diagnostics.iter().find(|d| d.code == "E101").expect("cycle reported");
        assert!(d.message.contains("public.a") && d.message.contains("public.b"), "{}", d.message);
        // Everything is still emitted, cycle members in source order.
        assert_eq!(c.order.pre_data.len(), 3);
        assert!(c.scripts.pre_data.find("VIEW a").unwrap() < c.scripts.pre_data.find("VIEW b").unwrap());
    }

    fn run(sql: &str) -> crate::compile::Compilation {
        compile(vec![SourceFile::new("t.sql", sql)], &RulePack::builtin().unwrap(), &Default::default())
    }

    /// One root cause, one finding: what follows a moved table (directly or through a chain) is
    /// listed as labels of one E102 warning.
    #[test]
    fn dependents_of_one_moved_statement_are_one_finding() {
        let c = run("CREATE TABLE public.cities (name text);\n\
                     CREATE TABLE public.capitals (state text) INHERITS (public.cities);\n\
                     CREATE VIEW public.v1 AS SELECT state FROM public.capitals;\n\
                     CREATE VIEW public.v2 AS SELECT state FROM public.v1;\n\
                     COMMENT ON TABLE public.capitals IS 'c';\n\
                     CREATE INDEX capitals_state ON public.capitals (state);\n");
        let e102: Vec<_> = c.diagnostics.iter().filter(|d| d.code == "E102").collect();
        assert_eq!(e102.len(), 1, "{e102:#?}");
        assert_eq!(e102[0].labels.len(), 4, "{:#?}", e102[0]);
        assert!(e102[0].message.starts_with("4 statements need create_table public.capitals"), "{}", e102[0].message);
        assert!(e102[0].labels.iter().any(|l| l.message.contains("needs public.v1")), "{:#?}", e102[0].labels);
        c.check_invariants().unwrap();
    }

    /// A name means the definition live at that point: after a table is dropped and created
    /// again, what follows uses the second one.
    #[test]
    fn a_table_created_again_is_the_one_later_statements_need() {
        let c = run("CREATE TABLE public.p (id int);\n\
                     CREATE TABLE public.t (id int) INHERITS (public.p);\n\
                     CREATE VIEW public.early AS SELECT id FROM public.t;\n\
                     DROP VIEW public.early;\n\
                     DROP TABLE public.t;\n\
                     CREATE TABLE public.t (id int);\n\
                     CREATE VIEW public.late AS SELECT id FROM public.t;\n");
        let pre = &c.scripts.pre_data;
        let un = c.scripts.unsupported.as_deref().unwrap_or("");
        assert!(un.contains("INHERITS") && un.contains("VIEW public.early AS"), "{un}");
        assert!(pre.contains("CREATE TABLE public.t (id int);") && pre.contains("VIEW public.late"), "{pre}");
        c.check_invariants().unwrap();
    }

    /// `ALTER TABLE t RENAME TO u` and `SET SCHEMA` carry the table on: later statements naming
    /// the new name need the renaming statement (and so the CREATE TABLE), in order and when the
    /// table moves to unsupported.sql. An explicit `public.t` after `CREATE TEMP TABLE t` is the
    /// permanent table; only the unqualified name is the temporary one.
    #[test]
    fn renamed_tables_and_qualified_names_mean_their_definitions() {
        let c = run("CREATE TABLE public.p (id int);\n\
                     CREATE TABLE public.t (id int) INHERITS (public.p);\n\
                     ALTER TABLE public.t RENAME TO u;\n\
                     CREATE VIEW public.uv AS SELECT id FROM public.u;\n\
                     ALTER TABLE public.u SET SCHEMA app;\n\
                     COMMENT ON TABLE app.u IS 'moved';\n\
                     CREATE TABLE public.k (id int);\n\
                     ALTER TABLE public.k RENAME TO k2;\n\
                     CREATE INDEX k2_id ON public.k2 (id);\n\
                     CREATE TEMP TABLE p (id int, b int);\n\
                     INSERT INTO p VALUES (1, 2);\n\
                     INSERT INTO public.t2 SELECT id FROM public.p;\n");
        let pre = &c.scripts.pre_data;
        let un = c.scripts.unsupported.as_deref().unwrap_or("");
        for moved in ["INHERITS", "RENAME TO u", "VIEW public.uv", "SET SCHEMA app", "COMMENT ON TABLE app.u"] {
            assert!(un.contains(moved), "{moved} not in unsupported.sql:\n{un}");
        }
        let at = |s: &str| pre.find(s).unwrap_or_else(|| panic!("{s} not in pre-data:\n{pre}"));
        assert!(at("RENAME TO k2") < at("CREATE INDEX k2_id"), "{pre}");
        // The temporary table's rows load in its session; public.p's in data.sql.
        assert!(pre.contains("INSERT INTO p VALUES"), "{pre}");
        let data = c.scripts.data.as_deref().unwrap_or("");
        assert!(data.contains("INSERT INTO public.t2 SELECT id FROM public.p"), "{data}");
        let insert = c.ir.stmts.iter().find(|s| s.kind == "insert" && s.refs.iter().any(|r| r.name == "t2")).unwrap();
        assert!(insert.refs.contains(&crate::ir::ObjKey::relation("public", "p")), "{:?}", insert.refs);
        c.check_invariants().unwrap();
    }

    /// Statements that name a foreign server, text search object or operator need its
    /// definition: across files, they still load after it.
    #[test]
    fn statements_naming_servers_text_search_objects_and_operators_follow_them() {
        let a = SourceFile::new(
            "a_uses.sql",
            "ALTER SERVER remote OPTIONS (ADD host 'x');\n\
             GRANT USAGE ON FOREIGN SERVER remote TO PUBLIC;\n\
             CREATE USER MAPPING FOR PUBLIC SERVER remote;\n\
             CREATE FOREIGN TABLE public.ft (id int) SERVER remote;\n\
             ALTER TEXT SEARCH CONFIGURATION public.mycfg ALTER MAPPING FOR word WITH public.mydict;\n\
             ALTER TEXT SEARCH DICTIONARY public.mydict (StopWords = english);\n\
             COMMENT ON OPERATOR public.=== (int, int) IS 'eq';\n",
        );
        let b = SourceFile::new(
            "b_defines.sql",
            "CREATE FOREIGN DATA WRAPPER myfdw;\n\
             CREATE SERVER remote FOREIGN DATA WRAPPER myfdw;\n\
             CREATE TEXT SEARCH DICTIONARY public.mydict (TEMPLATE = simple);\n\
             CREATE TEXT SEARCH CONFIGURATION public.mycfg (COPY = pg_catalog.english);\n\
             CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);\n",
        );
        let c = compile(vec![a, b], &RulePack::builtin().unwrap(), &Default::default());
        let pre = &c.scripts.pre_data;
        let at = |s: &str| pre.find(s).unwrap_or_else(|| panic!("{s} not in pre-data:\n{pre}"));
        for (def, uses) in [
            ("CREATE SERVER remote", &["ALTER SERVER", "GRANT USAGE", "USER MAPPING", "FOREIGN TABLE"][..]),
            ("CREATE TEXT SEARCH DICTIONARY", &["ALTER TEXT SEARCH DICTIONARY", "ALTER TEXT SEARCH CONFIGURATION"]),
            ("CREATE TEXT SEARCH CONFIGURATION", &["ALTER TEXT SEARCH CONFIGURATION"]),
            ("CREATE OPERATOR", &["COMMENT ON OPERATOR"]),
        ] {
            for u in uses {
                assert!(at(def) < at(u), "{u} before {def}:\n{pre}");
            }
        }
    }

    /// A DROP of a moved object fails on the target unless it says IF EXISTS: it moves too.
    #[test]
    fn a_drop_of_a_moved_object_moves_unless_if_exists() {
        let c = run("CREATE CONVERSION public.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;\n\
                     DROP CONVERSION public.myconv;\n\
                     CREATE TABLE public.p (id int);\n\
                     CREATE TABLE public.c () INHERITS (public.p);\n\
                     DROP TABLE public.c;\n\
                     DROP TABLE IF EXISTS public.c;\n\
                     DROP TABLE public.p;\n");
        let pre = &c.scripts.pre_data;
        let un = c.scripts.unsupported.as_deref().unwrap_or("");
        assert!(un.contains("DROP CONVERSION public.myconv;") && un.contains("DROP TABLE public.c;"), "{un}");
        assert!(pre.contains("DROP TABLE IF EXISTS public.c;") && pre.contains("DROP TABLE public.p;"), "{pre}");
        c.check_invariants().unwrap();
    }

    /// Statements that change or use an object the target lacks follow it to unsupported.sql.
    #[test]
    fn statements_naming_a_moved_object_move_with_it() {
        let c = run("CREATE CONVERSION public.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;\n\
                     ALTER CONVERSION public.myconv RENAME TO myconv2;\n\
                     COMMENT ON CONVERSION public.myconv IS 'c';\n\
                     CREATE COLLATION public.german (provider = icu, locale = 'de');\n\
                     ALTER COLLATION public.german REFRESH VERSION;\n\
                     CREATE FUNCTION public.h(internal) RETURNS index_am_handler LANGUAGE c AS 'x', 'y';\n\
                     CREATE ACCESS METHOD myam TYPE INDEX HANDLER public.h;\n\
                     CREATE OPERATOR CLASS public.int_ops DEFAULT FOR TYPE int USING myam AS STORAGE int;\n\
                     CREATE TABLE public.t (id int);\n\
                     CREATE INDEX t_idx ON public.t USING myam (id);\n\
                     CREATE INDEX t_ok ON public.t (id);\n");
        let pre = &c.scripts.pre_data;
        for moved in ["myconv", "german", "myam", "int_ops", "t_idx"] {
            assert!(!pre.contains(moved), "{moved} left in pre-data:\n{pre}");
        }
        assert!(pre.contains("CREATE INDEX t_ok"), "{pre}");
        c.check_invariants().unwrap();
    }
}

#[cfg(test)]
mod source_order_tests {
    use crate::compile::compile;
    use crate::rules::RulePack;
    use crate::source::SourceFile;

    /// `pg_dump --clean --if-exists`: the clean section names objects before the CREATE that
    /// defines them; it must stay before it, or the scripts create each key and then drop it.
    #[test]
    fn a_drop_before_a_create_of_the_same_name_stays_before_it() {
        let sql = "ALTER TABLE IF EXISTS ONLY public.t DROP CONSTRAINT IF EXISTS t_pkey;\n\
                   DROP TABLE IF EXISTS public.t;\n\
                   CREATE TABLE public.t (id integer NOT NULL);\n\
                   ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n";
        let c = compile(vec![SourceFile::new("clean.sql", sql)], &RulePack::builtin().unwrap(), &Default::default());
        let pre = &c.scripts.pre_data;
        let drop = pre.find("DROP CONSTRAINT IF EXISTS t_pkey").expect("drop kept");
        let create = pre.find("CREATE TABLE public.t").expect("create kept");
        assert!(drop < create, "{pre}");
        assert!(pre.find("DROP TABLE IF EXISTS").unwrap() < create, "{pre}");
        assert!(pre[create..].contains("PRIMARY KEY (id)"), "{pre}");
    }

    /// Across files (read in path order), a definition may still come from a later file.
    #[test]
    fn a_reference_to_a_later_file_still_follows_its_definition() {
        let a = SourceFile::new("a_views.sql", "CREATE VIEW public.v AS SELECT id FROM public.t;\n");
        let b = SourceFile::new("b_tables.sql", "CREATE TABLE public.t (id integer);\n");
        let c = compile(vec![a, b], &RulePack::builtin().unwrap(), &Default::default());
        let pre = &c.scripts.pre_data;
        assert!(pre.find("CREATE TABLE public.t").unwrap() < pre.find("CREATE VIEW public.v").unwrap(), "{pre}");
    }
}

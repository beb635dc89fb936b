//! Printing the model the way `pg_dump` 15 prints a database: TOC comment blocks, statement
//! layout, blank lines, and the object order (type priority, then schema and name).

use std::borrow::Cow;
use std::fmt::Write as _;

use super::data::{slot_of, RowCtx};
use super::model::{qi, Column, Dflt, IdKind, Kind, Model, Table, TriggerFn, Ty};
use super::{Out, SynthOptions, SynthStats};

const VERSION: &str = "15.18 (Debian 15.18-0+deb12u1)";

/// `--\n-- Name: …; Type: …; Schema: …; Owner: …\n--\n\n`
fn toc(o: &mut Out<'_>, name: &str, ty: &str, schema: &str, owner: &str) {
    let _ = write!(o, "--\n-- Name: {name}; Type: {ty}; Schema: {schema}; Owner: {owner}\n--\n\n");
}

/// After a statement's text (which ends with `;\n`): pg_dump's two newlines.
fn end(o: &mut Out<'_>) {
    o.buf.push_str("\n\n");
    o.stmts += 1;
    o.checkpoint();
}

/// `ALTER <kind> <name> OWNER TO <owner>;` closing a TOC entry.
fn owner(o: &mut Out<'_>, kind: &str, qualified: &str, owner: &str) {
    let _ = writeln!(o, "ALTER {kind} {qualified} OWNER TO {owner};\n");
    o.stmts += 1;
}

fn qual(m: &Model, schema: usize, name: &str) -> String {
    format!("{}.{}", m.schemas[schema].0, qi(name))
}

fn ty_sql(m: &Model, ty: Ty) -> Cow<'static, str> {
    match ty {
        Ty::SmallInt => "smallint".into(),
        Ty::Int => "integer".into(),
        Ty::BigInt => "bigint".into(),
        Ty::Text => "text".into(),
        Ty::Varchar(n) => format!("character varying({n})").into(),
        Ty::Numeric(p, s) => format!("numeric({p},{s})").into(),
        Ty::Bool => "boolean".into(),
        Ty::Timestamptz => "timestamp with time zone".into(),
        Ty::Date => "date".into(),
        Ty::Jsonb => "jsonb".into(),
        Ty::Uuid => "uuid".into(),
        Ty::Enum(e) => {
            let e = &m.enums[usize::from(e)];
            format!("{}.{}", m.schemas[e.schema].0, e.name).into()
        }
        Ty::TextArr => "text[]".into(),
        Ty::IntArr => "integer[]".into(),
        Ty::PosInt => "public.positive_int".into(),
    }
}

fn default_sql(m: &Model, t: &Table, c: &Column, d: Dflt) -> Cow<'static, str> {
    match d {
        Dflt::Zero => "0".into(),
        Dflt::One => "1".into(),
        Dflt::EmptyText => match c.ty {
            Ty::Varchar(_) => "''::character varying".into(),
            _ => "''::text".into(),
        },
        Dflt::False => "false".into(),
        Dflt::True => "true".into(),
        Dflt::Now => "now()".into(),
        Dflt::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
        Dflt::CurrentDate => "CURRENT_DATE".into(),
        Dflt::EmptyJson => "'{}'::jsonb".into(),
        Dflt::GenUuid => "gen_random_uuid()".into(),
        Dflt::EnumFirst => match c.ty {
            Ty::Enum(e) => format!("'{}'::{}", m.enums[usize::from(e)].labels[0], ty_sql(m, c.ty)).into(),
            _ => unreachable!(),
        },
        Dflt::EmptyArray => format!("'{{}}'::{}", ty_sql(m, c.ty)).into(),
        Dflt::Nextval => {
            format!("nextval('{}'::regclass)", qual(m, t.schema, &t.seq_name().unwrap_or_default())).into()
        }
    }
}

pub fn header(o: &mut Out<'_>, m: &Model) {
    let _ = write!(
        o,
        "--\n-- PostgreSQL database dump\n--\n\n\\restrict {key}\n\n\
         -- Dumped from database version {VERSION}\n\
         -- Dumped by pg_dump version {VERSION}\n\n",
        key = m.restrict_key
    );
    for s in [
        "SET statement_timeout = 0;",
        "SET lock_timeout = 0;",
        "SET idle_in_transaction_session_timeout = 0;",
        "SET client_encoding = 'UTF8';",
        "SET standard_conforming_strings = on;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "SET check_function_bodies = false;",
        "SET xmloption = content;",
        "SET client_min_messages = warning;",
        "SET row_security = off;",
    ] {
        o.buf.push_str(s);
        o.buf.push('\n');
        o.stmts += 1;
    }
    o.buf.push('\n');
}

pub fn footer(o: &mut Out<'_>, m: &Model) {
    let _ = write!(o, "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict {}\n\n", m.restrict_key);
}

/// pg_dump's `TopoSort` (pg_dump_sort.c): `deps[i]` lists the items that must precede item `i`
/// of a list already sorted by (priority, schema, name). Working backwards, it repeatedly emits the
/// last item nothing remaining depends on, so a dependency lands right before its first dependent.
fn topo_sort(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut before = vec![0u32; n];
    for d in deps {
        for &k in d {
            before[k] += 1;
        }
    }
    let mut heap: std::collections::BinaryHeap<usize> = (0..n).filter(|&i| before[i] == 0).collect();
    let mut out = vec![0; n];
    let mut pos = n;
    while let Some(i) = heap.pop() {
        pos -= 1;
        out[pos] = i;
        for &k in &deps[i] {
            before[k] -= 1;
            if before[k] == 0 {
                heap.push(k);
            }
        }
    }
    assert_eq!(pos, 0, "dependency cycle among dump objects");
    out
}

/// Table indices sorted the way pg_dump sorts objects of one priority: schema name, then name.
fn sorted_tables(m: &Model) -> Vec<usize> {
    let mut v: Vec<usize> = (0..m.tables.len()).collect();
    v.sort_by(|&a, &b| {
        let (ta, tb) = (&m.tables[a], &m.tables[b]);
        (m.schemas[ta.schema].0, &ta.name).cmp(&(m.schemas[tb.schema].0, &tb.name))
    });
    v
}

fn column_line(o: &mut Out<'_>, m: &Model, t: &Table, c: &Column, default: Option<Dflt>) {
    let _ = write!(o, "    {} {}", qi(&c.name), ty_sql(m, c.ty));
    if let Some(d) = default {
        let _ = write!(o, " DEFAULT {}", default_sql(m, t, c, d));
    }
    if c.not_null {
        o.buf.push_str(" NOT NULL");
    }
}

fn create_table(o: &mut Out<'_>, m: &Model, t: &Table, name: &str, partition: bool) {
    let _ = writeln!(o, "CREATE TABLE {} (", qual(m, t.schema, name));
    for (ci, c) in t.cols.iter().enumerate() {
        if ci > 0 {
            o.buf.push_str(",\n");
        }
        // A partition is created after the parent's sequence, so pg_dump prints the serial
        // default inline there (and as a separate `DEFAULT` entry for the parent).
        let d = if partition && ci == 0 && t.has_serial_default() { Some(Dflt::Nextval) } else { c.default };
        column_line(o, m, t, c, d);
    }
    for ck in &t.checks {
        let _ = write!(o, ",\n    CONSTRAINT {} CHECK ({})", ck.name, ck.expr);
    }
    o.buf.push_str("\n)");
    if t.kind == Kind::Partitioned && !partition {
        o.buf.push_str("\nPARTITION BY RANGE (created_at)");
    }
    o.buf.push_str(";\n");
    end(o);
}

fn sequence_lines(o: &mut Out<'_>) {
    o.buf.push_str("    START WITH 1\n    INCREMENT BY 1\n    NO MINVALUE\n    NO MAXVALUE\n    CACHE 1");
}

pub fn pre_data(o: &mut Out<'_>, m: &Model, st: &mut SynthStats) {
    // Schemas (public exists already and is not dumped).
    let mut schemas: Vec<usize> = (1..m.schemas.len()).collect();
    schemas.sort_by_key(|&s| m.schemas[s].0);
    for s in schemas {
        let (name, own) = m.schemas[s];
        toc(o, name, "SCHEMA", "-", own);
        let _ = writeln!(o, "CREATE SCHEMA {name};");
        end(o);
        owner(o, "SCHEMA", name, own);
    }

    // Extension.
    toc(o, "pgcrypto", "EXTENSION", "-", "-");
    o.buf.push_str("CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n");
    end(o);
    toc(o, "EXTENSION pgcrypto", "COMMENT", "-", "");
    o.buf.push_str("COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';\n");
    end(o);

    // Types: enums and one domain, by schema then name.
    let mut types: Vec<(&str, &str, Option<usize>)> =
        m.enums.iter().enumerate().map(|(k, e)| (m.schemas[e.schema].0, e.name, Some(k))).collect();
    types.push(("public", "positive_int", None));
    types.sort();
    for (schema, name, e) in types {
        match e {
            Some(k) => {
                toc(o, name, "TYPE", schema, "postgres");
                let _ = writeln!(o, "CREATE TYPE {schema}.{name} AS ENUM (");
                let labels = m.enums[k].labels;
                for (i, l) in labels.iter().enumerate() {
                    let sep = if i + 1 < labels.len() { "," } else { "" };
                    let _ = writeln!(o, "    '{l}'{sep}");
                }
                o.buf.push_str(");\n");
                end(o);
                owner(o, "TYPE", &format!("{schema}.{name}"), "postgres");
            }
            None => {
                toc(o, name, "DOMAIN", schema, "postgres");
                let _ = writeln!(
                    o,
                    "CREATE DOMAIN {schema}.{name} AS integer\n\tCONSTRAINT {name}_check CHECK ((VALUE > 0));"
                );
                end(o);
                owner(o, "DOMAIN", &format!("{schema}.{name}"), "postgres");
            }
        }
    }

    // Trigger functions, by schema then name.
    let mut funcs: Vec<(&str, String, Option<usize>)> = Vec::new();
    for (s, used) in m.shared_fn.iter().enumerate() {
        if *used {
            funcs.push((m.schemas[s].0, "set_updated_at".to_string(), None));
        }
    }
    for (ti, t) in m.tables.iter().enumerate() {
        if let Some(tr) = &t.trigger {
            if matches!(tr.func, TriggerFn::Own) {
                funcs.push((m.schemas[t.schema].0, format!("touch_{}", t.name), Some(ti)));
            }
        }
    }
    funcs.sort();
    for (schema, name, own) in funcs {
        let fowner = own.map_or("postgres", |ti| m.tables[ti].owner);
        toc(o, &format!("{name}()"), "FUNCTION", schema, fowner);
        let _ = write!(o, "CREATE FUNCTION {schema}.{name}() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\n");
        if own.is_some() {
            o.buf.push_str("BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND\n$$;\n");
        } else {
            o.buf.push_str(
                "BEGIN\n    IF NEW IS DISTINCT FROM OLD THEN\n        NEW.updated_at := now();\n    END IF;\n    RETURN NEW;\nEND;\n$$;\n",
            );
        }
        end(o);
        owner(o, "FUNCTION", &format!("{schema}.{name}()"), fowner);
        st.functions += 1;
    }

    // Tables, sequences, partitions and views share one priority: sorted by schema and name,
    // then dependency-sorted (sequence after its table, partition after its parent and the
    // sequence its inline default uses, view after both tables).
    #[derive(Clone, Copy)]
    enum Rel {
        Table(usize),
        Seq(usize),
        Part(usize),
        View(usize),
    }
    let seq_names: Vec<Option<String>> = m.tables.iter().map(|t| t.seq_name()).collect();
    let mut rels: Vec<(&str, &str, Rel)> = Vec::new();
    for (ti, t) in m.tables.iter().enumerate() {
        let schema = m.schemas[t.schema].0;
        rels.push((schema, &t.name, Rel::Table(ti)));
        if let Some(s) = &seq_names[ti] {
            rels.push((schema, s, Rel::Seq(ti)));
        }
        for p in &t.partitions {
            rels.push((schema, &p.name, Rel::Part(ti)));
        }
    }
    for (vi, v) in m.views.iter().enumerate() {
        rels.push((m.schemas[v.schema].0, &v.name, Rel::View(vi)));
    }
    rels.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut table_pos = vec![0; m.tables.len()];
    let mut seq_pos = vec![0; m.tables.len()];
    for (i, r) in rels.iter().enumerate() {
        match r.2 {
            Rel::Table(ti) => table_pos[ti] = i,
            Rel::Seq(ti) => seq_pos[ti] = i,
            _ => {}
        }
    }
    let deps: Vec<Vec<usize>> = rels
        .iter()
        .map(|r| match r.2 {
            Rel::Table(_) => Vec::new(),
            Rel::Seq(ti) => vec![table_pos[ti]],
            Rel::Part(ti) => {
                if m.tables[ti].has_serial_default() {
                    vec![table_pos[ti], seq_pos[ti]]
                } else {
                    vec![table_pos[ti]]
                }
            }
            Rel::View(vi) => {
                let v = &m.views[vi];
                vec![table_pos[v.child], table_pos[v.parent]]
            }
        })
        .collect();
    let mut tablespace_set = false;
    let mut am_set = false;
    for i in topo_sort(&deps) {
        let (schema, name, rel) = rels[i];
        match rel {
            Rel::Table(ti) | Rel::Part(ti) => {
                let t = &m.tables[ti];
                let partition = matches!(rel, Rel::Part(_));
                if !tablespace_set {
                    o.buf.push_str("SET default_tablespace = '';\n\n");
                    o.stmts += 1;
                    tablespace_set = true;
                }
                if !am_set && (partition || t.kind != Kind::Partitioned) {
                    o.buf.push_str("SET default_table_access_method = heap;\n\n");
                    o.stmts += 1;
                    am_set = true;
                }
                let qt = qual(m, t.schema, name);
                toc(o, name, "TABLE", schema, t.owner);
                create_table(o, m, t, name, partition);
                owner(o, "TABLE", &qt, t.owner);
                st.create_table += 1;
                if partition {
                    st.partitions += 1;
                    continue;
                }
                match t.kind {
                    Kind::Partitioned => st.partitioned_tables += 1,
                    Kind::Join => st.join_tables += 1,
                    Kind::Regular => {}
                }
                if let Some(c) = &t.comment {
                    toc(o, &format!("TABLE {name}"), "COMMENT", schema, t.owner);
                    let _ = writeln!(o, "COMMENT ON TABLE {qt} IS '{}';", c.replace('\'', "''"));
                    end(o);
                    st.comments += 1;
                }
                if let Some((ci, c)) = &t.col_comment {
                    let col = qi(&t.cols[*ci].name);
                    toc(o, &format!("COLUMN {name}.{col}"), "COMMENT", schema, t.owner);
                    let _ = writeln!(o, "COMMENT ON COLUMN {qt}.{col} IS '{}';", c.replace('\'', "''"));
                    end(o);
                    st.comments += 1;
                }
            }
            Rel::Seq(ti) => {
                let t = &m.tables[ti];
                let qt = qual(m, t.schema, &t.name);
                let qs = qual(m, t.schema, name);
                st.sequences += 1;
                toc(o, name, "SEQUENCE", schema, t.owner);
                match t.id {
                    IdKind::Identity { always, .. } => {
                        st.identity_columns += 1;
                        let _ = writeln!(
                            o,
                            "ALTER TABLE {qt} ALTER COLUMN id ADD GENERATED {} AS IDENTITY (\n    SEQUENCE NAME {qs}",
                            if always { "ALWAYS" } else { "BY DEFAULT" }
                        );
                        sequence_lines(o);
                        o.buf.push_str("\n);\n");
                        end(o);
                    }
                    _ => {
                        let _ = writeln!(o, "CREATE SEQUENCE {qs}");
                        if t.id == IdKind::Serial {
                            o.buf.push_str("    AS integer\n");
                        }
                        sequence_lines(o);
                        o.buf.push_str(";\n");
                        end(o);
                        owner(o, "TABLE", &qs, t.owner);
                        toc(o, name, "SEQUENCE OWNED BY", schema, t.owner);
                        let _ = writeln!(o, "ALTER SEQUENCE {qs} OWNED BY {qt}.id;");
                        end(o);
                    }
                }
            }
            Rel::View(vi) => view(o, m, &m.views[vi], st),
        }
    }
    // TABLE ATTACH, by schema and partition name.
    let mut attach: Vec<(&str, &str, usize, usize)> = Vec::new();
    for (ti, t) in m.tables.iter().enumerate() {
        for (pi, p) in t.partitions.iter().enumerate() {
            attach.push((m.schemas[t.schema].0, &p.name, ti, pi));
        }
    }
    attach.sort_unstable();
    for (schema, pname, ti, pi) in attach {
        let t = &m.tables[ti];
        toc(o, pname, "TABLE ATTACH", schema, t.owner);
        let _ =
            write!(o, "ALTER TABLE ONLY {} ATTACH PARTITION {}", qual(m, t.schema, &t.name), qual(m, t.schema, pname));
        match t.partitions[pi].range {
            Some((from, to)) => {
                let _ = writeln!(o, " FOR VALUES FROM ('{}') TO ('{}');", bound(from), bound(to));
            }
            None => o.buf.push_str(" DEFAULT;\n"),
        }
        end(o);
    }

    // Serial defaults, by schema and table name.
    for ti in sorted_tables(m) {
        let t = &m.tables[ti];
        if !t.has_serial_default() {
            continue;
        }
        toc(o, &format!("{} id", t.name), "DEFAULT", m.schemas[t.schema].0, t.owner);
        let _ = writeln!(
            o,
            "ALTER TABLE ONLY {} ALTER COLUMN id SET DEFAULT {};",
            qual(m, t.schema, &t.name),
            default_sql(m, t, &t.cols[0], Dflt::Nextval)
        );
        end(o);
    }
}

fn view(o: &mut Out<'_>, m: &Model, v: &super::model::View, st: &mut SynthStats) {
    let (c, p) = (&m.tables[v.child], &m.tables[v.parent]);
    let qv = qual(m, v.schema, &v.name);
    toc(o, &v.name, "VIEW", m.schemas[v.schema].0, v.owner);
    let _ = write!(o, "CREATE VIEW {qv} AS\n SELECT c.id");
    for &ci in &v.child_cols {
        let _ = write!(o, ",\n    c.{}", qi(&c.cols[ci].name));
    }
    for &pi in &v.parent_cols {
        let col = &p.cols[pi].name;
        let alias = format!("{}_{}", p.word, col);
        let _ = write!(o, ",\n    p.{} AS {}", qi(col), qi(&alias));
    }
    let _ = writeln!(
        o,
        "\n   FROM ({} c\n     JOIN {} p ON ((p.id = c.{})));",
        qual(m, c.schema, &c.name),
        qual(m, p.schema, &p.name),
        qi(&c.cols[v.fk_col].name)
    );
    end(o);
    owner(o, "TABLE", &qv, v.owner);
    st.views += 1;
}

fn bound(days: i64) -> String {
    let (y, mo, d) = super::model::civil_from_days(days);
    format!("{y:04}-{mo:02}-{d:02} 00:00:00+00")
}

/// Rows per table: `rows_per_table`, plus rows added round-robin until the whole output is about
/// `target_bytes` (estimated from a sample of each table's rows).
pub fn row_counts(m: &Model, opts: &SynthOptions, other_bytes: usize) -> Vec<u64> {
    let n = m.tables.len();
    let base = opts.rows_per_table as u64;
    let mut counts = vec![base; n];
    if let Some(target) = opts.target_bytes {
        const SAMPLE: u64 = 8;
        let provisional = vec![base.max(1000); n];
        let mut ctx = RowCtx { model: m, counts: &provisional, scratch: String::new() };
        let mut buf = String::new();
        let mut avg = Vec::with_capacity(n);
        let mut fixed = other_bytes as u64;
        for (ti, t) in m.tables.iter().enumerate() {
            buf.clear();
            for j in 1..=SAMPLE {
                ctx.write_row(&mut buf, ti, j);
            }
            let a = (buf.len() as u64).div_ceil(SAMPLE).max(1);
            avg.push(a);
            // COPY header, terminator and setval per table (partitions have their own blocks).
            let blocks = t.partitions.len().max(1) as u64;
            let cols: u64 = t.cols.iter().map(|c| c.name.len() as u64 + 2).sum();
            fixed += blocks * (120 + 2 * t.name.len() as u64 + cols) + 110;
            fixed += base * a;
        }
        let target = target as u64;
        if target > fixed {
            let remaining = target - fixed;
            let per_round: u64 = avg.iter().sum();
            let rounds = remaining / per_round;
            let mut rest = remaining - rounds * per_round;
            for (ti, c) in counts.iter_mut().enumerate() {
                *c += rounds;
                if rest >= avg[ti] {
                    rest -= avg[ti];
                    *c += 1;
                }
            }
        }
    }
    // Foreign keys need parents with rows: once any table has rows, every table has one.
    if counts.iter().any(|&c| c > 0) {
        for c in &mut counts {
            *c = (*c).max(1);
        }
    }
    // Join tables hold distinct (a, b) pairs.
    for (ti, t) in m.tables.iter().enumerate() {
        if t.kind == Kind::Join {
            let pairs: Vec<u64> = t
                .cols
                .iter()
                .filter_map(|c| match c.gen {
                    super::model::Gen::JoinA(p) | super::model::Gen::JoinB(p) => Some(counts[p]),
                    _ => None,
                })
                .collect();
            counts[ti] = counts[ti].min(pairs.iter().product());
        }
    }
    counts
}

pub fn data(o: &mut Out<'_>, m: &Model, counts: &[u64], st: &mut SynthStats) {
    // One COPY block per table holding rows: regular and join tables, and partitions.
    let mut blocks: Vec<(&str, &str, usize, Option<usize>)> = Vec::new();
    for (ti, t) in m.tables.iter().enumerate() {
        let schema = m.schemas[t.schema].0;
        if t.kind == Kind::Partitioned {
            for (pi, p) in t.partitions.iter().enumerate() {
                blocks.push((schema, &p.name, ti, Some(pi)));
            }
        } else {
            blocks.push((schema, &t.name, ti, None));
        }
    }
    blocks.sort_unstable();
    let mut ctx = RowCtx { model: m, counts, scratch: String::new() };
    let mut cols = String::new();
    for (schema, name, ti, part) in blocks {
        let t = &m.tables[ti];
        let _ =
            write!(o, "--\n-- Data for Name: {name}; Type: TABLE DATA; Schema: {schema}; Owner: {}\n--\n\n", t.owner);
        cols.clear();
        for (ci, c) in t.cols.iter().enumerate() {
            if ci > 0 {
                cols.push_str(", ");
            }
            cols.push_str(&qi(&c.name));
        }
        let _ = writeln!(o, "COPY {} ({cols}) FROM stdin;", qual(m, t.schema, name));
        let n = counts[ti];
        match part {
            None => {
                for j in 1..=n {
                    ctx.write_row(&mut o.buf, ti, j);
                    o.checkpoint();
                }
                st.rows += n;
            }
            Some(pi) => {
                let step = t.partitions.len() as u64;
                let mut j = pi as u64 + 1;
                while j <= n {
                    debug_assert_eq!(slot_of(t, j), pi);
                    ctx.write_row(&mut o.buf, ti, j);
                    o.checkpoint();
                    st.rows += 1;
                    j += step;
                }
            }
        }
        o.buf.push_str("\\.\n");
        end(o);
        st.copy_blocks += 1;
    }

    // SEQUENCE SET, by schema and sequence name.
    let mut seqs: Vec<(&str, String, usize)> = m
        .tables
        .iter()
        .enumerate()
        .filter_map(|(ti, t)| t.seq_name().map(|s| (m.schemas[t.schema].0, s, ti)))
        .collect();
    seqs.sort_unstable();
    for (schema, seq, ti) in seqs {
        let t = &m.tables[ti];
        toc(o, &seq, "SEQUENCE SET", schema, t.owner);
        let (v, called) = match counts[ti] {
            0 => (1, false),
            n => (n, true),
        };
        let _ = writeln!(o, "SELECT pg_catalog.setval('{}', {v}, {called});", qual(m, t.schema, &seq));
        end(o);
    }
}

#[derive(Clone, Copy)]
enum Post {
    Pk(usize),
    PartPk(usize, usize),
    Unique(usize, usize),
    Index(usize, usize),
    PartIndex(usize, usize, usize),
    Trigger(usize),
    Fk(usize, usize),
}

/// Partition index names as PostgreSQL derives them (`<partition>_<columns>_idx`, or `_pkey`).
fn part_index_names(t: &Table, pi: usize) -> Vec<String> {
    let p = &t.partitions[pi].name;
    let mut names: Vec<String> = Vec::with_capacity(t.indexes.len());
    for (k, x) in t.indexes.iter().enumerate() {
        let mut s = format!("{p}_{}_idx", x.cols_for_name);
        if s.len() > 63 {
            s = format!("{p}_idx{k}");
        }
        let mut n = 1;
        let stem = s.clone();
        while names.contains(&s) {
            s = format!("{stem}{n}");
            n += 1;
        }
        names.push(s);
    }
    names
}

pub fn post_data(o: &mut Out<'_>, m: &Model, st: &mut SynthStats) {
    // Sorted by (schema, name), then dependency-sorted: a partition's key or index comes after
    // the parent's, as pg_dump's TopoSort places them.
    let mut cons: Vec<(&str, String, Post)> = Vec::new();
    let mut idx: Vec<(&str, String, Post)> = Vec::new();
    let mut attach: Vec<(&str, String, String, usize)> = Vec::new();
    let mut trig: Vec<(&str, String, Post)> = Vec::new();
    let mut fks: Vec<(&str, String, Post)> = Vec::new();
    for (ti, t) in m.tables.iter().enumerate() {
        let schema = m.schemas[t.schema].0;
        let pk = format!("{}_pkey", t.name);
        cons.push((schema, pk.clone(), Post::Pk(ti)));
        for (pi, p) in t.partitions.iter().enumerate() {
            let ppk = format!("{}_pkey", p.name);
            cons.push((schema, ppk.clone(), Post::PartPk(ti, pi)));
            attach.push((schema, ppk, pk.clone(), ti));
        }
        for (ui, (name, _)) in t.uniques.iter().enumerate() {
            cons.push((schema, name.clone(), Post::Unique(ti, ui)));
        }
        for (xi, x) in t.indexes.iter().enumerate() {
            idx.push((schema, x.name.clone(), Post::Index(ti, xi)));
        }
        for pi in 0..t.partitions.len() {
            for (xi, pname) in part_index_names(t, pi).into_iter().enumerate() {
                let parent = t.indexes[xi].name.clone();
                attach.push((schema, pname.clone(), parent, ti));
                idx.push((schema, pname, Post::PartIndex(ti, xi, pi)));
            }
        }
        if let Some(tr) = &t.trigger {
            trig.push((schema, tr.name.clone(), Post::Trigger(ti)));
        }
        for (fi, f) in t.fks.iter().enumerate() {
            fks.push((schema, f.name.clone(), Post::Fk(ti, fi)));
        }
    }
    let by_name = |a: &(&str, String, Post), b: &(&str, String, Post)| (a.0, &a.1).cmp(&(b.0, &b.1));
    cons.sort_by(by_name);
    idx.sort_by(by_name);
    attach.sort_unstable();
    trig.sort_by(by_name);
    fks.sort_by(by_name);
    let cons_order = {
        let mut pk_pos = vec![0; m.tables.len()];
        for (i, c) in cons.iter().enumerate() {
            if let Post::Pk(ti) = c.2 {
                pk_pos[ti] = i;
            }
        }
        let deps: Vec<Vec<usize>> = cons
            .iter()
            .map(|c| match c.2 {
                Post::PartPk(ti, _) => vec![pk_pos[ti]],
                _ => Vec::new(),
            })
            .collect();
        topo_sort(&deps)
    };
    let idx_order = {
        let mut first = vec![0; m.tables.len()];
        let mut pos = vec![0; idx.len()];
        // Position of (table, index k): first[ti] + k over a dense numbering.
        let mut acc = 0;
        for (ti, t) in m.tables.iter().enumerate() {
            first[ti] = acc;
            acc += t.indexes.len();
        }
        for (i, x) in idx.iter().enumerate() {
            if let Post::Index(ti, xi) = x.2 {
                pos[first[ti] + xi] = i;
            }
        }
        let deps: Vec<Vec<usize>> = idx
            .iter()
            .map(|x| match x.2 {
                Post::PartIndex(ti, xi, _) => vec![pos[first[ti] + xi]],
                _ => Vec::new(),
            })
            .collect();
        topo_sort(&deps)
    };

    for i in cons_order {
        let (schema, name, item) = &cons[i];
        let (ti, tname, cname, what) = match *item {
            Post::Pk(ti) => {
                let t = &m.tables[ti];
                let keys: Vec<Cow<str>> = t.pk.iter().map(|&c| qi(&t.cols[c].name)).collect();
                st.primary_keys += 1;
                (ti, t.name.as_str(), name.as_str(), format!("PRIMARY KEY ({})", keys.join(", ")))
            }
            Post::PartPk(ti, pi) => {
                let t = &m.tables[ti];
                let keys: Vec<Cow<str>> = t.pk.iter().map(|&c| qi(&t.cols[c].name)).collect();
                st.primary_keys += 1;
                (ti, t.partitions[pi].name.as_str(), name.as_str(), format!("PRIMARY KEY ({})", keys.join(", ")))
            }
            Post::Unique(ti, ui) => {
                let t = &m.tables[ti];
                st.unique_constraints += 1;
                (ti, t.name.as_str(), name.as_str(), format!("UNIQUE ({})", qi(&t.cols[t.uniques[ui].1].name)))
            }
            _ => unreachable!(),
        };
        let t = &m.tables[ti];
        toc(o, &format!("{tname} {cname}"), "CONSTRAINT", schema, t.owner);
        let _ = writeln!(o, "ALTER TABLE ONLY {}\n    ADD CONSTRAINT {cname} {what};", qual(m, t.schema, tname));
        end(o);
    }

    for i in idx_order {
        let (schema, name, item) = &idx[i];
        let (ti, xi, on, iname, only) = match *item {
            Post::Index(ti, xi) => {
                let t = &m.tables[ti];
                (ti, xi, t.name.as_str(), name.as_str(), t.kind == Kind::Partitioned)
            }
            Post::PartIndex(ti, xi, pi) => (ti, xi, m.tables[ti].partitions[pi].name.as_str(), name.as_str(), false),
            _ => unreachable!(),
        };
        let t = &m.tables[ti];
        let x = &t.indexes[xi];
        toc(o, iname, "INDEX", schema, t.owner);
        let _ = write!(
            o,
            "CREATE {}INDEX {iname} ON {}{} USING {} ({})",
            if x.unique { "UNIQUE " } else { "" },
            if only { "ONLY " } else { "" },
            qual(m, t.schema, on),
            x.method,
            x.keys
        );
        if let Some(p) = &x.pred {
            let _ = write!(o, " WHERE {p}");
        }
        o.buf.push_str(";\n");
        end(o);
        st.indexes += 1;
    }

    for (schema, part_idx, parent_idx, ti) in &attach {
        toc(o, part_idx, "INDEX ATTACH", schema, m.tables[*ti].owner);
        let _ = writeln!(o, "ALTER INDEX {schema}.{parent_idx} ATTACH PARTITION {schema}.{part_idx};");
        end(o);
        st.index_attach += 1;
    }

    for (schema, name, item) in &trig {
        let Post::Trigger(ti) = *item else { unreachable!() };
        let t = &m.tables[ti];
        let tr = t.trigger.as_ref().expect("trigger");
        let func = match tr.func {
            TriggerFn::Own => format!("touch_{}", t.name),
            TriggerFn::Shared => "set_updated_at".to_string(),
        };
        toc(o, &format!("{} {name}", t.name), "TRIGGER", schema, t.owner);
        let _ = writeln!(
            o,
            "CREATE TRIGGER {name} {} ON {} FOR EACH ROW EXECUTE FUNCTION {schema}.{func}();",
            tr.events,
            qual(m, t.schema, &t.name)
        );
        end(o);
        st.triggers += 1;
    }

    for (schema, name, item) in &fks {
        let Post::Fk(ti, fi) = *item else { unreachable!() };
        let t = &m.tables[ti];
        let f = &t.fks[fi];
        let p = &m.tables[f.parent];
        toc(o, &format!("{} {name}", t.name), "FK CONSTRAINT", schema, t.owner);
        let _ = write!(
            o,
            "ALTER TABLE {}{}\n    ADD CONSTRAINT {name} FOREIGN KEY ({}) REFERENCES {}(id)",
            if t.kind == Kind::Partitioned { "" } else { "ONLY " },
            qual(m, t.schema, &t.name),
            qi(&t.cols[f.col].name),
            qual(m, p.schema, &p.name)
        );
        if let Some(a) = f.on_delete {
            let _ = write!(o, " ON DELETE {a}");
        }
        if f.deferrable {
            o.buf.push_str(" DEFERRABLE INITIALLY DEFERRED");
        }
        o.buf.push_str(";\n");
        end(o);
        st.foreign_keys += 1;
    }
    st.check_constraints = m.tables.iter().map(|t| t.checks.len()).sum();
}

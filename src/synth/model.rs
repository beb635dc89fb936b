//! The synthetic database: schemas, types, tables, constraints, indexes, views, triggers.
//! Built once from the options; the printers in `ddl` and `data` only read it.

use std::borrow::Cow;

use super::rng::Rng;
use super::SynthOptions;

/// Roles that own some objects (besides `postgres`); they must exist before the dump loads.
pub const ROLES: &[&str] = &["app_owner", "reporting"];

const SCHEMA_NAMES: &[&str] = &["public", "sales", "inventory", "billing", "crm", "analytics", "audit"];

/// Table name stems (≤ 12 bytes so every derived name stays under 63 bytes).
const WORDS: &[&str] = &[
    "account",
    "address",
    "invoice",
    "invoice_line",
    "order",
    "order_item",
    "product",
    "customer",
    "supplier",
    "shipment",
    "payment",
    "refund",
    "warehouse",
    "stock_level",
    "employee",
    "department",
    "project",
    "task",
    "ticket",
    "comment",
    "session",
    "device",
    "event_log",
    "audit_entry",
    "category",
    "tag",
    "coupon",
    "cart",
    "review",
    "message",
    "channel",
    "plan",
    "price_rule",
    "region",
    "store",
    "vendor",
    "contract",
    "document",
    "attachment",
    "note",
    "team",
    "membership",
    "currency",
    "ledger",
    "budget",
    "report",
    "metric",
];

pub struct EnumDef {
    pub schema: usize,
    pub name: &'static str,
    pub labels: &'static [&'static str],
}

const ENUMS: &[(&str, &[&str])] = &[
    ("order_status", &["pending", "paid", "shipped", "cancelled", "on hold"]),
    ("priority_level", &["low", "medium", "high", "urgent"]),
    ("channel_kind", &["web", "mobile", "email", "in-store"]),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    SmallInt,
    Int,
    BigInt,
    Text,
    Varchar(u16),
    Numeric(u8, u8),
    Bool,
    Timestamptz,
    Date,
    Jsonb,
    Uuid,
    Enum(u8),
    TextArr,
    IntArr,
    /// The domain `public.positive_int`.
    PosInt,
}

/// How a column's values are produced in COPY data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Gen {
    Id,
    /// Foreign key to another table's `id` (index into `Model::tables`).
    Fk(usize),
    /// `parent_id` referencing the same table.
    SelfRef,
    /// First / second key column of a join table (composite primary key).
    JoinA(usize),
    JoinB(usize),
    /// The partition key of a partitioned table.
    PartKey,
    CreatedAt,
    Name,
    Prose,
    Email,
    Code,
    Sku,
    Phone,
    Country,
    Plain,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dflt {
    Zero,
    One,
    EmptyText,
    False,
    True,
    Now,
    CurrentTimestamp,
    CurrentDate,
    EmptyJson,
    GenUuid,
    EnumFirst,
    EmptyArray,
    /// `nextval('<seq>'::regclass)` inline (partitions of a serial-keyed parent).
    Nextval,
}

pub struct Column {
    pub name: Cow<'static, str>,
    pub ty: Ty,
    pub not_null: bool,
    pub default: Option<Dflt>,
    pub gen: Gen,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdKind {
    Serial,
    BigSerial,
    Identity {
        big: bool,
        always: bool,
    },
    /// Join table: composite primary key of two foreign keys, no sequence.
    None,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Regular,
    Partitioned,
    Join,
}

pub struct Partition {
    pub name: String,
    /// Days since 1970-01-01 of the range `[from, to)`; `None` for the DEFAULT partition
    /// (its rows get timestamps in 2031).
    pub range: Option<(i64, i64)>,
}

pub struct Index {
    pub name: String,
    pub unique: bool,
    pub method: &'static str,
    /// Printed key list without parentheses, e.g. `customer_id, created_at DESC`.
    pub keys: String,
    /// Printed predicate including parentheses as pg_get_indexdef shows it, e.g. `(deleted_at IS NULL)`.
    pub pred: Option<String>,
    /// Column names for the auto-generated partition index names.
    pub cols_for_name: String,
}

pub struct Fk {
    pub name: String,
    pub col: usize,
    pub parent: usize,
    pub on_delete: Option<&'static str>,
    pub deferrable: bool,
}

pub struct Check {
    pub name: String,
    pub expr: String,
}

pub enum TriggerFn {
    Own,
    Shared,
}

pub struct Trigger {
    pub name: String,
    pub func: TriggerFn,
    pub events: &'static str,
}

pub struct Table {
    pub schema: usize,
    pub name: String,
    pub word: &'static str,
    pub owner: &'static str,
    pub kind: Kind,
    pub id: IdKind,
    pub cols: Vec<Column>,
    pub pk: Vec<usize>,
    pub checks: Vec<Check>,
    pub uniques: Vec<(String, usize)>,
    pub indexes: Vec<Index>,
    pub fks: Vec<Fk>,
    pub partitions: Vec<Partition>,
    pub trigger: Option<Trigger>,
    pub comment: Option<String>,
    pub col_comment: Option<(usize, String)>,
}

impl Table {
    pub fn seq_name(&self) -> Option<String> {
        match self.id {
            IdKind::None => None,
            _ => Some(format!("{}_id_seq", self.name)),
        }
    }
    pub fn has_serial_default(&self) -> bool {
        matches!(self.id, IdKind::Serial | IdKind::BigSerial)
    }
}

pub struct View {
    pub schema: usize,
    pub name: String,
    pub owner: &'static str,
    pub child: usize,
    pub parent: usize,
    pub fk_col: usize,
    pub child_cols: Vec<usize>,
    pub parent_cols: Vec<usize>,
}

pub struct Model {
    pub seed: u64,
    pub schemas: Vec<(&'static str, &'static str)>,
    pub enums: Vec<EnumDef>,
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    /// Per schema: does some trigger use the shared `set_updated_at()`?
    pub shared_fn: Vec<bool>,
    pub restrict_key: String,
}

/// Column pool: (name, type, how values are produced).
const POOL: &[(&str, Ty, Gen)] = &[
    ("name", Ty::Text, Gen::Name),
    ("title", Ty::Varchar(120), Gen::Plain),
    ("description", Ty::Text, Gen::Prose),
    ("notes", Ty::Text, Gen::Prose),
    ("email", Ty::Text, Gen::Email),
    ("code", Ty::Varchar(32), Gen::Code),
    ("sku", Ty::Varchar(24), Gen::Sku),
    ("phone", Ty::Varchar(20), Gen::Phone),
    ("country_code", Ty::Varchar(2), Gen::Country),
    ("amount", Ty::Numeric(12, 2), Gen::Plain),
    ("price", Ty::Numeric(10, 2), Gen::Plain),
    ("tax_rate", Ty::Numeric(5, 4), Gen::Plain),
    ("weight_kg", Ty::Numeric(8, 3), Gen::Plain),
    ("quantity", Ty::Int, Gen::Plain),
    ("priority", Ty::SmallInt, Gen::Plain),
    ("position", Ty::Int, Gen::Plain),
    ("order", Ty::Int, Gen::Plain),
    ("version", Ty::Int, Gen::Plain),
    ("external_id", Ty::BigInt, Gen::Plain),
    ("view_count", Ty::BigInt, Gen::Plain),
    ("is_active", Ty::Bool, Gen::Plain),
    ("archived", Ty::Bool, Gen::Plain),
    ("verified", Ty::Bool, Gen::Plain),
    ("due_on", Ty::Date, Gen::Plain),
    ("birth_date", Ty::Date, Gen::Plain),
    ("starts_on", Ty::Date, Gen::Plain),
    ("published_at", Ty::Timestamptz, Gen::Plain),
    ("deleted_at", Ty::Timestamptz, Gen::Plain),
    ("last_seen_at", Ty::Timestamptz, Gen::Plain),
    ("metadata", Ty::Jsonb, Gen::Plain),
    ("settings", Ty::Jsonb, Gen::Plain),
    ("payload", Ty::Jsonb, Gen::Plain),
    ("public_id", Ty::Uuid, Gen::Plain),
    ("token", Ty::Uuid, Gen::Plain),
    ("status", Ty::Enum(0), Gen::Plain),
    ("level", Ty::Enum(1), Gen::Plain),
    ("channel", Ty::Enum(2), Gen::Plain),
    ("tags", Ty::TextArr, Gen::Plain),
    ("scores", Ty::IntArr, Gen::Plain),
    ("labels", Ty::TextArr, Gen::Plain),
    ("displayName", Ty::Varchar(80), Gen::Plain),
    ("units", Ty::PosInt, Gen::Plain),
    ("group", Ty::Text, Gen::Name),
];

/// Keywords among our column names that pg_dump's fmtId quotes (reserved / col-name keywords).
const QUOTED_KEYWORDS: &[&str] = &["order", "group", "position"];

/// An identifier as pg_dump prints it: quoted when it is not a plain lower-case name or is a keyword.
pub fn qi(name: &str) -> Cow<'_, str> {
    let plain =
        name.bytes().enumerate().all(|(i, b)| b.is_ascii_lowercase() || b == b'_' || (i > 0 && b.is_ascii_digit()));
    if plain && !QUOTED_KEYWORDS.contains(&name) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("\"{}\"", name.replace('"', "\"\"")))
    }
}

const OWNERS: &[&str] = &["postgres", "postgres", "postgres", "app_owner", "reporting"];

struct Edge {
    parent: usize,
    self_ref: bool,
    not_null: bool,
    cycle: bool,
}

pub fn build(opts: &SynthOptions) -> Model {
    let seed = opts.seed;
    let n = opts.tables;
    let mut rng = Rng::derive(seed, 0, 0);

    let nschemas = if n < 4 { 1 } else { (2 + n / 40).min(SCHEMA_NAMES.len()) };
    let schemas: Vec<(&'static str, &'static str)> =
        SCHEMA_NAMES[..nschemas].iter().map(|s| (*s, if rng.chance(60) { "postgres" } else { "app_owner" })).collect();
    let enums: Vec<EnumDef> =
        ENUMS.iter().enumerate().map(|(k, (name, labels))| EnumDef { schema: k % nschemas, name, labels }).collect();
    let enum0 = format!("{}.{}", schemas[enums[0].schema].0, enums[0].name);
    let restrict_key: String = (0..63)
        .map(|_| {
            let a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            a[rng.below(a.len() as u64) as usize] as char
        })
        .collect();

    // Pass 1: kind, name, schema, key kind of every table. A few indices are pinned so that
    // even small dumps cover every feature.
    let mut kinds = Vec::with_capacity(n);
    let mut tables: Vec<Table> = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = Rng::derive(seed, 1, i as u64);
        let kind = match i {
            0 | 2 | 3 => Kind::Regular,
            1 if n >= 3 => Kind::Partitioned,
            4 if n >= 6 => Kind::Join,
            _ if i >= 5 && r.chance(4) => Kind::Partitioned,
            _ if i >= 5 && r.chance(5) => Kind::Join,
            _ => Kind::Regular,
        };
        kinds.push(kind);
        let word = r.pick(WORDS);
        let id = match kind {
            Kind::Partitioned => IdKind::BigSerial,
            Kind::Join => IdKind::None,
            Kind::Regular if i == 2 => IdKind::Identity { big: true, always: false },
            Kind::Regular => match r.below(100) {
                0..=54 => IdKind::Serial,
                55..=74 => IdKind::BigSerial,
                75..=94 => IdKind::Identity { big: r.chance(60), always: false },
                _ => IdKind::Identity { big: r.chance(60), always: true },
            },
        };
        tables.push(Table {
            schema: r.below(nschemas as u64) as usize,
            name: format!("{word}_{}", i + 1),
            word,
            owner: r.pick(OWNERS),
            kind,
            id,
            cols: Vec::new(),
            pk: Vec::new(),
            checks: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
            fks: Vec::new(),
            partitions: Vec::new(),
            trigger: None,
            comment: None,
            col_comment: None,
        });
    }
    let regular: Vec<usize> = (0..n).filter(|&i| kinds[i] == Kind::Regular).collect();

    // Pass 2: foreign-key edges (FKs are added after the data, so any graph loads, cycles included).
    let mut edges: Vec<Vec<Edge>> = (0..n).map(|_| Vec::new()).collect();
    let has_edge =
        |edges: &Vec<Vec<Edge>>, from: usize, to: usize| edges[from].iter().any(|e| !e.self_ref && e.parent == to);
    for i in 0..n {
        let mut r = Rng::derive(seed, 2, i as u64);
        let others = regular.len() - usize::from(kinds[i] == Kind::Regular);
        let want = match kinds[i] {
            Kind::Join => 2,
            _ => match r.below(100) {
                0..=29 => 0,
                30..=64 => 1,
                65..=84 => 2,
                _ => 3,
            },
        }
        .min(others);
        if i == 3 && n >= 4 {
            // A guaranteed cycle: 3 → 0 and 0 → 3.
            if !has_edge(&edges, 3, 0) {
                edges[3].push(Edge { parent: 0, self_ref: false, not_null: true, cycle: false });
            }
            if !has_edge(&edges, 0, 3) {
                edges[0].push(Edge { parent: 3, self_ref: false, not_null: false, cycle: true });
            }
        }
        let mut tries = 0;
        while edges[i].iter().filter(|e| !e.self_ref && !e.cycle).count() < want && tries < 20 {
            tries += 1;
            let p = r.pick(&regular);
            if p == i || has_edge(&edges, i, p) {
                continue;
            }
            let not_null = kinds[i] == Kind::Join || r.chance(50);
            edges[i].push(Edge { parent: p, self_ref: false, not_null, cycle: false });
            if kinds[i] == Kind::Regular && r.chance(5) && !has_edge(&edges, p, i) {
                edges[p].push(Edge { parent: i, self_ref: false, not_null: false, cycle: true });
            }
        }
        // Unlucky draws: fill up deterministically (join tables need exactly two parents).
        for &p in &regular {
            if edges[i].iter().filter(|e| !e.self_ref && !e.cycle).count() >= want {
                break;
            }
            if p != i && !has_edge(&edges, i, p) {
                edges[i].push(Edge { parent: p, self_ref: false, not_null: true, cycle: false });
            }
        }
        if kinds[i] == Kind::Regular && (i == 0 || r.chance(6)) {
            edges[i].push(Edge { parent: i, self_ref: true, not_null: false, cycle: false });
        }
    }

    // Pass 3: columns, constraints, indexes, triggers, comments.
    let mut shared_fn = vec![false; nschemas];
    for (i, t_edges) in edges.iter().enumerate() {
        let mut r = Rng::derive(seed, 3, i as u64);
        // Column name and "parent key is bigint" per edge.
        let fk_info: Vec<(String, bool)> = t_edges
            .iter()
            .map(|e| {
                let name = if e.self_ref { "parent_id".to_string() } else { format!("{}_id", tables[e.parent].name) };
                let big = matches!(tables[e.parent].id, IdKind::BigSerial | IdKind::Identity { big: true, .. });
                (name, big)
            })
            .collect();
        let t = &mut tables[i];
        build_table(t, i, &mut r, t_edges, &fk_info, &enum0, &mut shared_fn);
    }

    // Views over a child and its (regular) parent.
    let mut views = Vec::new();
    for i in 0..n {
        let mut r = Rng::derive(seed, 4, i as u64);
        let t = &tables[i];
        if t.kind == Kind::Join {
            continue;
        }
        if !(i == 3 || r.chance(12)) {
            continue;
        }
        let Some(fk) = t.fks.iter().find(|f| f.parent != i) else {
            continue;
        };
        let p = &tables[fk.parent];
        let pick_cols = |tab: &Table, r: &mut Rng, max: u64| -> Vec<usize> {
            let cand: Vec<usize> = (0..tab.cols.len())
                .filter(|&c| tab.cols[c].gen != Gen::Id && !matches!(tab.cols[c].gen, Gen::Fk(_)))
                .collect();
            let k = r.range(1, max) as usize;
            let mut out: Vec<usize> = Vec::new();
            for _ in 0..k {
                if cand.is_empty() {
                    break;
                }
                let c = r.pick(&cand);
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            out.sort_unstable();
            out
        };
        let child_cols = pick_cols(t, &mut r, 3);
        let parent_cols = pick_cols(p, &mut r, 2);
        views.push(View {
            schema: t.schema,
            name: format!("{}_with_{}", t.name, p.word),
            owner: t.owner,
            child: i,
            parent: fk.parent,
            fk_col: fk.col,
            child_cols,
            parent_cols,
        });
    }

    Model { seed, schemas, enums, tables, views, shared_fn, restrict_key }
}

/// `{table}_{cols}_{suffix}`, or `{table}_{suffix}{k}` when that would exceed 63 bytes.
fn obj_name(table: &str, cols: &str, suffix: &str, k: usize) -> String {
    let s = format!("{table}_{cols}_{suffix}");
    if s.len() <= 63 {
        s
    } else {
        format!("{table}_{suffix}{k}")
    }
}

fn default_for(ty: Ty, r: &mut Rng) -> Option<Dflt> {
    Some(match ty {
        Ty::SmallInt | Ty::Int | Ty::BigInt => {
            if r.chance(70) {
                Dflt::Zero
            } else {
                Dflt::One
            }
        }
        Ty::PosInt => Dflt::One,
        Ty::Numeric(..) => Dflt::Zero,
        Ty::Text | Ty::Varchar(_) => Dflt::EmptyText,
        Ty::Bool => {
            if r.chance(50) {
                Dflt::False
            } else {
                Dflt::True
            }
        }
        Ty::Timestamptz => {
            if r.chance(70) {
                Dflt::Now
            } else {
                Dflt::CurrentTimestamp
            }
        }
        Ty::Date => Dflt::CurrentDate,
        Ty::Jsonb => Dflt::EmptyJson,
        Ty::Uuid => Dflt::GenUuid,
        Ty::Enum(_) => Dflt::EnumFirst,
        Ty::TextArr | Ty::IntArr => Dflt::EmptyArray,
    })
}

fn build_table(
    t: &mut Table,
    i: usize,
    r: &mut Rng,
    edges: &[Edge],
    fk_info: &[(String, bool)],
    enum0: &str,
    shared_fn: &mut [bool],
) {
    let col = |name: Cow<'static, str>, ty: Ty, not_null: bool, default: Option<Dflt>, gen: Gen| Column {
        name,
        ty,
        not_null,
        default,
        gen,
    };
    // Key columns.
    match t.kind {
        Kind::Join => {}
        _ => {
            let ty = match t.id {
                IdKind::Serial | IdKind::Identity { big: false, .. } => Ty::Int,
                _ => Ty::BigInt,
            };
            t.cols.push(col("id".into(), ty, true, None, Gen::Id));
            t.pk.push(0);
        }
    }
    if t.kind == Kind::Partitioned {
        t.cols.push(col(
            "created_at".into(),
            Ty::Timestamptz,
            true,
            if r.chance(50) { Some(Dflt::Now) } else { None },
            Gen::PartKey,
        ));
        t.pk.push(1);
    }
    // Foreign-key columns.
    let mut fk_cols = Vec::new();
    for (k, e) in edges.iter().enumerate() {
        let gen = match (t.kind, e.self_ref, k) {
            (_, true, _) => Gen::SelfRef,
            (Kind::Join, _, 0) => Gen::JoinA(e.parent),
            (Kind::Join, _, _) => Gen::JoinB(e.parent),
            _ => Gen::Fk(e.parent),
        };
        let ty = if e.self_ref {
            t.cols[0].ty
        } else if fk_info[k].1 {
            Ty::BigInt
        } else {
            Ty::Int
        };
        fk_cols.push(t.cols.len());
        t.cols.push(col(fk_info[k].0.clone().into(), ty, e.not_null, None, gen));
    }
    if t.kind == Kind::Join {
        t.pk = vec![0, 1];
    }
    // Pool columns.
    let total = match t.kind {
        Kind::Regular => r.range(5, 30) as usize,
        Kind::Partitioned => r.range(5, 12) as usize,
        Kind::Join => r.range(5, 8) as usize,
    };
    let created = t.kind != Kind::Partitioned && (t.kind == Kind::Join || r.chance(60));
    let updated = t.kind == Kind::Regular && (i == 0 || r.chance(35));
    let trailing = usize::from(created) + usize::from(updated);
    let mut used: u64 = 0;
    while t.cols.len() + trailing < total {
        let k = r.below(POOL.len() as u64) as usize;
        if used & (1 << k) != 0 {
            continue;
        }
        used |= 1 << k;
        let (name, ty, gen) = POOL[k];
        let special = !matches!(gen, Gen::Plain | Gen::Prose);
        let not_null = match gen {
            Gen::Name | Gen::Email | Gen::Code | Gen::Sku => r.chance(70),
            _ => r.chance(25),
        };
        let default = if !special && r.chance(30) { default_for(ty, r) } else { None };
        t.cols.push(col(name.into(), ty, not_null, default, gen));
    }
    if created {
        t.cols.push(col("created_at".into(), Ty::Timestamptz, true, Some(Dflt::Now), Gen::CreatedAt));
    }
    if updated {
        t.cols.push(col("updated_at".into(), Ty::Timestamptz, false, Some(Dflt::Now), Gen::Plain));
    }

    // CHECK constraints (inline in CREATE TABLE, as pg_dump prints valid ones); not on
    // partitioned tables, whose partitions are attached separately.
    if t.kind != Kind::Partitioned {
        for c in &t.cols {
            let expr = match (c.name.as_ref(), c.ty) {
                ("quantity", _) if r.chance(50) => "(quantity >= 0)".to_string(),
                ("price" | "amount", _) if r.chance(40) => {
                    format!("({} >= (0)::numeric)", c.name)
                }
                ("name", Ty::Text) if c.not_null && r.chance(30) => "(char_length(name) > 0)".to_string(),
                _ => continue,
            };
            t.checks.push(Check { name: format!("{}_{}_check", t.name, c.name), expr });
        }
    }

    t.checks.sort_by(|a, b| a.name.cmp(&b.name));

    // UNIQUE constraints / unique indexes on the columns whose values derive from the row id.
    let mut k = 0usize;
    if t.kind != Kind::Partitioned {
        for (ci, c) in t.cols.iter().enumerate() {
            if !matches!(c.gen, Gen::Email | Gen::Code | Gen::Sku) {
                continue;
            }
            match r.below(10) {
                0..=3 => t.uniques.push((format!("{}_{}_key", t.name, c.name), ci)),
                4..=6 => {
                    k += 1;
                    t.indexes.push(Index {
                        name: obj_name(&t.name, &c.name, "idx", k),
                        unique: true,
                        method: "btree",
                        keys: qi(&c.name).into_owned(),
                        pred: None,
                        cols_for_name: c.name.to_string(),
                    })
                }
                _ => {}
            }
        }
    }
    // Foreign-key indexes.
    for (n_fk, &ci) in fk_cols.iter().enumerate() {
        let leading_pk = t.kind == Kind::Join && n_fk == 0;
        if leading_pk || !(t.kind == Kind::Join || r.chance(70)) {
            continue;
        }
        k += 1;
        let c = &t.cols[ci];
        t.indexes.push(Index {
            name: obj_name(&t.name, &c.name, "idx", k),
            unique: false,
            method: "btree",
            keys: qi(&c.name).into_owned(),
            pred: None,
            cols_for_name: c.name.to_string(),
        });
    }
    let find = |t: &Table, f: &dyn Fn(&Column) -> bool| t.cols.iter().position(f);
    // Multi-column index.
    if t.kind != Kind::Join && r.chance(20) {
        let lead = find(t, &|c| matches!(c.gen, Gen::Fk(_)) || matches!(c.ty, Ty::Enum(_)));
        let ts = find(t, &|c| matches!(c.gen, Gen::CreatedAt | Gen::PartKey) && c.name == "created_at");
        if let (Some(a), Some(b)) = (lead, ts) {
            k += 1;
            let (an, bn) = (&t.cols[a].name, &t.cols[b].name);
            t.indexes.push(Index {
                name: obj_name(&t.name, &format!("{an}_{bn}"), "idx", k),
                unique: false,
                method: "btree",
                keys: format!("{}, {} DESC", qi(an), qi(bn)),
                pred: None,
                cols_for_name: format!("{an}_{bn}"),
            });
        }
    }
    // Partial index.
    if t.kind == Kind::Regular && (i == 0 || r.chance(15)) {
        let target =
            find(t, &|c| matches!(c.ty, Ty::Int | Ty::BigInt | Ty::Text | Ty::Date) && c.gen != Gen::Id).unwrap_or(0);
        let pred = if find(t, &|c| c.name == "deleted_at").is_some() {
            Some("(deleted_at IS NULL)".to_string())
        } else if let Some(b) = find(t, &|c| c.ty == Ty::Bool) {
            Some(qi(&t.cols[b].name).into_owned())
        } else if let Some(e) = find(t, &|c| c.ty == Ty::Enum(0)) {
            Some(format!("({} = 'paid'::{enum0})", qi(&t.cols[e].name)))
        } else {
            find(t, &|c| !c.not_null).map(|c| format!("({} IS NOT NULL)", qi(&t.cols[c].name)))
        };
        if let Some(pred) = pred {
            k += 1;
            let cn = t.cols[target].name.clone();
            t.indexes.push(Index {
                name: obj_name(&t.name, &cn, "partial_idx", k),
                unique: false,
                method: "btree",
                keys: qi(&cn).into_owned(),
                pred: Some(pred),
                cols_for_name: cn.to_string(),
            });
        }
    }
    // GIN indexes on jsonb and text[].
    for ci in 0..t.cols.len() {
        let c = &t.cols[ci];
        let (p, opclass) = match c.ty {
            Ty::Jsonb => (40, r.chance(30)),
            Ty::TextArr if t.kind != Kind::Partitioned => (30, false),
            _ => continue,
        };
        if !r.chance(p) {
            continue;
        }
        k += 1;
        let q = qi(&c.name);
        t.indexes.push(Index {
            name: obj_name(&t.name, &c.name, "gin", k),
            unique: false,
            method: "gin",
            keys: if opclass { format!("{q} jsonb_path_ops") } else { q.into_owned() },
            pred: None,
            cols_for_name: c.name.to_string(),
        });
    }
    // Foreign keys.
    for (&ci, e) in fk_cols.iter().zip(edges) {
        let on_delete = match (t.kind, e.not_null, r.below(3)) {
            (Kind::Join, _, _) => Some("CASCADE"),
            (_, _, 0) => None,
            (_, _, 1) => Some("CASCADE"),
            (_, true, _) => Some("RESTRICT"),
            (_, false, _) => Some("SET NULL"),
        };
        t.fks.push(Fk {
            name: format!("{}_{}_fkey", t.name, t.cols[ci].name),
            col: ci,
            parent: e.parent,
            on_delete,
            deferrable: e.cycle && r.chance(50),
        });
    }
    // Partitions.
    if t.kind == Kind::Partitioned {
        let parts = r.range(2, 4) as i64;
        if r.chance(50) {
            let y0 = r.range(2021, 2023) as i64;
            for y in y0..y0 + parts {
                t.partitions.push(Partition {
                    name: format!("{}_p{y}", t.name),
                    range: Some((days_from_civil(y, 1, 1), days_from_civil(y + 1, 1, 1))),
                });
            }
        } else {
            let m0 = r.range(1, 9) as i64;
            for m in m0..m0 + parts {
                t.partitions.push(Partition {
                    name: format!("{}_p2024_{m:02}", t.name),
                    range: Some((days_from_civil(2024, m, 1), days_from_civil(2024, m + 1, 1))),
                });
            }
        }
        if r.chance(30) {
            t.partitions.push(Partition { name: format!("{}_default", t.name), range: None });
        }
    }
    // Trigger.
    if updated {
        let own = r.chance(50);
        if !own {
            shared_fn[t.schema] = true;
        }
        t.trigger = Some(Trigger {
            name: format!("{}_updated_at_trg", t.name),
            func: if own { TriggerFn::Own } else { TriggerFn::Shared },
            events: if r.chance(30) { "BEFORE INSERT OR UPDATE" } else { "BEFORE UPDATE" },
        });
    }
    // Comments.
    if r.chance(25) {
        t.comment = Some(if r.chance(30) {
            format!("Each {}'s record; kept for reporting.", t.word.replace('_', " "))
        } else {
            format!("Synthetic {} table #{}", t.word.replace('_', " "), i + 1)
        });
    }
    if r.chance(10) {
        let ci = r.below(t.cols.len() as u64) as usize;
        t.col_comment = Some((ci, format!("Column {} of {}", t.cols[ci].name, t.name)));
    }
}

/// Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's algorithm.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let (y, m) = if m > 12 { (y + 1, m - 12) } else { (y, m) };
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

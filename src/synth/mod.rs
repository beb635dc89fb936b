//! Deterministic synthetic `pg_dump` (PostgreSQL 15, plain format) generator for performance tests
//! (issue 6).
//!
//! The output has the shape, statement forms and object order of real `pg_dump` 15 output:
//! schemas, an extension, enum and domain types, plpgsql trigger functions, tables with
//! `serial`-style sequences (`OWNED BY` + `ALTER … SET DEFAULT nextval`) and identity columns,
//! range-partitioned tables with their partitions and `ATTACH PARTITION`, views over joins,
//! comments and owners; with data, `COPY … FROM stdin` blocks and `setval`; then primary keys and
//! UNIQUE constraints, indexes (multi-column, partial, GIN, `ON ONLY` + `ALTER INDEX … ATTACH
//! PARTITION`), triggers and, last, foreign keys (including cycles).
//!
//! Everything is drawn from a hand-written SplitMix64 stream seeded by [`SynthOptions::seed`], so
//! the same options always give byte-identical output. Objects are owned by `postgres` or by the
//! roles in [`ROLES`], which must exist before the dump is loaded ([`roles_sql`]).

mod data;
mod ddl;
mod model;
mod queries;
mod rng;

use std::io;

pub use model::ROLES;
pub use queries::queries;

/// What to generate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthOptions {
    /// Number of top-level tables (regular, partitioned and join tables; partitions come on top).
    pub tables: usize,
    pub seed: u64,
    /// Emit `COPY` data and `setval` calls (a full dump rather than `pg_dump --schema-only`).
    pub with_data: bool,
    /// Rows per table (with `with_data`).
    pub rows_per_table: usize,
    /// With `with_data`: add rows round-robin across tables until the output is about this size.
    pub target_bytes: Option<usize>,
}

/// Counts of what was generated, for tests and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthStats {
    /// Top-level tables (equals `SynthOptions::tables`).
    pub tables: usize,
    pub partitioned_tables: usize,
    pub join_tables: usize,
    /// Partitions (each is a `CREATE TABLE` and a `TABLE ATTACH`).
    pub partitions: usize,
    /// `CREATE TABLE` statements (tables + partitions).
    pub create_table: usize,
    pub sequences: usize,
    pub identity_columns: usize,
    pub primary_keys: usize,
    pub unique_constraints: usize,
    pub check_constraints: usize,
    pub foreign_keys: usize,
    /// `CREATE [UNIQUE] INDEX` statements, partition indexes included.
    pub indexes: usize,
    pub index_attach: usize,
    pub views: usize,
    pub functions: usize,
    pub triggers: usize,
    pub comments: usize,
    pub copy_blocks: usize,
    pub rows: u64,
    /// SQL statements (`SET`, `CREATE`, `ALTER`, `COMMENT`, `COPY`, `SELECT`), not psql meta-commands.
    pub statements: usize,
    pub bytes: usize,
}

/// `CREATE ROLE` statements for the roles the dump assigns ownership to.
pub fn roles_sql() -> String {
    ROLES.iter().map(|r| format!("CREATE ROLE {r};\n")).collect()
}

/// The whole dump as one string.
pub fn generate(opts: &SynthOptions) -> String {
    generate_with_stats(opts).0
}

/// The dump and what it contains.
pub fn generate_with_stats(opts: &SynthOptions) -> (String, SynthStats) {
    let mut out = Out::new(None, estimate_size(opts));
    let stats = run(opts, &mut out);
    (out.buf, stats)
}

/// Stream the dump to `w` (buffered internally in ~1 MiB pieces); for very large outputs.
pub fn generate_to(w: &mut impl io::Write, opts: &SynthOptions) -> io::Result<SynthStats> {
    let mut out = Out::new(Some(w), FLUSH_AT * 2);
    let stats = run(opts, &mut out);
    out.flush_all()?;
    Ok(stats)
}

fn estimate_size(opts: &SynthOptions) -> usize {
    let schema = 4096 + opts.tables.saturating_mul(3000);
    let data = match (opts.with_data, opts.target_bytes) {
        (false, _) => 0,
        (true, Some(t)) => t,
        (true, None) => opts.tables.saturating_mul(opts.rows_per_table).saturating_mul(300),
    };
    schema.saturating_add(data).min(1 << 34)
}

const FLUSH_AT: usize = 1 << 20;

/// Output buffer: a `String`, optionally drained into a writer at statement boundaries.
pub(crate) struct Out<'w> {
    pub buf: String,
    sink: Option<&'w mut dyn io::Write>,
    flushed: usize,
    err: Option<io::Error>,
    pub stmts: usize,
}

impl<'w> Out<'w> {
    fn new(sink: Option<&'w mut dyn io::Write>, capacity: usize) -> Self {
        Out { buf: String::with_capacity(capacity), sink, flushed: 0, err: None, stmts: 0 }
    }

    /// Bytes produced so far.
    pub fn len(&self) -> usize {
        self.flushed + self.buf.len()
    }

    /// Call between statements / rows: hands the buffer to the writer once it is large.
    pub fn checkpoint(&mut self) {
        if self.buf.len() >= FLUSH_AT && self.sink.is_some() {
            self.drain();
        }
    }

    fn drain(&mut self) {
        if let Some(w) = self.sink.as_mut() {
            if self.err.is_none() {
                if let Err(e) = w.write_all(self.buf.as_bytes()) {
                    self.err = Some(e);
                }
            }
            self.flushed += self.buf.len();
            self.buf.clear();
        }
    }

    fn flush_all(&mut self) -> io::Result<()> {
        self.drain();
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        if let Some(w) = self.sink.as_mut() {
            w.flush()?;
        }
        Ok(())
    }
}

impl std::fmt::Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.push_str(s);
        Ok(())
    }
}

fn run(opts: &SynthOptions, out: &mut Out<'_>) -> SynthStats {
    let m = model::build(opts);
    let mut st = SynthStats { tables: m.tables.len(), ..SynthStats::default() };
    ddl::header(out, &m);
    ddl::pre_data(out, &m, &mut st);
    if opts.with_data {
        // The post-data section is printed first into its own buffer so that its size is known
        // when `target_bytes` decides how many rows fit.
        let mut post = Out::new(None, m.tables.len() * 1200);
        ddl::post_data(&mut post, &m, &mut st);
        ddl::footer(&mut post, &m);
        let counts = ddl::row_counts(&m, opts, out.len() + post.len());
        ddl::data(out, &m, &counts, &mut st);
        out.stmts += post.stmts;
        out.buf.push_str(&post.buf);
    } else {
        ddl::post_data(out, &m, &mut st);
        ddl::footer(out, &m);
    }
    out.checkpoint();
    st.statements = out.stmts;
    st.bytes = out.len();
    st
}

//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "pg2znb", version, about = "Compile PostgreSQL schemas and application SQL for ZNbaseDB")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// `--threads` of the subcommands that run the pipeline on several threads.
    pub fn threads(&self) -> Option<usize> {
        match &self.command {
            Command::Compile(a) => a.threads.threads,
            Command::Lint(a) => a.threads.threads,
            Command::Bench(a) => a.threads.threads,
            Command::BenchRun(a) => a.threads.threads,
            _ => None,
        }
    }
}

/// `--threads`, on the subcommands where it does something (compile, lint, bench).
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct ThreadsArgs {
    /// Worker threads for parsing, lowering and rule evaluation (default: all cores). Output does
    /// not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile pg_dump output, Rails structure.sql or DDL scripts into loadable ZNbaseDB scripts.
    Compile(CompileArgs),
    /// Work with rule packs.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Check application SQL (files, directories, a pg_stat_statements export) for constructs
    /// ZNbaseDB does not support.
    Lint(LintArgs),
    /// Compare a live target database with the source over the PostgreSQL wire protocol.
    Verify(VerifyArgs),
    /// Run one compiled script (pre-data.sql, data.sql, post-data.sql) against a target, statement by
    /// statement, recording each in the target's `pg2znb` schema, so a re-run continues after the last
    /// applied statement.
    Apply(ApplyArgs),
    /// Move a PostgreSQL database to a target: export a snapshot, dump and compile its schema, apply
    /// pre-data, copy every table in the snapshot, set sequences, apply post-data, verify with row
    /// checksums. Each step's state is kept in WORKDIR/status.json; a re-run continues where a
    /// stopped one left off. `pg2znb migrate status -w WORKDIR` shows the steps.
    Migrate(MigrateArgs),
    /// Write every table of a source database to one file each (CSV or COPY text), all read in one
    /// exported snapshot, with DIR/export.json describing tables, columns, files, rows and checksums.
    Export(ExportArgs),
    /// Load an export directory, or one CSV/text file into one table (--table, --file), into a target
    /// in batches, each committed with its record in the target's pg2znb.imported: a re-run skips
    /// what is loaded.
    Import(ImportArgs),
    /// Measure compile and lint against the parser's own floor (time, throughput, peak memory).
    Bench(BenchArgs),
    /// Write a deterministic synthetic pg_dump (the benchmark's schemas) to a file.
    Synth(SynthArgs),
    /// One measurement of `bench`, run in a child process.
    #[command(hide = true)]
    BenchRun(BenchRunArgs),
    /// Print a rule's documentation (what it detects, why, before/after), or what a diagnostic
    /// code such as E102 means and what to do.
    Explain {
        /// A rule code (ZN101) or id (inline-primary-key), or a diagnostic code (E002).
        code: String,
        /// Extra rule directories (user rule packs), for their rules' codes.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules: id, code, kind, severity, fix safety, version where lifted.
    List {
        /// Extra rule directories (user rule packs) to list with the built-in rules.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// human (a table) or json.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run every rule's cases/ against its snapshots/; exit 1 on any failure.
    Test {
        /// A rule pack directory (default: ./rules). Without its own targets.yaml it is tested
        /// on top of the built-in rules.
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Write new and changed snapshots and remove those whose case is gone.
        #[arg(long)]
        update: bool,
    },
    /// Print docs/rules.md (Markdown generated from the rule files) to standard output.
    Docs {
        /// Extra rule directories (user rule packs) to document with the built-in rules.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct CompileArgs {
    /// Input files, directories (every .sql below) or `-` for standard input.
    #[arg(required = true, value_name = "FILE|DIR|-")]
    pub inputs: Vec<PathBuf>,
    /// Output directory for pre-data.sql, data.sql, post-data.sql, report.json, manifest.json.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// What to create after the data: any of fks,checks,uniques,triggers,indexes, or `none`
    /// alone. Default: fks,checks,uniques,triggers.
    #[arg(long, value_name = "LIST")]
    pub defer: Option<String>,
    /// ZNbaseDB version to compile for, as the release names it (2.20, 2024.2.1, 2.20.3.0-b51: the
    /// newest known version not after it is used; see rules/targets.yaml), or `auto` to ask the
    /// --target server. Default: 2.6.
    #[arg(long = "target-version", value_name = "VERSION")]
    pub target_version: Option<String>,
    /// A live target (libpq URL or key=value string) whose `select version()` sets the target
    /// version; implies --target-version auto.
    #[arg(long = "target", value_name = "URL")]
    pub target: Option<String>,
    /// Extra rule directories (user rule packs).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Run only these rules (codes or ids, repeatable).
    #[arg(long, value_name = "CODE")]
    pub select: Vec<String>,
    /// Skip these rules (codes or ids, repeatable).
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Also apply rewrites that change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Leave out ALTER … OWNER TO statements (as pg_restore --no-owner).
    #[arg(long)]
    pub no_owner: bool,
    /// Leave out GRANT, REVOKE and ALTER DEFAULT PRIVILEGES (as pg_restore --no-privileges).
    #[arg(long)]
    pub no_privileges: bool,
    /// Write ZNbaseDB's explicit HASH/ASC primary-key syntax where the sharding advice applies.
    #[arg(long)]
    pub shard_hints: bool,
    /// Keep pg_dump's `\restrict KEY` / `\unrestrict KEY` framing in every script (only psql
    /// 13.22, 14.19, 15.14, 16.10, 17.6 and later run it; ysqlsh and older psql stop at it).
    #[arg(long)]
    pub psql_restrict: bool,
    /// Overwrite a non-empty output directory that pg2znb did not create.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub shown: ShownArgs,
    #[command(flatten)]
    pub threads: ThreadsArgs,
    /// Name shown for standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// How findings are printed: human (code frames and a summary on stderr), json, sarif or
    /// github (stdout). Default: the config file's `format`, else github under GitHub Actions,
    /// else human.
    #[arg(long, value_enum)]
    pub format: Option<pg2znb::render::format::Format>,
    /// Read settings from this file instead of the pg2znb.toml found from the working directory up.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no pg2znb.toml.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Query files, directories (every .sql below) or `-` for standard input.
    #[arg(value_name = "FILE|DIR|-", required_unless_present = "pgss")]
    pub inputs: Vec<PathBuf>,
    /// A pg_stat_statements export: CSV with a `query` column (and `calls`), or JSON lines.
    #[arg(long, value_name = "FILE")]
    pub pgss: Option<PathBuf>,
    /// human, json, sarif or github. Default: the config file's `format`, else github under
    /// GitHub Actions, else human.
    #[arg(long, value_enum)]
    pub format: Option<pg2znb::render::format::Format>,
    /// Write the findings to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Apply safe fixes to the input files (with --unsafe-fixes, unsafe ones too), and print each
    /// change.
    #[arg(long)]
    pub fix: bool,
    #[command(flatten)]
    pub shown: ShownArgs,
    /// With --fix, also apply fixes that may change behaviour (otherwise they are reported with the
    /// fix described).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// ZNbaseDB version to check against, as the release names it (2.20, 2024.2.1,
    /// 2.20.3.0-b51), or `auto` to ask the --target server. Default: 2.6.
    #[arg(long = "target-version", value_name = "VERSION")]
    pub target_version: Option<String>,
    /// A live target whose `select version()` sets the target version (implies `auto`).
    #[arg(long = "target", value_name = "URL")]
    pub target: Option<String>,
    /// Extra rule directories (user rule packs; repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Run only these rules (codes or ids, repeatable).
    #[arg(long, value_name = "CODE")]
    pub select: Vec<String>,
    /// Skip these rules (codes or ids, repeatable).
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Name shown for standard input (`-`) in findings.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Read settings from this file instead of the pg2znb.toml found from the working directory up.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no pg2znb.toml.
    #[arg(long)]
    pub no_config: bool,
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

/// What human output shows (the other formats always hold every finding).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ShownArgs {
    /// Human output: show every error and warning (by default it stops after 50 and says how
    /// many more there are).
    #[arg(long)]
    pub show_all: bool,
    /// Show info findings too: in human output (by default only counted), SARIF and GitHub
    /// annotations (by default errors and warnings only). JSON always has them.
    #[arg(long)]
    pub show_info: bool,
}

impl ShownArgs {
    /// Findings shown on a terminal by default.
    pub const LIMIT: usize = 50;

    pub fn limit(&self) -> Option<usize> {
        (!self.show_all).then_some(Self::LIMIT)
    }
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Source database URL (postgresql://user@host:port/db or key=value string).
    #[arg(long, value_name = "URL")]
    pub source: String,
    /// Target database URL.
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// The compile manifest: differences pg2znb introduced on purpose are expected.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Only these schemas (repeatable; default: every non-system schema).
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Rows: none, estimate (catalog statistics), exact (count(*) per table) or checksum (count and
    /// an order-independent hash of every row's text per table, comparable across PostgreSQL 11 and 15).
    #[arg(long, value_name = "MODE", default_value = "none")]
    pub rows: String,
    /// Read the source's rows in this exported snapshot (the id `SELECT pg_export_snapshot()` returned
    /// in a transaction that is still open): as of that instant, whatever was written since.
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<String>,
    /// human (a report on stdout) or json.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// The script to run (as `compile` wrote it). Its file name and content (sha256) identify it in
    /// the target's records.
    #[arg(value_name = "SCRIPT")]
    pub script: PathBuf,
    /// Target database URL (postgresql://user@host:port/db or key=value string; TLS and PGPASSWORD as
    /// for verify).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// Record a failing statement in pg2znb.failed and go on with the next one (exit 1 at the end)
    /// instead of stopping at it.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Tries per statement when the error is transient (connection lost, serialization failure,
    /// deadlock, server shutdown); each retry reconnects and replays the session settings.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub tries: u32,
    /// human (summary line on stderr) or json (the report on stdout, summary still on stderr).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Schema files or directories to measure (each argument is one input).
    #[arg(value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// Measure the schema files and query directories of this corpus (e.g. ../shared/corpus).
    #[arg(long, value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Synthetic pg_dump schemas with these numbers of tables, e.g. `1000,10000,100000` or `1k,10k`.
    #[arg(long, value_name = "N,…")]
    pub synth: Option<String>,
    /// Size of the synthetic query set measured with lint (0: none).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub queries: usize,
    /// Query files or directories to measure with lint.
    #[arg(long, value_name = "FILE|DIR")]
    pub lint: Vec<PathBuf>,
    /// Runs per measurement; the median is reported.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub repeat: usize,
    /// Seed of the synthetic inputs.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// human (tables on stdout) or json.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the JSON report to this file.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchMode {
    Floor,
    Compile,
    Lint,
}

#[derive(clap::Args, Debug)]
pub struct BenchRunArgs {
    /// What to run: the parser alone (floor), compile or lint.
    #[arg(long, value_enum)]
    pub mode: BenchMode,
    /// The input files of the measurement.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub threads: ThreadsArgs,
}

#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Number of tables.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub tables: usize,
    /// Seed of the generator: the same seed writes the same file.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// A full dump with COPY data, of about this many MB (default: schema only).
    #[arg(long, value_name = "MB")]
    pub data_mb: Option<usize>,
    /// Instead of a schema, this many application queries (the lint benchmark's query set).
    #[arg(long, value_name = "N", conflicts_with = "data_mb")]
    pub queries: Option<usize>,
    /// The file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: Option<MigrateCommand>,
    /// Source PostgreSQL database URL (postgresql://user@host:port/db or key=value string; TLS and
    /// PGPASSWORD as for verify). pg_dump gets the password through PGPASSWORD, never its command line.
    #[arg(long, value_name = "URL", required = true)]
    pub source: Option<String>,
    /// Target database URL (as for --source); pg2znb keeps its records in the target's pg2znb schema.
    #[arg(long, value_name = "URL", required = true)]
    pub target: Option<String>,
    /// Work directory: status.json, schema.sql (pg_dump's output) and compiled/ (the compiled
    /// scripts, manifest.json and report.json). Created when missing; reuse it to resume.
    #[arg(short = 'w', long = "workdir", value_name = "DIR", required = true)]
    pub workdir: Option<PathBuf>,
    /// Ranges copied in parallel, each worker with its own source and target connection (spread
    /// round-robin over the hosts of a multi-host target, or a ZNbaseDB target's nodes).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// Split tables into ranges of about this many rows (estimated from pg_class.reltuples: run
    /// ANALYZE on the source first). Ranges go by a single-column integer key, else by ctid pages.
    #[arg(long = "split-rows", value_name = "N")]
    pub split_rows: Option<u64>,
    /// Split tables into ranges of at most this many MB of the table (pg_relation_size); 0: by
    /// size never.
    #[arg(long = "split-mb", value_name = "MB", default_value_t = 256)]
    pub split_mb: u64,
    /// When the target rejects a range's rows (SQLSTATE class 22 or 23): abort (name the table,
    /// range and message; nothing of the range commits) or stash (its rows and the message go to
    /// WORKDIR/errors/, the copy goes on).
    #[arg(long = "on-error", value_enum, default_value_t = OnErrorArg::Abort)]
    pub on_error: OnErrorArg,
    /// Share the copy of a migration that another pg2znb migrate (without --join) runs on the same
    /// target: take pending ranges from its plan in the target until none is left, then stop.
    #[arg(long)]
    pub join: bool,
    /// With --join: the source snapshot to read in (default: the one the first process recorded
    /// in the target, which it holds while it copies).
    #[arg(long, value_name = "ID", requires = "join")]
    pub snapshot: Option<String>,
    /// The ZNbaseDB version to compile the schema for (default `auto`: read from the target's
    /// `select version()`); refused when its PostgreSQL base is not the target server's.
    #[arg(long = "target-version", value_name = "VERSION")]
    pub target_version: Option<String>,
    /// Object categories to move from pre-data.sql to post-data.sql (comma-separated, as for compile).
    #[arg(long, value_name = "LIST")]
    pub defer: Option<String>,
    /// Extra rule directories (user rule packs) for the schema's compile.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Only these rules (codes or ids) for the schema's compile; repeatable.
    #[arg(long, value_name = "CODE")]
    pub select: Vec<String>,
    /// Skip these rules (codes or ids) for the schema's compile; repeatable.
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Apply fixes marked unsafe too, as for compile.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Leave out ownership (ALTER … OWNER TO) from the compiled scripts.
    #[arg(long)]
    pub no_owner: bool,
    /// Leave out privileges (GRANT, REVOKE) from the compiled scripts.
    #[arg(long)]
    pub no_privileges: bool,
    /// human (progress and the verify summary) or json (the verify report on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The pg_dump program that reads the source's schema (default: pg_dump on PATH); it must be
    /// at least as new as the source server.
    #[arg(long = "pg-dump", value_name = "PATH")]
    pub pg_dump: Option<PathBuf>,
    /// Finalize: record a failing post-data statement (statement, SQLSTATE, message) and go on
    /// with everything that does not need it; the exit code is still non-zero.
    #[arg(long)]
    pub continue_on_error: bool,
}

/// COPY's data format, for export and import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// CSV (export writes a header line).
    Csv,
    /// PostgreSQL's COPY text format (tab-separated, `\N` for NULL).
    Text,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Source PostgreSQL database URL (postgresql://user@host:port/db or key=value string; TLS and
    /// PGPASSWORD as for verify). A role that can only SELECT is enough; nothing is written to it.
    #[arg(long, value_name = "URL")]
    pub source: String,
    /// The export directory: one file per table and export.json. Created when missing; it must be
    /// empty unless it holds an earlier export and --resume is given.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Tables written in parallel, each on its own source connection in the shared snapshot.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// File format: csv (with a header line) or text (COPY's own format).
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    pub format: DataFormat,
    /// Keep the finished files of an earlier export in DIR and export the rest (unfinished .part
    /// files are redone) in a new snapshot; each table records the snapshot it was read in.
    #[arg(long)]
    pub resume: bool,
    /// Write tables bigger than this many rows (estimated from pg_class.reltuples: ANALYZE the
    /// source first) as several files, one per range (by a single-column integer key, else by
    /// ctid pages), exported in parallel.
    #[arg(long = "split-rows", value_name = "N")]
    pub split_rows: Option<u64>,
    /// Write tables bigger than this many MB as several files of at most about this size; 0: by
    /// size never.
    #[arg(long = "split-mb", value_name = "MB", default_value_t = 256)]
    pub split_mb: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
/// `migrate --on-error` and `import --on-error`.
pub enum OnErrorArg {
    /// Stop at the first range or batch the target rejects for its data (exit 2).
    Abort,
    /// Write the rejected rows and the server's message under the errors directory, load the rest,
    /// and print the command that replays them.
    Stash,
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// An export directory (written by pg2znb export). Leave it out to import one file with
    /// --table and --file.
    #[arg(value_name = "DIR", required_unless_present = "file", conflicts_with_all = ["file", "table"])]
    pub dir: Option<PathBuf>,
    /// Target database URL (postgresql://user@host:port/db or key=value string; TLS and PGPASSWORD as
    /// for verify). The tables must exist (pg2znb apply pre-data.sql first).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// The table to load --file into, named as SQL does (schema.table, quoted where needed).
    #[arg(long, value_name = "TABLE", requires = "file")]
    pub table: Option<String>,
    /// A data file to load into --table, in --format (its columns in the table's order).
    #[arg(long, value_name = "FILE", requires = "table")]
    pub file: Option<PathBuf>,
    /// --file starts with a header line (skipped).
    #[arg(long, requires = "file")]
    pub header: bool,
    /// --file's field delimiter (one character; default `,` for csv, tab for text).
    #[arg(long, value_name = "C", requires = "file")]
    pub delimiter: Option<char>,
    /// --file's NULL marker (default: an unquoted empty field for csv, `\N` for text).
    #[arg(long, value_name = "S", requires = "file")]
    pub null: Option<String>,
    /// --file's format: csv or text (COPY's own format).
    #[arg(long, value_enum, default_value_t = DataFormat::Csv)]
    pub format: DataFormat,
    /// Batches loaded in parallel, each on its own target connection.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// Most rows in one batch (one target transaction).
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub batch_rows: u64,
    /// Most bytes in one batch, e.g. 200MiB, 64MB, 1048576 (a longer single row is a batch alone).
    #[arg(long, value_name = "B", default_value = "200MiB")]
    pub batch_bytes: String,
    /// A batch the target rejects for its data (SQLSTATE class 22 or 23): abort or stash.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Abort)]
    pub on_error: OnErrorArg,
    /// Where stashed batches go (default: DIR/errors for an export directory, ./errors for --file).
    #[arg(long, value_name = "DIR")]
    pub errors_dir: Option<PathBuf>,
    /// Tries per batch when the error is transient (connection lost, serialization failure,
    /// deadlock, server shutdown); each retry reconnects.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub tries: u32,
}

/// `200MiB`, `64MB`, `10k`, `1048576` → bytes.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 =
        num.parse().map_err(|_| format!("`{s}` is not a size: write a number of bytes, e.g. 200MiB or 1048576"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => return Err(format!("`{other}` is not a size unit: use B, KB, KiB, MB, MiB, GB or GiB")),
    };
    n.checked_mul(mult).filter(|&b| b > 0).ok_or_else(|| format!("`{s}`: the size must be above 0 and below 16 EiB"))
}

#[derive(Subcommand, Debug)]
pub enum MigrateCommand {
    /// Print WORKDIR/status.json as a table: each step, its state, seconds and what it did.
    Status {
        /// The work directory of a migrate run.
        #[arg(short = 'w', long = "workdir", value_name = "DIR")]
        workdir: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every subcommand, with its path (`rules test`), hidden ones included.
    fn all_commands() -> Vec<(String, clap::Command)> {
        let mut out = Vec::new();
        let mut stack = vec![(String::from("pg2znb"), Cli::command())];
        while let Some((path, cmd)) = stack.pop() {
            for sub in cmd.get_subcommands() {
                stack.push((format!("{path} {}", sub.get_name()), sub.clone()));
            }
            out.push((path, cmd));
        }
        out
    }

    #[test]
    fn every_flag_of_every_subcommand_has_help() {
        Cli::command().debug_assert();
        let mut blank = Vec::new();
        for (path, cmd) in all_commands() {
            if cmd.get_about().is_none() && path != "pg2znb" {
                blank.push(format!("{path} (the subcommand)"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                    blank.push(format!("{path} {}", arg.get_long().map(|l| format!("--{l}")).unwrap_or(id.into())));
                }
            }
        }
        assert!(blank.is_empty(), "without help text: {blank:#?}");
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("200MiB"), Ok(200 << 20));
        assert_eq!(parse_bytes("64MB"), Ok(64_000_000));
        assert_eq!(parse_bytes("1048576"), Ok(1 << 20));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("12 parsecs").unwrap_err().contains("size unit"));
    }

    #[test]
    fn threads_is_an_option_only_where_it_works() {
        for (path, cmd) in all_commands() {
            let has = cmd.get_arguments().any(|a| a.get_long() == Some("threads"));
            let should = ["pg2znb compile", "pg2znb lint", "pg2znb bench", "pg2znb bench-run"].contains(&path.as_str());
            assert_eq!(has, should, "{path}: --threads");
        }
        let cli = Cli::try_parse_from(["pg2znb", "compile", "x.sql", "-o", "out", "--threads", "3"]).unwrap();
        assert_eq!(cli.threads(), Some(3));
        assert!(Cli::try_parse_from(["pg2znb", "explain", "ZN101", "--threads", "3"]).is_err());
    }
}

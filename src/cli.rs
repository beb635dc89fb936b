//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "pg2znb", version, about = "Compile PostgreSQL schemas and application SQL for ZNbaseDB")]
pub struct Cli {
    /// Worker threads for parsing, lowering and rule evaluation (default: all cores). Output does not
    /// depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    #[command(subcommand)]
    pub command: Command,
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
    /// Measure compile and lint against the parser's own floor (time, throughput, peak memory).
    Bench(BenchArgs),
    /// Write a deterministic synthetic pg_dump (the benchmark's schemas) to a file.
    Synth(SynthArgs),
    /// One measurement of `bench`, run in a child process.
    #[command(hide = true)]
    BenchRun(BenchRunArgs),
    /// Print a rule's documentation: what it detects, why, and before/after.
    Explain {
        /// A rule code (ZN101) or id (inline-primary-key).
        code: String,
        /// Extra rule directories.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the rules: id, code, kind, severity, fix safety, version where lifted.
    List {
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
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
    /// What to create after the data: any of fks,checks,uniques,triggers,indexes, or `none`.
    /// Default: fks,checks,uniques,triggers.
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
    /// Apply safe fixes to the input files (with --unsafe-fixes, unsafe ones too).
    #[arg(long)]
    pub fix: bool,
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// ZNbaseDB version to check against, as the release names it (2.20, 2024.2.1,
    /// 2.20.3.0-b51), or `auto` to ask the --target server. Default: 2.6.
    #[arg(long = "target-version", value_name = "VERSION")]
    pub target_version: Option<String>,
    /// A live target whose `select version()` sets the target version (implies `auto`).
    #[arg(long = "target", value_name = "URL")]
    pub target: Option<String>,
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    #[arg(long, value_name = "CODE")]
    pub select: Vec<String>,
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub no_config: bool,
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchMode {
    Floor,
    Compile,
    Lint,
}

#[derive(clap::Args, Debug)]
pub struct BenchRunArgs {
    #[arg(long, value_enum)]
    pub mode: BenchMode,
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Number of tables.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub tables: usize,
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// A full dump with COPY data, of about this many MB (default: schema only).
    #[arg(long, value_name = "MB")]
    pub data_mb: Option<usize>,
    /// Instead of a schema, this many application queries (the lint benchmark's query set).
    #[arg(long, value_name = "N", conflicts_with = "data_mb")]
    pub queries: Option<usize>,
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

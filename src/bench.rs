//! `pg2znb bench`: compile and lint speed measured against the parser's own floor (issue 6).
//!
//! Every measurement runs in a child process of this binary (`pg2znb bench-run`, hidden), so its
//! peak memory (the child's `VmHWM`) is its own and one measurement cannot warm the next. Inputs
//! are read before the clock starts; the floor is scanning plus `pg_query` parsing of every
//! statement (`compile::parse_floor`: the same chunked, parallel parsing compile does, trees
//! dropped at once); compile is the whole
//! pipeline with every built-in rule, including printing the scripts and both JSON files (to a
//! sink, so the disk is not measured). Lint is measured the same way on a query set, against the
//! floor of those queries.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use pg2znb::compile::{self, StageTimes};
use pg2znb::emit::ScriptKind;
use pg2znb::lint::{self, LintOptions};
use pg2znb::rules::{ApplyOptions, DeferCategory, RulePack};
use pg2znb::synth::{self, SynthOptions};

use crate::cli::{BenchArgs, BenchMode, BenchRunArgs, Format, SynthArgs};

/// Schema files of `../shared/corpus` measured by `--corpus` (those present are used).
const CORPUS_SCHEMAS: &[&str] = &[
    "pagila/pagila-schema.sql",
    "pgdump15-generated/pagila-full-pgdump15.sql",
    "dvdrental/restore.sql",
    "chinook/Chinook_PostgreSql.sql",
    "northwind/northwind.sql",
    "adventureworks/install.sql",
    "danbooru/structure.sql",
    "openstreetmap-website/structure.sql",
    "coder/dump.sql",
];
/// Query directories of the corpus measured with `lint`.
const CORPUS_QUERIES: &[&str] = &["job-imdb-queries/queries", "coder/queries"];

/// Targets from issue 6, checked on every run.
const MAX_RATIO: f64 = 1.5;
const MAX_SCALING: f64 = 12.0;
const MAX_RSS_PER_INPUT: f64 = 10.0;

/// What one child measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sample {
    pub wall_ns: u64,
    pub statements: usize,
    pub bytes: usize,
    /// Peak resident memory of the child, bytes (0 where `/proc` is absent).
    pub peak_rss: u64,
    /// Compile only: per-stage wall times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<StagesMs>,
}

/// Compile's stage times, milliseconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StagesMs {
    pub scan: f64,
    pub parse_lower: f64,
    pub rules: f64,
    pub check: f64,
    pub order: f64,
    pub report: f64,
    pub manifest: f64,
    /// Printing the scripts and serialising report.json and manifest.json.
    pub emit: f64,
}

impl StagesMs {
    fn new(t: &StageTimes, emit: Duration) -> StagesMs {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        StagesMs {
            scan: ms(t.scan),
            parse_lower: ms(t.parse_lower),
            rules: ms(t.rules),
            check: ms(t.check),
            order: ms(t.order),
            report: ms(t.report),
            manifest: ms(t.manifest),
            emit: ms(emit),
        }
    }
}

/// `pg2znb bench-run`: one measurement in this process; prints a [`Sample`] as JSON.
pub fn run_child(args: BenchRunArgs) -> Result<u8> {
    let files = crate::read_inputs(&args.inputs, None)?;
    let bytes = files.iter().map(|f| f.text.len()).sum();
    let pack = RulePack::builtin()?;
    let opts = ApplyOptions {
        target: pack.targets.default.clone(),
        defer: DeferCategory::DEFAULT.into_iter().collect(),
        ..ApplyOptions::default()
    };
    let start = Instant::now();
    let (statements, stages) = match args.mode {
        BenchMode::Floor => (compile::parse_floor(&files), None),
        BenchMode::Compile => {
            let c = compile::compile_unemitted(files, &pack, &opts);
            let emit_start = Instant::now();
            let emitter = c.emitter();
            let mut sink = io::sink();
            for kind in ScriptKind::ALL {
                if emitter.has(kind) {
                    emitter.write(kind, &mut sink)?;
                }
            }
            serde_json::to_writer_pretty(&mut sink, &c.report)?;
            serde_json::to_writer_pretty(&mut sink, &c.manifest)?;
            let statements = c.ir.stmts.iter().filter(|s| s.piece == pg2znb::scan::PieceKind::Statement).count();
            (statements, Some(StagesMs::new(&c.times, emit_start.elapsed())))
        }
        BenchMode::Lint => {
            let r = lint::lint(files, Vec::new(), &pack, &LintOptions { apply: opts, fix: false });
            let findings = pg2znb::render::format::Findings::new(&r.diagnostics, &r.files, &pack);
            io::sink().write_all(pg2znb::render::json::render(&findings).as_bytes())?;
            (r.statements, None)
        }
    };
    let wall = start.elapsed();
    let sample = Sample { wall_ns: wall.as_nanos() as u64, statements, bytes, peak_rss: peak_rss(), stages };
    println!("{}", serde_json::to_string(&sample)?);
    Ok(0)
}

/// `pg2znb synth`: the benchmark's synthetic inputs, for profiling and for users' own runs.
pub fn synth(args: SynthArgs) -> Result<u8> {
    let file = std::fs::File::create(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let mut w = io::BufWriter::new(file);
    if let Some(n) = args.queries {
        w.write_all(synth::queries(n, args.seed).as_bytes())?;
    } else {
        let opts = SynthOptions {
            tables: args.tables,
            seed: args.seed,
            with_data: args.data_mb.is_some(),
            rows_per_table: 0,
            target_bytes: args.data_mb.map(|mb| mb << 20),
        };
        synth::generate_to(&mut w, &opts)?;
    }
    w.flush()?;
    Ok(0)
}

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// One measured input.
#[derive(Clone, Debug)]
struct Input {
    name: String,
    paths: Vec<PathBuf>,
    /// Synthetic schema with this many tables.
    tables: Option<usize>,
}

/// The median-time sample of a mode, with the largest peak memory seen over the repeats.
#[derive(Clone, Debug, Serialize)]
pub struct Measured {
    pub wall_ms: f64,
    pub peak_rss: u64,
    pub runs: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages_ms: Option<StagesMs>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SchemaRow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<usize>,
    pub bytes: usize,
    pub statements: usize,
    pub floor: Measured,
    pub compile: Measured,
    /// compile / floor wall time.
    pub ratio: f64,
    pub mb_per_s: f64,
    pub statements_per_s: f64,
    /// Peak memory of compile / input size.
    pub rss_per_input: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LintRow {
    pub name: String,
    pub bytes: usize,
    pub statements: usize,
    pub floor: Measured,
    pub lint: Measured,
    pub ratio: f64,
    pub statements_per_s: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    pub from: String,
    pub to: String,
    /// Tables ratio (to / from).
    pub size: f64,
    pub time: f64,
    pub memory: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub name: String,
    pub value: f64,
    pub limit: f64,
    pub met: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub format: u32,
    pub tool: String,
    pub machine: Machine,
    pub repeat: usize,
    pub schemas: Vec<SchemaRow>,
    pub lint: Vec<LintRow>,
    pub scaling: Vec<Scaling>,
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub threads: Option<usize>,
    pub os: String,
}

/// Removes the synthetic inputs when the run ends, however it ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: BenchArgs, threads: Option<usize>) -> Result<u8> {
    let tmp = TempDir(std::env::temp_dir().join(format!("pg2znb-bench-{}", std::process::id())));
    std::fs::create_dir_all(&tmp.0).with_context(|| format!("creating {}", tmp.0.display()))?;
    let mut schemas: Vec<Input> = Vec::new();
    let mut queries: Vec<Input> = Vec::new();
    for p in &args.inputs {
        if !p.exists() {
            bail!("{}: no such file or directory", p.display());
        }
        schemas.push(Input { name: p.display().to_string(), paths: vec![p.clone()], tables: None });
    }
    if let Some(dir) = &args.corpus {
        if !dir.is_dir() {
            bail!("--corpus {}: no such directory", dir.display());
        }
        for rel in CORPUS_SCHEMAS {
            let p = dir.join(rel);
            if p.is_file() {
                schemas.push(Input { name: (*rel).to_string(), paths: vec![p], tables: None });
            }
        }
        for rel in CORPUS_QUERIES {
            let p = dir.join(rel);
            if p.is_dir() {
                queries.push(Input { name: (*rel).to_string(), paths: vec![p], tables: None });
            }
        }
    }
    for n in parse_list(&args.synth)? {
        let path = tmp.0.join(format!("synth-{n}.sql"));
        let mut w = io::BufWriter::new(std::fs::File::create(&path)?);
        synth::generate_to(&mut w, &SynthOptions { tables: n, seed: args.seed, ..SynthOptions::default() })?;
        w.flush()?;
        schemas.push(Input { name: format!("synthetic {n} tables"), paths: vec![path], tables: Some(n) });
    }
    if args.queries > 0 {
        let path = tmp.0.join(format!("queries-{}.sql", args.queries));
        std::fs::write(&path, synth::queries(args.queries, args.seed))?;
        queries.push(Input { name: format!("synthetic {} queries", args.queries), paths: vec![path], tables: None });
    }
    for p in &args.lint {
        queries.push(Input { name: p.display().to_string(), paths: vec![p.clone()], tables: None });
    }
    if schemas.is_empty() && queries.is_empty() {
        bail!("nothing to measure: give schema files, --corpus DIR, --synth N,… or --queries N");
    }

    let runner = Runner { threads, repeat: args.repeat.max(1) };
    let mut schema_rows = Vec::new();
    for input in &schemas {
        let floor = runner.measure(input, BenchMode::Floor)?;
        let compile = runner.measure(input, BenchMode::Compile)?;
        let (bytes, statements) = (compile.0.bytes, compile.0.statements);
        let secs = compile.1.wall_ms / 1000.0;
        schema_rows.push(SchemaRow {
            name: input.name.clone(),
            tables: input.tables,
            bytes,
            statements,
            ratio: compile.1.wall_ms / floor.1.wall_ms.max(1e-6),
            mb_per_s: bytes as f64 / 1e6 / secs.max(1e-9),
            statements_per_s: statements as f64 / secs.max(1e-9),
            rss_per_input: compile.1.peak_rss as f64 / bytes.max(1) as f64,
            floor: floor.1,
            compile: compile.1,
        });
        if args.format == Format::Human {
            eprintln!("bench: {} measured", input.name);
        }
    }
    let mut lint_rows = Vec::new();
    for input in &queries {
        let floor = runner.measure(input, BenchMode::Floor)?;
        let lint = runner.measure(input, BenchMode::Lint)?;
        let secs = lint.1.wall_ms / 1000.0;
        lint_rows.push(LintRow {
            name: input.name.clone(),
            bytes: lint.0.bytes,
            statements: lint.0.statements,
            ratio: lint.1.wall_ms / floor.1.wall_ms.max(1e-6),
            statements_per_s: lint.0.statements as f64 / secs.max(1e-9),
            floor: floor.1,
            lint: lint.1,
        });
        if args.format == Format::Human {
            eprintln!("bench: {} measured", input.name);
        }
    }
    let report = BenchReport {
        format: 1,
        tool: format!("pg2znb {}", env!("CARGO_PKG_VERSION")),
        machine: machine(threads),
        repeat: runner.repeat,
        scaling: scaling(&schema_rows),
        targets: targets(&schema_rows),
        schemas: schema_rows,
        lint: lint_rows,
    };
    let json = serde_json::to_string_pretty(&report)? + "\n";
    if let Some(path) = &args.output {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    match args.format {
        Format::Json => print!("{json}"),
        Format::Human => print!("{}", render(&report)),
    }
    Ok(0)
}

fn parse_list(list: &Option<String>) -> Result<Vec<usize>> {
    let Some(list) = list else { return Ok(Vec::new()) };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (num, mult) = match s.strip_suffix(['k', 'K']) {
                Some(n) => (n, 1000),
                None => (s, 1),
            };
            num.parse::<usize>().map(|n| n * mult).with_context(|| format!("--synth: `{s}` is not a number of tables"))
        })
        .collect()
}

struct Runner {
    threads: Option<usize>,
    repeat: usize,
}

impl Runner {
    /// Run `mode` on `input` `repeat` times in fresh child processes; the median by wall time.
    fn measure(&self, input: &Input, mode: BenchMode) -> Result<(Sample, Measured)> {
        let exe = std::env::current_exe().context("locating the pg2znb binary")?;
        let mut samples = Vec::new();
        for _ in 0..self.repeat {
            let mut cmd = Command::new(&exe);
            cmd.arg("bench-run").arg("--mode").arg(mode.as_str());
            if let Some(t) = self.threads {
                cmd.arg("--threads").arg(t.to_string());
            }
            cmd.args(&input.paths);
            let out = cmd.output().context("running a measurement")?;
            if !out.status.success() {
                bail!(
                    "measuring {} ({}) failed: {}",
                    input.name,
                    mode.as_str(),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            let s: Sample = serde_json::from_slice(&out.stdout).context("reading a measurement")?;
            samples.push(s);
        }
        samples.sort_by_key(|s| s.wall_ns);
        let peak = samples.iter().map(|s| s.peak_rss).max().unwrap_or(0);
        let runs = samples.iter().map(|s| s.wall_ns as f64 / 1e6).collect();
        let median = samples[samples.len() / 2].clone();
        let measured =
            Measured { wall_ms: median.wall_ns as f64 / 1e6, peak_rss: peak, runs, stages_ms: median.stages.clone() };
        Ok((median, measured))
    }
}

/// Time and memory growth between consecutive synthetic sizes.
fn scaling(rows: &[SchemaRow]) -> Vec<Scaling> {
    let mut synth: Vec<&SchemaRow> = rows.iter().filter(|r| r.tables.is_some()).collect();
    synth.sort_by_key(|r| r.tables);
    synth
        .windows(2)
        .map(|w| Scaling {
            from: w[0].name.clone(),
            to: w[1].name.clone(),
            size: w[1].tables.unwrap_or(0) as f64 / w[0].tables.unwrap_or(1).max(1) as f64,
            time: w[1].compile.wall_ms / w[0].compile.wall_ms.max(1e-6),
            memory: w[1].compile.peak_rss as f64 / w[0].compile.peak_rss.max(1) as f64,
        })
        .collect()
}

fn targets(rows: &[SchemaRow]) -> Vec<Target> {
    let mut out = Vec::new();
    for r in rows {
        out.push(Target {
            name: format!("compile/floor on {}", r.name),
            value: r.ratio,
            limit: MAX_RATIO,
            met: r.ratio <= MAX_RATIO,
        });
    }
    for s in scaling(rows).iter().filter(|s| (s.size - 10.0).abs() < 1e-9) {
        for (what, v) in [("time", s.time), ("memory", s.memory)] {
            out.push(Target {
                name: format!("{what} {} / {}", s.to, s.from),
                value: v,
                limit: MAX_SCALING,
                met: v <= MAX_SCALING,
            });
        }
    }
    if let Some(r) = rows.iter().filter(|r| r.tables.is_some()).max_by_key(|r| r.tables) {
        out.push(Target {
            name: format!("peak memory / input on {}", r.name),
            value: r.rss_per_input,
            limit: MAX_RSS_PER_INPUT,
            met: r.rss_per_input <= MAX_RSS_PER_INPUT,
        });
    }
    out
}

fn machine(threads: Option<usize>) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into());
    Machine {
        cpu,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        threads,
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

fn mib(b: u64) -> String {
    format!("{:.1}", b as f64 / (1 << 20) as f64)
}

fn render(r: &BenchReport) -> String {
    let mut s = String::new();
    let m = &r.machine;
    s += &format!(
        "{} on {} ({}{}), {}; median of {}\n\n",
        r.tool,
        m.cpu,
        pg2znb::text::count(m.cores, "core", "cores"),
        m.threads.map(|t| format!(", --threads {t}")).unwrap_or_default(),
        m.os,
        pg2znb::text::count(r.repeat, "run", "runs")
    );
    if !r.schemas.is_empty() {
        let mut t = Table::new(&[
            "schema",
            "MB",
            "statements",
            "floor ms",
            "compile ms",
            "ratio",
            "MB/s",
            "stmts/s",
            "floor MiB",
            "compile MiB",
            "RSS/input",
        ]);
        for x in &r.schemas {
            t.row(vec![
                x.name.clone(),
                format!("{:.2}", x.bytes as f64 / 1e6),
                x.statements.to_string(),
                format!("{:.1}", x.floor.wall_ms),
                format!("{:.1}", x.compile.wall_ms),
                format!("{:.2}", x.ratio),
                format!("{:.1}", x.mb_per_s),
                format!("{:.0}", x.statements_per_s),
                mib(x.floor.peak_rss),
                mib(x.compile.peak_rss),
                format!("{:.1}", x.rss_per_input),
            ]);
        }
        s += &t.render();
        s += "\ncompile stages (ms)\n";
        let mut t =
            Table::new(&["schema", "scan", "parse+lower", "rules", "check", "order", "report", "manifest", "emit"]);
        for x in &r.schemas {
            if let Some(st) = &x.compile.stages_ms {
                let f = |v: f64| format!("{v:.1}");
                t.row(vec![
                    x.name.clone(),
                    f(st.scan),
                    f(st.parse_lower),
                    f(st.rules),
                    f(st.check),
                    f(st.order),
                    f(st.report),
                    f(st.manifest),
                    f(st.emit),
                ]);
            }
        }
        s += &t.render();
    }
    if !r.lint.is_empty() {
        s += "\nlint\n";
        let mut t = Table::new(&["queries", "MB", "statements", "floor ms", "lint ms", "ratio", "stmts/s", "lint MiB"]);
        for x in &r.lint {
            t.row(vec![
                x.name.clone(),
                format!("{:.2}", x.bytes as f64 / 1e6),
                x.statements.to_string(),
                format!("{:.1}", x.floor.wall_ms),
                format!("{:.1}", x.lint.wall_ms),
                format!("{:.2}", x.ratio),
                format!("{:.0}", x.statements_per_s),
                mib(x.lint.peak_rss),
            ]);
        }
        s += &t.render();
    }
    if !r.scaling.is_empty() {
        s += "\nscaling\n";
        let mut t = Table::new(&["from", "to", "size ×", "time ×", "memory ×"]);
        for x in &r.scaling {
            t.row(vec![
                x.from.clone(),
                x.to.clone(),
                format!("{:.1}", x.size),
                format!("{:.2}", x.time),
                format!("{:.2}", x.memory),
            ]);
        }
        s += &t.render();
    }
    if !r.targets.is_empty() {
        s += "\ntargets\n";
        let mut t = Table::new(&["target", "value", "limit", ""]);
        for x in &r.targets {
            t.row(vec![
                x.name.clone(),
                format!("{:.2}", x.value),
                format!("{:.1}", x.limit),
                if x.met { "met".into() } else { "MISSED".into() },
            ]);
        }
        s += &t.render();
    }
    s
}

/// A plain text table: first column left-aligned, the others right-aligned.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Table {
        Table { rows: vec![header.iter().map(|h| h.to_string()).collect()] }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let cols = self.rows[0].len();
        let width: Vec<usize> =
            (0..cols).map(|c| self.rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut s = String::new();
        for r in &self.rows {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(c, v)| if c == 0 { format!("{v:<w$}", w = width[c]) } else { format!("{v:>w$}", w = width[c]) })
                .collect();
            s += cells.join("  ").trim_end();
            s.push('\n');
        }
        s
    }
}

impl BenchMode {
    fn as_str(self) -> &'static str {
        match self {
            BenchMode::Floor => "floor",
            BenchMode::Compile => "compile",
            BenchMode::Lint => "lint",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synth_sizes_accept_k_suffixes() {
        assert_eq!(parse_list(&Some("1000, 10k,100K".into())).unwrap(), vec![1000, 10_000, 100_000]);
        assert!(parse_list(&Some("ten".into())).is_err());
        assert!(parse_list(&None).unwrap().is_empty());
    }

    #[test]
    fn tables_align_columns() {
        let mut t = Table::new(&["name", "ms"]);
        t.row(vec!["a".into(), "1.0".into()]);
        t.row(vec!["longer".into(), "12.5".into()]);
        assert_eq!(t.render(), "name      ms\na        1.0\nlonger  12.5\n");
    }

    #[test]
    fn peak_rss_reads_proc() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(peak_rss() > 0);
        }
    }
}

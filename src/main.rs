//! The `pg2znb` command line. The only place that reads files, prints and exits.

mod bar;
mod bench;
mod cli;
mod copy_bars;
mod interrupt;
mod output;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Parser;

use cli::{Cli, Command, CompileArgs, Format, RulesCommand};
use pg2znb::compile::{compile_with_progress, Compilation};
use pg2znb::config::{self, Config, Settings};
use pg2znb::diagnostic::Severity;
use pg2znb::emit::ScriptKind;
use pg2znb::pgss;
use pg2znb::render::{self, format, format::Findings, format::Format as RenderFormat};
use pg2znb::rules::{ApplyOptions, DeferCategory, RulePack};
use pg2znb::source::SourceFile;
use pg2znb::text::count as plural;

/// mimalloc: compile allocates many small strings and trees on several threads; glibc's
/// allocator cost a fifth of the run in `pg2znb bench` profiles. Built without transparent huge
/// pages (`no_thp`): with them, every small run touched 2 MiB pages, 13 MiB more peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes: 0 clean, 1 error-severity findings, 2 usage, I/O or rule-file errors.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    interrupt::install();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("pg2znb: error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    // Workers get stacks large enough to decode the deepest parse tree pg_query hands back
    // (otherwise each parse would switch to a fresh stack; see `parse::PARSE_STACK`).
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(pg2znb::parse::PARSE_STACK);
    let threads = cli.threads();
    if let Some(n) = threads {
        pool = pool.num_threads(n.max(1));
    }
    pool.build_global().context("setting up threads")?;
    match cli.command {
        Command::Compile(args) => run_compile(args),
        Command::Verify(args) => run_verify(args),
        Command::Apply(args) => run_apply(args),
        Command::Migrate(args) => run_migrate(args),
        Command::Export(args) => run_export(args),
        Command::Import(args) => run_import(args),
        Command::Lint(args) => run_lint(args),
        Command::Bench(args) => bench::run(args, threads),
        Command::BenchRun(args) => bench::run_child(args),
        Command::Synth(args) => bench::synth(args),
        Command::Rules { command } => match command {
            RulesCommand::List { rules, format } => {
                let pack = load_pack(&rules)?;
                print!("{}", output::rules_list(&pack, format));
                Ok(0)
            }
            RulesCommand::Test { dir, update } => {
                let dir = dir.unwrap_or_else(|| PathBuf::from("rules"));
                if !dir.is_dir() {
                    bail!("{}: no such directory (pass a rule pack's directory)", dir.display());
                }
                let report = pg2znb::rules::harness::run_dir(&dir, update)?;
                print!("{}", output::rules_test(&report));
                Ok(if report.passed() { 0 } else { EXIT_FINDINGS })
            }
            RulesCommand::Docs { rules } => {
                print!("{}", pg2znb::rules::docs::render_markdown(&load_pack(&rules)?));
                Ok(0)
            }
        },
        Command::Explain { code, rules } => {
            let pack = load_pack(&rules)?;
            match (pack.find(&code), pg2znb::codes::find(&code)) {
                (Some(rule), _) => {
                    print!("{}", output::explain(rule, &pack));
                    Ok(0)
                }
                (None, Some(c)) => {
                    print!("{}", pg2znb::codes::explain(c));
                    Ok(0)
                }
                (None, None) => bail!(
                    "no rule or diagnostic code `{code}` (see `pg2znb rules list`; the E… codes are {})",
                    pg2znb::codes::CODES.iter().map(|c| c.code).collect::<Vec<_>>().join(", ")
                ),
            }
        }
    }
}

fn run_verify(args: cli::VerifyArgs) -> Result<u8> {
    use pg2znb::verify::{self, VerifyOptions};
    let fail = |e: verify::VerifyError| {
        eprintln!("pg2znb: error: {e}");
        Ok(e.exit_code() as u8)
    };
    let manifest = match &args.manifest {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
            match verify::parse_manifest(&text) {
                Ok(m) => Some(m),
                Err(e) => return fail(e),
            }
        }
        None => None,
    };
    let rows = args.rows.parse().map_err(|e| anyhow::anyhow!("--rows: {e}"))?;
    let opts = VerifyOptions {
        source: args.source,
        target: args.target,
        manifest,
        schemas: args.schemas,
        rows,
        progress: std::io::stderr().is_terminal(),
        source_snapshot: args.snapshot,
    };
    match verify::run(&opts) {
        Ok(r) => {
            if let (Some(m), Some(path)) = (&r.source_mismatch, &args.manifest) {
                eprintln!("pg2znb: warning: {}", m.message(&path.display().to_string(), &r.source));
            }
            let format = match args.format {
                Format::Human => verify::Format::Human,
                Format::Json => verify::Format::Json,
            };
            print!("{}", r.render(format));
            Ok(r.exit_code() as u8)
        }
        Err(e) => fail(e),
    }
}

fn run_apply(args: cli::ApplyArgs) -> Result<u8> {
    use pg2znb::data::apply::{self, ApplyOptions};
    let script = std::fs::read_to_string(&args.script)
        .with_context(|| format!("{}: cannot read (a script must be UTF-8 text)", args.script.display()))?;
    let name =
        args.script.file_name().map_or_else(|| args.script.display().to_string(), |n| n.to_string_lossy().into());
    let mut opts = ApplyOptions::new(args.target, name);
    opts.continue_on_error = args.continue_on_error;
    opts.tries = args.tries.max(1);
    interrupt::on_interrupt(|| {
        eprintln!("\npg2znb: apply interrupted: the statement in flight rolled back; every committed statement is recorded in the target. Run the same command again to continue.");
    });
    let report = match apply::run(&script, &opts, &mut |m| eprintln!("pg2znb: {m}")) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pg2znb: error: {e}");
            return Ok(e.exit_code() as u8);
        }
    };
    if let Some(m) = report.stop_message() {
        eprintln!("pg2znb: error: {m}");
    } else {
        for f in &report.failures {
            let state = f.sqlstate.as_deref().map(|s| format!(" (SQLSTATE {s})")).unwrap_or_default();
            eprintln!(
                "pg2znb: {}:{}: statement {} failed: {}: {}{state}",
                report.script, f.line, f.statement, f.text, f.message
            );
        }
    }
    eprintln!("pg2znb: {}", report.summary_line());
    if args.format == Format::Json {
        println!("{}", report.to_json());
    }
    Ok(report.exit_code() as u8)
}

fn data_format(f: cli::DataFormat) -> pg2znb::data::batch::CopyFormat {
    use pg2znb::data::batch::CopyFormat;
    match f {
        cli::DataFormat::Csv => CopyFormat::Csv,
        cli::DataFormat::Text => CopyFormat::Text,
    }
}

/// `--split-rows` and `--split-mb` (0: that limit is off), for migrate and export.
fn split_options(rows: Option<u64>, mb: u64) -> pg2znb::data::ranges::SplitOptions {
    pg2znb::data::ranges::SplitOptions { rows: rows.filter(|n| *n > 0), mb: (mb > 0).then_some(mb) }
}

fn run_export(args: cli::ExportArgs) -> Result<u8> {
    use pg2znb::data::export::{self, ExportOptions};
    let opts = ExportOptions {
        source: args.source,
        dir: args.out,
        jobs: args.jobs.max(1),
        format: data_format(args.format),
        resume: args.resume,
        split: split_options(args.split_rows, args.split_mb),
    };
    interrupt::on_interrupt(|| {
        eprintln!("\npg2znb: export interrupted: finished files are kept, unfinished .part files are redone. Run the same command again with --resume to continue.");
    });
    let notify = |m: &str| eprintln!("pg2znb: {m}");
    match export::run(&opts, &notify) {
        Ok(r) => {
            eprintln!("pg2znb: {}", r.summary_line());
            if r.kept > 0 {
                eprintln!(
                    "pg2znb: note: {} kept from an earlier export were read in its snapshot, the rest in {}: each table is consistent, but tables read in different snapshots may disagree (export.json records each table's snapshot)",
                    plural(r.kept, "table", "tables"),
                    r.snapshot
                );
            }
            Ok(export::EXIT_OK as u8)
        }
        Err(e) => {
            eprintln!("pg2znb: error: {e}");
            Ok(export::EXIT_ERROR as u8)
        }
    }
}

fn run_import(args: cli::ImportArgs) -> Result<u8> {
    use pg2znb::data::batch::{Layout, Limits};
    use pg2znb::data::import::{self, ImportOptions, ImportSource, OnError};
    let batch_bytes = cli::parse_bytes(&args.batch_bytes).map_err(|e| anyhow::anyhow!("--batch-bytes: {e}"))?;
    let source = match (args.dir, args.table, args.file) {
        (Some(dir), None, None) => ImportSource::Export(dir),
        (None, Some(table), Some(file)) => {
            let mut layout = Layout::new(data_format(args.format), args.header);
            layout.header = args.header;
            if let Some(d) = args.delimiter {
                if !d.is_ascii() {
                    bail!("--delimiter: `{d}` is not a one-byte character (COPY needs one)");
                }
                layout.delimiter = d;
            }
            if let Some(n) = args.null {
                layout.null = n;
            }
            ImportSource::File { table, file, layout }
        }
        _ => bail!("import needs an export directory, or --table and --file (see pg2znb import --help)"),
    };
    let mut opts = ImportOptions::new(args.target);
    opts.jobs = args.jobs.max(1);
    opts.limits = Limits { rows: args.batch_rows.max(1), bytes: batch_bytes };
    opts.on_error = match args.on_error {
        cli::OnErrorArg::Abort => OnError::Abort,
        cli::OnErrorArg::Stash => OnError::Stash,
    };
    opts.errors_dir = args.errors_dir;
    opts.tries = args.tries.max(1);
    interrupt::on_interrupt(|| {
        eprintln!("\npg2znb: import interrupted: the batch in flight rolled back; every committed batch is recorded in the target. Run the same command again to continue.");
    });
    let notify = |m: &str| eprintln!("pg2znb: {m}");
    match import::run(&source, &opts, &notify) {
        Ok(r) => {
            for s in &r.stashed {
                eprintln!(
                    "pg2znb: stashed{}: {} batch {} (lines {}-{}) in {}, the server's message in {}: {}",
                    if s.earlier { " by an earlier run" } else { "" },
                    s.table,
                    s.batch,
                    s.lines.0,
                    s.lines.1,
                    s.data.display(),
                    s.message_file.display(),
                    s.message
                );
                eprintln!("pg2znb:   fix the rows (or the target), then replay with: {}", s.replay);
            }
            eprintln!("pg2znb: {}", r.summary_line());
            Ok(r.exit_code() as u8)
        }
        Err(e) => {
            eprintln!("pg2znb: error: {e}");
            Ok(import::EXIT_ERROR as u8)
        }
    }
}

fn run_migrate(args: cli::MigrateArgs) -> Result<u8> {
    use pg2znb::data::migrate::{self, MigrateOptions, Status};
    if let Some(cli::MigrateCommand::Status { workdir }) = &args.command {
        return match Status::read(workdir) {
            Ok(s) => {
                print!("{}", s.render_table());
                Ok(0)
            }
            Err(e) => {
                eprintln!("pg2znb: error: {e} (is it the -w of a migrate run?)");
                Ok(migrate::EXIT_ERROR as u8)
            }
        };
    }
    let (Some(source), Some(target), Some(workdir)) = (args.source.clone(), args.target.clone(), args.workdir.clone())
    else {
        bail!("migrate needs --source, --target and -w (see pg2znb migrate --help)");
    };
    // The schema's compile: the options compile takes, resolved as compile resolves them.
    let settings = rule_settings(
        args.target_version.as_deref(),
        args.defer.as_deref(),
        &args.select,
        &args.ignore,
        &args.rules,
        args.unsafe_fixes,
    )?;
    let pack = load_pack(&settings.rules)?;
    // Without --target-version (or with `auto`), migrate's prepare step reads the target's version().
    let given = match args.target_version.as_deref() {
        None | Some("auto") => None,
        Some(_) => Some(target_version(args.target_version.as_deref(), &settings, None, &pack)?.0),
    };
    for key in settings.select.iter().chain(&settings.ignore) {
        if pack.find(key).is_none() {
            bail!("no rule with code or id `{key}` (see `pg2znb rules list`)");
        }
    }
    let base = ApplyOptions {
        target: String::new(),
        defer: settings.defer.clone().unwrap_or_else(|| DeferCategory::DEFAULT.into_iter().collect()),
        unsafe_fixes: settings.unsafe_fixes,
        select: settings.select.clone(),
        ignore: settings.ignore.clone(),
        no_owner: args.no_owner,
        no_privileges: args.no_privileges,
        shard_hints: false,
        psql_restrict: false,
        target_requested: None,
        input_checks: true,
    };
    // The manifest records the source's name (a schema-only dump does not say it).
    let source_db = pg2znb::verify::Connector::parse(&source).ok().and_then(|c| c.dbname().map(str::to_string));
    let compile =
        |schema: &Path, out: &Path, t: &migrate::CompileTarget| -> std::result::Result<migrate::Compiled, String> {
            let go = || -> Result<migrate::Compiled> {
                let opts =
                    ApplyOptions { target: t.version.clone(), target_requested: t.requested.clone(), ..base.clone() };
                let files = read_inputs(&[schema.to_path_buf()], None)?;
                refuse_blank_inputs(&files, false)?;
                output::prepare_out_dir(out, false)?;
                let mut c = pg2znb::compile::compile(files, &pack, &opts);
                if let (Some(src), Some(db)) = (c.manifest.source.as_mut(), &source_db) {
                    src.database = Some(db.clone());
                }
                write_outputs(out, &c, &pack)?;
                let errors = c.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
                let summary = format!(
                    "compiled for ZNbaseDB {} into {} ({} moved to unsupported.sql)",
                    opts.target,
                    out.display(),
                    plural(errors, "error finding", "error findings")
                );
                Ok(migrate::Compiled { summary, plan: pg2znb::data::finalize::Plan::from_compilation(&c) })
            };
            go().map_err(|e| format!("{e:#}"))
        };
    let mut mopts = MigrateOptions::new(source, target, workdir.clone());
    mopts.jobs = args.jobs.max(1);
    mopts.copy.split = split_options(args.split_rows, args.split_mb);
    mopts.copy.on_error = match args.on_error {
        cli::OnErrorArg::Abort => pg2znb::data::copy::OnError::Abort,
        cli::OnErrorArg::Stash => pg2znb::data::copy::OnError::Stash,
    };
    mopts.join = args.join;
    mopts.snapshot = args.snapshot.clone();
    mopts.target_version = given;
    mopts.targets = pack.targets.clone();
    mopts.continue_on_error = args.continue_on_error;
    if let Some(p) = &args.pg_dump {
        mopts.pg_dump = p.clone();
    }
    let stopped_in = workdir.clone();
    interrupt::on_interrupt(move || {
        let steps = Status::mark_interrupted(&stopped_in);
        let during = if steps.is_empty() { String::new() } else { format!(" during {}", steps.join(", ")) };
        eprintln!(
            "\npg2znb: migrate interrupted{during}: what was in flight rolled back; every committed range and statement is recorded in the target. Run the same command again to continue."
        );
    });
    let bars = copy_bars::CopyBars::new();
    let notify = |m: &str| bars.line(m);
    let result = migrate::run_with(&mopts, &compile, &notify, &bars);
    bars.finish();
    match result {
        Ok(report) => {
            if let Some(v) = &report.verify {
                match args.format {
                    Format::Human => eprint!("{}", v.render(pg2znb::verify::Format::Human)),
                    Format::Json => print!("{}", v.render(pg2znb::verify::Format::Json)),
                }
            }
            eprint!("{}", report.status.render_table());
            if report.verify.is_some() {
                eprintln!(
                    "pg2znb: note: {}",
                    if report.verified_in_snapshot {
                        "verify read the source in the snapshot the data was copied from: what was written to the source since then is not in the target, and is not a difference"
                    } else {
                        "verify read the source as it is now (this run resumed after the copy, so no snapshot was held): rows written to the source since the copy show up as differences"
                    }
                );
            }
            Ok(report.exit_code() as u8)
        }
        Err(e) => {
            if let Ok(s) = Status::read(&workdir) {
                eprint!("{}", s.render_table());
            }
            eprintln!("pg2znb: error: {e}");
            eprintln!("pg2znb: the finished steps are kept in the work directory and the target's pg2znb schema: fix the cause and run the same command again to continue");
            Ok(migrate::EXIT_ERROR as u8)
        }
    }
}

fn load_pack(dirs: &[PathBuf]) -> Result<RulePack> {
    let mut pack = RulePack::builtin()?;
    for d in dirs {
        pack.add_dir(d)?;
    }
    Ok(pack)
}

/// `--config FILE`, else the `pg2znb.toml` found from the working directory upward; none with
/// `--no-config`.
fn load_config(explicit: Option<&Path>, disabled: bool) -> Result<Option<Config>> {
    if disabled {
        return Ok(None);
    }
    if let Some(path) = explicit {
        return Ok(Some(Config::load(path)?));
    }
    let cwd = std::env::current_dir().context("finding the working directory")?;
    Ok(config::discover(&cwd)?.map(|(_, c)| c))
}

/// The rule options compile and migrate share, as `Settings` (`--defer` checked).
fn rule_settings(
    target_version: Option<&str>,
    defer: Option<&str>,
    select: &[String],
    ignore: &[String],
    rules: &[PathBuf],
    unsafe_fixes: bool,
) -> Result<Settings> {
    let defer = match defer {
        None => None,
        Some(list) => Some(config::parse_defer([list]).map_err(|m| anyhow::anyhow!("--defer: {m}"))?),
    };
    Ok(Settings {
        target_version: target_version.map(str::to_string),
        select: select.to_vec(),
        ignore: ignore.to_vec(),
        rules: rules.to_vec(),
        defer,
        unsafe_fixes,
        format: None,
    })
}

/// The command line's settings, with what it leaves unset taken from the config file.
fn compile_settings(args: &CompileArgs, config: Option<&Config>) -> Result<Settings> {
    let cli = rule_settings(
        args.target_version.as_deref(),
        args.defer.as_deref(),
        &args.select,
        &args.ignore,
        &args.rules,
        args.unsafe_fixes,
    )?;
    Ok(match config {
        Some(c) => c.apply_to(cli),
        None => cli,
    })
}

/// `--format`, else the config file's `format`, else github under GitHub Actions, else human.
fn chosen_format(flag: Option<RenderFormat>, config: Option<&Config>) -> RenderFormat {
    let gh = format::is_github_actions(std::env::var("GITHUB_ACTIONS").ok().as_deref());
    flag.or(config.and_then(|c| c.format)).unwrap_or_else(|| format::default_format(gh))
}

/// The version to compile or lint for, and the version asked for when it differs:
/// `--target-version` (else the config's), resolved to a known version (`2.21` → `2.20`);
/// `auto`, or `--target URL` without `--target-version`, reads the target's `select version()`.
fn target_version(
    flag: Option<&str>,
    settings: &Settings,
    url: Option<&str>,
    pack: &RulePack,
) -> Result<(String, Option<String>)> {
    let auto = match (flag, url) {
        (Some(v), Some(_)) if v != "auto" => {
            bail!("--target is read only with --target-version auto (or without --target-version); drop one of them")
        }
        (None, Some(_)) => true,
        _ => settings.target_version.as_deref() == Some("auto"),
    };
    if auto {
        let Some(url) = url else {
            bail!("--target-version auto needs --target URL: the ZNbaseDB whose `select version()` names the version")
        };
        let answer = pg2znb::verify::server_version(url).map_err(|e| anyhow::anyhow!("--target-version auto: {e}"))?;
        let t = pack.targets.from_server_version(&answer).map_err(|e| anyhow::anyhow!("--target-version auto: {e}"))?;
        if let Some(note) = &t.note {
            eprintln!("pg2znb: note: {note}");
        }
        let requested = (t.detected != t.version).then_some(t.detected);
        return Ok((t.version, requested));
    }
    let written = settings.target_version.as_deref().unwrap_or(&pack.targets.default).trim();
    let version =
        pack.targets.resolve(written).map_err(|e| anyhow::anyhow!("unknown target version `{written}`: {e}"))?;
    let requested = (version != written).then(|| written.to_string());
    Ok((version, requested))
}

fn apply_options(args: &CompileArgs, settings: &Settings, pack: &RulePack) -> Result<ApplyOptions> {
    let (target, target_requested) =
        target_version(args.target_version.as_deref(), settings, args.target.as_deref(), pack)?;
    let defer = settings.defer.clone().unwrap_or_else(|| DeferCategory::DEFAULT.into_iter().collect());
    for key in settings.select.iter().chain(&settings.ignore) {
        if pack.find(key).is_none() {
            bail!("no rule with code or id `{key}` (see `pg2znb rules list`)");
        }
    }
    Ok(ApplyOptions {
        target,
        defer,
        unsafe_fixes: settings.unsafe_fixes,
        select: settings.select.clone(),
        ignore: settings.ignore.clone(),
        no_owner: args.no_owner,
        no_privileges: args.no_privileges,
        shard_hints: args.shard_hints,
        psql_restrict: args.psql_restrict,
        target_requested,
        input_checks: true,
    })
}

fn run_compile(args: CompileArgs) -> Result<u8> {
    let config = load_config(args.config.as_deref(), args.no_config)?;
    let settings = compile_settings(&args, config.as_ref())?;
    let format = chosen_format(args.format, config.as_ref());
    let pack = load_pack(&settings.rules)?;
    if let Some(c) = &config {
        c.validate(&pack)?;
    }
    let opts = apply_options(&args, &settings, &pack)?;
    let files = read_inputs(&args.inputs, args.stdin_filename.as_deref())?;
    refuse_blank_inputs(&files, args.inputs.iter().any(|i| i.as_os_str() == "-"))?;
    output::prepare_out_dir(&args.out, args.force)?;
    let bar = bar::Bar::new();
    let c = compile_with_progress(files, &pack, &opts, &bar);
    bar.message("writing");
    let written = write_outputs(&args.out, &c, &pack);
    bar.finish();
    written?;
    let stderr_color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match format {
        RenderFormat::Human => {
            eprint!("{}", output::human_diagnostics(&c, &pack, stderr_color, args.shown));
            eprint!("{}", output::human_summary(&c, &args.out));
        }
        // Compile's JSON keeps the report's summary (fates, phases, kinds).
        RenderFormat::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &output::json_findings(&c))?;
            writeln!(out)?;
        }
        RenderFormat::Sarif => {
            let shown = without_info(&c.diagnostics, args.shown.show_info);
            print!("{}", render::sarif::render(&Findings::new(&shown, &c.files, &pack)));
        }
        RenderFormat::Github => {
            // Annotations are capped per step: deferral notes and other info stay in report.json.
            let shown = without_info(&c.diagnostics, args.shown.show_info);
            print!("{}", render::github::render(&Findings::new(&shown, &c.files, &pack)));
            eprint!("{}", output::human_summary(&c, &args.out));
        }
    }
    Ok(if c.has_errors() { EXIT_FINDINGS } else { 0 })
}

fn run_lint(args: cli::LintArgs) -> Result<u8> {
    use pg2znb::lint::{self, LintOptions, Query};
    let config = load_config(args.config.as_deref(), args.no_config)?;
    let cli_settings = Settings {
        target_version: args.target_version.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        rules: args.rules.clone(),
        defer: None,
        unsafe_fixes: args.unsafe_fixes,
        format: args.format,
    };
    let settings = match &config {
        Some(c) => c.apply_to(cli_settings),
        None => cli_settings,
    };
    let format = chosen_format(settings.format, config.as_ref());
    let pack = load_pack(&settings.rules)?;
    if let Some(c) = &config {
        c.validate(&pack)?;
    }
    let (target, target_requested) =
        target_version(args.target_version.as_deref(), &settings, args.target.as_deref(), &pack)?;
    for key in settings.select.iter().chain(&settings.ignore) {
        if pack.find(key).is_none() {
            bail!("no rule with code or id `{key}` (see `pg2znb rules list`)");
        }
    }
    let files =
        if args.inputs.is_empty() { Vec::new() } else { read_inputs(&args.inputs, args.stdin_filename.as_deref())? };
    let mut queries = Vec::new();
    let mut origins = format::Queries::new();
    let mut hidden = 0;
    if let Some(p) = &args.pgss {
        for q in pgss::read(p)? {
            if q.is_hidden() {
                hidden += 1;
                continue;
            }
            origins.insert(files.len() + queries.len(), q.query_origin());
            queries.push(Query { text: q.query.clone(), calls: q.calls, origin: q.origin.clone() });
        }
    }
    let opts = LintOptions {
        apply: ApplyOptions {
            target,
            unsafe_fixes: settings.unsafe_fixes,
            select: settings.select.clone(),
            ignore: settings.ignore.clone(),
            target_requested,
            ..ApplyOptions::default()
        },
        fix: args.fix,
    };
    let bar = bar::Bar::new();
    let r = lint::lint_with_progress(files, queries, &pack, &opts, &bar);
    bar.finish();
    let mut diags = r.diagnostics.clone();
    let mut fixes = 0;
    if let Some(fixed) = &r.fixed {
        let is_stdin = |id: usize| {
            let name = &r.files[id].name;
            name == "<stdin>" || args.stdin_filename.as_deref() == Some(name.as_str())
        };
        for (id, text) in fixed {
            if !is_stdin(*id) {
                output::write_atomic(Path::new(&r.files[*id].name), text.as_bytes())?;
            }
        }
        // One line per change: where, which finding, what it replaced and with what.
        for a in r.applied.iter().filter(|a| !is_stdin(a.file)) {
            fixes += 1;
            eprintln!(
                "pg2znb: fixed {}:{}: {} {} → {}",
                r.files[a.file].name,
                a.line,
                a.codes.join(","),
                one_line(&a.before),
                one_line(&a.after)
            );
        }
        // Standard input is not written back: its findings stand.
        for d in diags.iter_mut().filter(|d| d.location.is_some_and(|l| l.file < r.inputs && is_stdin(l.file))) {
            if let Some(f) = d.fix.as_mut().filter(|f| f.applied) {
                f.applied = false;
                d.help = Some(match &d.help {
                    Some(h) => format!("{h} (not applied: standard input is not rewritten)"),
                    None => "not applied: standard input is not rewritten".into(),
                });
            }
        }
    }
    // With --fix, what a fix resolved is listed above, not counted or shown as a finding
    // (JSON keeps it, with `fix.applied`).
    let fixed_away = |d: &pg2znb::diagnostic::Diagnostic| d.fix.as_ref().is_some_and(|f| f.applied);
    let all_diags = diags.clone();
    diags.retain(|d| !fixed_away(d));
    format::sort_by_calls(&mut diags, &origins);
    let color = args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let findings = Findings::new(&diags, &r.files, &pack).with_queries(&origins);
    let text = match format {
        RenderFormat::Human => {
            let shown = render::human::Shown {
                limit: args.shown.limit(),
                info: args.shown.show_info,
                more_hint: "pass --show-all, or use --format json",
                info_hint: "pass --show-info, or use --format json",
            };
            render::human::render_grouped(&findings, color, &shown)
        }
        RenderFormat::Sarif | RenderFormat::Github => {
            let shown = without_info(&diags, args.shown.show_info);
            format::render(format, &Findings::new(&shown, &r.files, &pack).with_queries(&origins), color)
        }
        RenderFormat::Json => {
            let mut all = all_diags;
            format::sort_by_calls(&mut all, &origins);
            format::render(format, &Findings::new(&all, &r.files, &pack).with_queries(&origins), color)
        }
    };
    match &args.output {
        Some(path) => output::write_atomic(path, text.as_bytes())?,
        None => print!("{text}"),
    }
    if format == RenderFormat::Human {
        let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
        eprintln!(
            "pg2znb: linted {} in {}{} for ZNbaseDB {}{}: {}{}, {}, {} info{}",
            plural(r.statements, "statement", "statements"),
            plural(r.inputs, "input", "inputs"),
            if r.files.len() > r.inputs {
                format!(" and {}", plural(r.files.len() - r.inputs, "query", "queries"))
            } else {
                String::new()
            },
            opts.apply.target,
            output::resolved_from(opts.apply.target_requested.as_deref()),
            if args.fix { format!("{} applied; left: ", plural(fixes, "fix", "fixes")) } else { String::new() },
            plural(count(Severity::Error), "error", "errors"),
            plural(count(Severity::Warning), "warning", "warnings"),
            count(Severity::Info),
            if hidden > 0 {
                format!(" ({} hidden by pg_stat_statements privileges skipped)", plural(hidden, "query", "queries"))
            } else {
                String::new()
            }
        );
    }
    Ok(if diags.iter().any(|d| d.severity == Severity::Error) { EXIT_FINDINGS } else { 0 })
}

/// Text on one line for a message: whitespace runs as one space, at most 60 characters.
fn one_line(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = if flat.is_empty() { "(nothing)".to_string() } else { flat };
    match flat.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

/// SARIF results and GitHub annotations are errors and warnings (code scanning and the
/// annotation cap are for what needs action); info findings only with `--show-info`.
fn without_info(diags: &[pg2znb::diagnostic::Diagnostic], show_info: bool) -> Vec<pg2znb::diagnostic::Diagnostic> {
    diags.iter().filter(|d| show_info || d.severity != Severity::Info).cloned().collect()
}

/// Compile input without a single statement is a mistake upstream (`pg_dump nosuchdb | pg2znb
/// compile -`): exit 2 before anything is written. One blank file among others is only `E003`.
fn refuse_blank_inputs(files: &[SourceFile], stdin: bool) -> Result<()> {
    if files.is_empty() || !files.iter().all(|f| pg2znb::sanity::is_blank(&f.text)) {
        return Ok(());
    }
    match files {
        [f] if stdin => bail!(
            "{}: standard input has no SQL statements (it is empty or holds only comments); nothing was written. \
             If it was piped from pg_dump, pg_dump failed: see its error above (database name, host, user, password)",
            f.name
        ),
        [f] => bail!(
            "{}: no SQL statements (the input is empty or holds only comments); nothing was written. \
             Check the file name, and that the command that wrote it (pg_dump -f, a redirect, a pipe) succeeded",
            f.name
        ),
        _ => bail!(
            "none of the {} inputs has an SQL statement ({}); nothing was written. Check that the right files were given",
            files.len(),
            files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Every script streams from the source text to its file (nothing the size of the input is
/// built in memory); all files appear under their names together, at the end.
fn write_outputs(dir: &Path, c: &Compilation, pack: &RulePack) -> Result<()> {
    let mut out = output::OutputSet::new(dir);
    let emitter = c.emitter();
    for kind in ScriptKind::ALL {
        let name = kind.file_name();
        if emitter.has(kind) {
            out.write(name, |w| emitter.write(kind, w))
                .with_context(|| format!("writing {}", dir.join(name).display()))?;
        } else {
            out.remove_stale(name);
        }
    }
    out.write("report.json", |w| Ok(serde_json::to_writer_pretty(w, &c.report)?))
        .with_context(|| format!("writing {}", dir.join("report.json").display()))?;
    out.write("manifest.json", |w| Ok(serde_json::to_writer_pretty(w, &c.manifest)?))
        .with_context(|| format!("writing {}", dir.join("manifest.json").display()))?;
    out.write("report.html", |w| render::html::write(w, c, pack))
        .with_context(|| format!("writing {}", dir.join("report.html").display()))?;
    out.commit().with_context(|| format!("writing {}", dir.display()))
}

/// Read FILE, DIR (every `.sql` below it, sorted) or `-` (stdin) into decoded source files.
fn read_inputs(inputs: &[PathBuf], stdin_name: Option<&str>) -> Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).context("reading standard input")?;
            // One copy here (a pipe's size is not known in advance); files are read without one.
            files.push(decode(stdin_name.unwrap_or("<stdin>"), Arc::from(bytes))?);
        } else if input.is_dir() {
            let found = sql_files(input)?;
            if found.is_empty() {
                if input.join("toc.dat").is_file() {
                    bail!(
                        "{}: a directory-format dump (pg_dump -Fd: toc.dat and data files), not SQL; \
                         turn it into an SQL script first: `pg_restore -f dump.sql {}`, then compile dump.sql",
                        input.display(),
                        input.display()
                    );
                }
                bail!("{}: the directory contains no .sql files", input.display());
            }
            for p in found {
                let bytes = read_shared(&p).with_context(|| format!("{}: cannot read", p.display()))?;
                files.push(decode(&p.display().to_string(), bytes)?);
            }
        } else {
            let bytes = read_shared(input).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => anyhow::anyhow!("{}: no such file or directory", input.display()),
                _ => anyhow::anyhow!("{}: cannot read: {e}", input.display()),
            })?;
            files.push(decode(&input.display().to_string(), bytes)?);
        }
    }
    Ok(files)
}

/// Read a file into one shared buffer of its size: the source text is then this buffer, never
/// copied (`SourceFile::from_shared_bytes`), so a dump costs its size in memory once.
fn read_shared(path: &Path) -> std::io::Result<Arc<[u8]>> {
    let mut f = std::fs::File::open(path)?;
    let len = usize::try_from(f.metadata()?.len()).unwrap_or(usize::MAX);
    let mut buf: Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let whole = Arc::get_mut(&mut buf).expect("a new Arc is unique");
    let mut filled = 0;
    while filled < len {
        match f.read(&mut whole[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut probe = [0u8; 1];
    if filled == len && f.read(&mut probe)? == 0 {
        return Ok(buf);
    }
    // The file changed size while being read (or is not a regular file): read it the slow way.
    drop(buf);
    Ok(Arc::from(std::fs::read(path)?))
}

fn sql_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("{}: cannot list", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sql")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// UTF-8 only: output is the input's bytes, so a lossy decode would corrupt data.
fn decode(name: &str, bytes: Arc<[u8]>) -> Result<SourceFile> {
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(enc) = utf16(head) {
        bail!("{name}: the file is {enc} encoded, not UTF-8; convert it first, e.g. `iconv -f {enc} -t UTF-8`");
    }
    // pg_dumpall: several databases and the cluster's roles in one script, which no single target
    // database loads as one (its `\connect`s, `CREATE DATABASE`s and `CREATE ROLE postgres`).
    if head.windows(35).any(|w| w == b"-- PostgreSQL database cluster dump") {
        bail!(
            "{name}: this is pg_dumpall output (the whole cluster: roles and every database); compile one \
             database at a time: `pg_dump -d DB -f DB.sql` for each, and `pg_dumpall --globals-only` for the \
             roles, to review by hand"
        );
    }
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        let (line, col) = position(&bytes, nul);
        bail!("{name}:{line}:{col}: this looks like a binary file (NUL byte), not an SQL script; for a custom-format dump run `pg_restore -f dump.sql` first");
    }
    match SourceFile::from_shared_bytes(name, bytes) {
        Ok(file) => Ok(file),
        Err((bytes, e)) => {
            let at = e.valid_up_to();
            let (line, col) = position(&bytes, at);
            bail!(
                "{name}:{line}:{col}: not valid UTF-8 (byte 0x{:02X}); convert the file first, e.g. `iconv -f LATIN1 -t UTF-8`",
                bytes[at]
            )
        }
    }
}

/// `UTF-16LE`/`UTF-16BE` when the file starts with that byte order mark, or when every other
/// byte of its start is NUL (ASCII text saved as UTF-16 without a mark, as some Windows tools do).
fn utf16(head: &[u8]) -> Option<&'static str> {
    match head {
        [0xFF, 0xFE, ..] => return Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => return Some("UTF-16BE"),
        _ => {}
    }
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zeros = |at: usize| head.chunks_exact(2).filter(|p| p[at] == 0 && p[1 - at] != 0).count();
    if zeros(1) * 10 >= pairs * 9 {
        Some("UTF-16LE")
    } else if zeros(0) * 10 >= pairs * 9 {
        Some("UTF-16BE")
    } else {
        None
    }
}

fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
    let col = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
    (line, col)
}

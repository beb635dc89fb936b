//! The `pg2znb` command line. The only place that reads files, prints and exits.

mod cli;
mod output;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;

use cli::{Cli, Command, CompileArgs, Format, RulesCommand};
use pg2znb::compile::{compile, Compilation};
use pg2znb::config::{self, Config, Settings};
use pg2znb::diagnostic::Severity;
use pg2znb::pgss;
use pg2znb::render::{self, format, format::Findings, format::Format as RenderFormat};
use pg2znb::rules::{ApplyOptions, DeferCategory, RulePack};
use pg2znb::source::SourceFile;

/// Exit codes: 0 clean, 1 error-severity findings, 2 usage, I/O or rule-file errors.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
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
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global().context("setting up threads")?;
    }
    match cli.command {
        Command::Compile(args) => run_compile(args),
        Command::Verify(args) => run_verify(args),
        Command::Lint(args) => run_lint(args),
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
            match pack.find(&code) {
                Some(rule) => {
                    print!("{}", output::explain(rule, &pack));
                    Ok(0)
                }
                None => bail!("no rule with code or id `{code}` (see `pg2znb rules list`)"),
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
    };
    match verify::run(&opts) {
        Ok(r) => {
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

/// The command line's settings, with what it leaves unset taken from the config file.
fn compile_settings(args: &CompileArgs, config: Option<&Config>) -> Result<Settings> {
    let defer = match &args.defer {
        None => None,
        Some(list) => {
            let mut set = std::collections::BTreeSet::new();
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty() && *s != "none") {
                let c = DeferCategory::parse(item).with_context(|| {
                    format!("unknown --defer category `{item}`; categories: fks, checks, uniques, triggers, indexes (or none)")
                })?;
                set.insert(c);
            }
            Some(set)
        }
    };
    let cli = Settings {
        target_version: args.target_version.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        rules: args.rules.clone(),
        defer,
        unsafe_fixes: args.unsafe_fixes,
        format: None,
    };
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

fn apply_options(args: &CompileArgs, settings: &Settings, pack: &RulePack) -> Result<ApplyOptions> {
    let target = settings.target_version.clone().unwrap_or_else(|| pack.targets.default.clone());
    if pack.targets.index(&target).is_none() {
        bail!("unknown target version `{target}`; versions: {}", pack.targets.names().join(", "));
    }
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
    output::prepare_out_dir(&args.out, args.force)?;
    let c = compile(files, &pack, &opts);
    write_outputs(&args.out, &c)?;
    let stderr_color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match format {
        RenderFormat::Human => {
            eprint!("{}", output::human_diagnostics(&c, stderr_color));
            eprint!("{}", output::human_summary(&c, &args.out));
        }
        // Compile's JSON keeps the report's summary (fates, phases, kinds).
        RenderFormat::Json => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &output::json_findings(&c))?;
            writeln!(out)?;
        }
        RenderFormat::Sarif => print!("{}", render::sarif::render(&Findings::new(&c.diagnostics, &c.files, &pack))),
        RenderFormat::Github => {
            // Annotations are capped per step: deferral notes and other info stay in report.json.
            let shown: Vec<_> = c.diagnostics.iter().filter(|d| d.severity != Severity::Info).cloned().collect();
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
    let target = settings.target_version.clone().unwrap_or_else(|| pack.targets.default.clone());
    if pack.targets.index(&target).is_none() {
        bail!("unknown target version `{target}`; versions: {}", pack.targets.names().join(", "));
    }
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
            ..ApplyOptions::default()
        },
        fix: args.fix,
    };
    let r = lint::lint(files, queries, &pack, &opts);
    if let Some(fixed) = &r.fixed {
        for (id, text) in fixed {
            let name = &r.files[*id].name;
            if name != "<stdin>" && args.stdin_filename.as_deref() != Some(name.as_str()) {
                output::write_atomic(Path::new(name), text.as_bytes())?;
                eprintln!("pg2znb: fixed {name}");
            }
        }
    }
    let mut diags = r.diagnostics.clone();
    format::sort_by_calls(&mut diags, &origins);
    let color = args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = format::render(format, &Findings::new(&diags, &r.files, &pack).with_queries(&origins), color);
    match &args.output {
        Some(path) => output::write_atomic(path, text.as_bytes())?,
        None => print!("{text}"),
    }
    if format == RenderFormat::Human {
        let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
        eprintln!(
            "pg2znb: linted {} statements in {} inputs{} for ZNbaseDB {}: {} errors, {} warnings, {} info{}",
            r.statements,
            r.inputs,
            if r.files.len() > r.inputs { format!(" and {} queries", r.files.len() - r.inputs) } else { String::new() },
            opts.apply.target,
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
            if hidden > 0 {
                format!(" ({hidden} queries hidden by pg_stat_statements privileges skipped)")
            } else {
                String::new()
            }
        );
    }
    Ok(if r.has_errors() { EXIT_FINDINGS } else { 0 })
}

fn write_outputs(dir: &Path, c: &Compilation) -> Result<()> {
    output::write_atomic(&dir.join("pre-data.sql"), c.scripts.pre_data.as_bytes())?;
    match &c.scripts.data {
        Some(d) => output::write_atomic(&dir.join("data.sql"), d.as_bytes())?,
        None => {
            // A data.sql left by an earlier run would be loaded by mistake.
            let stale = dir.join("data.sql");
            if stale.exists() {
                std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
            }
        }
    }
    output::write_atomic(&dir.join("post-data.sql"), c.scripts.post_data.as_bytes())?;
    for (name, text) in [("unsupported.sql", &c.scripts.unsupported), ("roles.sql", &c.scripts.roles)] {
        let path = dir.join(name);
        match text {
            Some(t) => output::write_atomic(&path, t.as_bytes())?,
            None if path.exists() => {
                std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?
            }
            None => {}
        }
    }
    output::write_atomic(&dir.join("report.json"), &serde_json::to_vec_pretty(&c.report)?)?;
    output::write_atomic(&dir.join("manifest.json"), &serde_json::to_vec_pretty(&c.manifest)?)?;
    Ok(())
}

/// Read FILE, DIR (every `.sql` below it, sorted) or `-` (stdin) into decoded source files.
fn read_inputs(inputs: &[PathBuf], stdin_name: Option<&str>) -> Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).context("reading standard input")?;
            files.push(decode(stdin_name.unwrap_or("<stdin>"), bytes)?);
        } else if input.is_dir() {
            let found = sql_files(input)?;
            if found.is_empty() {
                bail!("{}: the directory contains no .sql files", input.display());
            }
            for p in found {
                let bytes = std::fs::read(&p).with_context(|| format!("{}: cannot read", p.display()))?;
                files.push(decode(&p.display().to_string(), bytes)?);
            }
        } else {
            let bytes = std::fs::read(input).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => anyhow::anyhow!("{}: no such file or directory", input.display()),
                _ => anyhow::anyhow!("{}: cannot read: {e}", input.display()),
            })?;
            files.push(decode(&input.display().to_string(), bytes)?);
        }
    }
    Ok(files)
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
fn decode(name: &str, bytes: Vec<u8>) -> Result<SourceFile> {
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        let (line, col) = position(&bytes, nul);
        bail!("{name}:{line}:{col}: this looks like a binary file (NUL byte), not an SQL script; for a custom-format dump run `pg_restore -f dump.sql` first");
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let (line, col) = position(&bytes, at);
            bail!(
                "{name}:{line}:{col}: not valid UTF-8 (byte 0x{:02X}); convert the file first, e.g. `iconv -f LATIN1 -t UTF-8`",
                bytes[at]
            )
        }
    }
}

fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
    let col = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
    (line, col)
}

//! Issue 7: broken and hostile input never panics, never loses a statement, never hangs.
//!
//! Every `.sql` file of `fixtures/` and of `../shared/corpus` is mutated the way real inputs get
//! broken: truncated, statements deleted, duplicated or swapped, quotes and dollar tags flipped,
//! NUL bytes and invalid UTF-8 inserted. Each mutant compiles through the library on its own
//! thread, with a deadline: it must not panic, must finish, and every input piece must have one
//! fate and one phase. A few mutants per kind also go through the binary, which must exit 0, 1
//! or 2 with a diagnostic, and whose report.json must add up.
//!
//! Deterministic: mutations come from a seeded generator (`PG2ZNB_MUTATION_SEED` changes the
//! seed, `PG2ZNB_MUTATIONS` the number per small file; defaults keep the file under ~2 minutes
//! in a debug build). A failure names the file and the mutation, and prints the mutant's path
//! when `PG2ZNB_MUTANTS_DIR` is set (the mutant is written there).
//!
//! Also here: the regression inputs under `fixtures/regressions/` and the deep-nesting limits.

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use pg2znb::compile::{compile, Compilation};
use pg2znb::rules::{ApplyOptions, RulePack};
use pg2znb::scan::{scan, PieceKind};
use pg2znb::source::SourceFile;

/// How long one library compile of a mutant may take (debug build, shared cores).
const COMPILE_LIMIT: Duration = Duration::from_secs(60);

fn pack() -> &'static Arc<RulePack> {
    static PACK: OnceLock<Arc<RulePack>> = OnceLock::new();
    PACK.get_or_init(|| Arc::new(RulePack::builtin().expect("built-in rules load")))
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// SplitMix64: small, seedable, the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seed_of(name: &str) -> u64 {
    // FNV-1a of the name, so each file gets its own stream whatever the set of files.
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
        ^ env_u64("PG2ZNB_MUTATION_SEED", 7)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Truncate,
    DeleteStatement,
    DuplicateStatement,
    SwapStatements,
    FlipQuote,
    FlipDollarTag,
    InsertNul,
    InsertInvalidUtf8,
}

const KINDS: [Kind; 8] = [
    Kind::Truncate,
    Kind::DeleteStatement,
    Kind::DuplicateStatement,
    Kind::SwapStatements,
    Kind::FlipQuote,
    Kind::FlipDollarTag,
    Kind::InsertNul,
    Kind::InsertInvalidUtf8,
];

/// The byte ranges of the statements (with their data blocks) and meta-commands of `text`.
fn statement_spans(text: &str) -> Vec<(usize, usize)> {
    let s = scan(text);
    s.pieces
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, PieceKind::Statement | PieceKind::Meta))
        .map(|(i, p)| (p.span.start, s.copy_data_of(i).map_or(p.span.end, |d| s.pieces[d].span.end)))
        .collect()
}

fn positions_of(bytes: &[u8], needle: &[u8]) -> Vec<usize> {
    bytes.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect()
}

/// Apply one mutation; returns the mutant and a description of what was done.
fn mutate(text: &str, spans: &[(usize, usize)], kind: Kind, rng: &mut Rng) -> (Vec<u8>, String) {
    let b = text.as_bytes();
    let n = b.len();
    let mut out = b.to_vec();
    let desc = match kind {
        Kind::Truncate => {
            // Half the time inside a statement, else anywhere (also mid-character: then the
            // mutant is not UTF-8, as a dump cut by a full disk may not be).
            let at = match spans.is_empty() || rng.below(2) == 0 {
                true => rng.below(n + 1),
                false => {
                    let (s, e) = spans[rng.below(spans.len())];
                    s + rng.below(e - s + 1)
                }
            };
            out.truncate(at);
            format!("truncated at byte {at} of {n}")
        }
        Kind::DeleteStatement | Kind::DuplicateStatement | Kind::SwapStatements if spans.is_empty() => {
            out.extend_from_slice(b";\n");
            "appended ';' (no statements to move)".into()
        }
        Kind::DeleteStatement => {
            let (s, e) = spans[rng.below(spans.len())];
            out.drain(s..e);
            format!("deleted the statement at bytes {s}..{e}")
        }
        Kind::DuplicateStatement => {
            let (s, e) = spans[rng.below(spans.len())];
            let copy = b[s..e].to_vec();
            out.splice(e..e, [b"\n".as_slice(), &copy].concat());
            format!("duplicated the statement at bytes {s}..{e}")
        }
        Kind::SwapStatements => {
            let (i, j) = (rng.below(spans.len()), rng.below(spans.len()));
            let (a, c) = if spans[i].0 <= spans[j].0 { (spans[i], spans[j]) } else { (spans[j], spans[i]) };
            if a == c {
                out.splice(a.1..a.1, b"\n".iter().copied());
                format!("added a line break after the statement at {}", a.1)
            } else {
                let mut v = Vec::with_capacity(n);
                v.extend_from_slice(&b[..a.0]);
                v.extend_from_slice(&b[c.0..c.1]);
                v.extend_from_slice(&b[a.1..c.0]);
                v.extend_from_slice(&b[a.0..a.1]);
                v.extend_from_slice(&b[c.1..]);
                out = v;
                format!("swapped the statements at {}..{} and {}..{}", a.0, a.1, c.0, c.1)
            }
        }
        Kind::FlipQuote => {
            let quotes: Vec<usize> =
                b.iter().enumerate().filter(|(_, &c)| c == b'\'' || c == b'"').map(|(i, _)| i).collect();
            if quotes.is_empty() {
                let at = rng.below(n + 1);
                out.insert(at, b'\'');
                format!("inserted a quote at {at}")
            } else {
                let at = quotes[rng.below(quotes.len())];
                match rng.below(3) {
                    0 => {
                        out.remove(at);
                        format!("removed the quote at {at}")
                    }
                    1 => {
                        out[at] = if b[at] == b'\'' { b'"' } else { b'\'' };
                        format!("flipped the quote at {at}")
                    }
                    _ => {
                        out.insert(at, b[at]);
                        format!("doubled the quote at {at}")
                    }
                }
            }
        }
        Kind::FlipDollarTag => {
            let dollars = positions_of(b, b"$");
            if dollars.is_empty() {
                let at = rng.below(n + 1);
                out.splice(at..at, b"$$".iter().copied());
                format!("inserted $$ at {at}")
            } else {
                let at = dollars[rng.below(dollars.len())];
                match rng.below(3) {
                    0 => {
                        out.remove(at);
                        format!("removed the $ at {at}")
                    }
                    1 => {
                        out.splice(at + 1..at + 1, b"x".iter().copied());
                        format!("renamed the dollar tag at {at}")
                    }
                    _ => {
                        out.splice(at..at, b"$body$".iter().copied());
                        format!("inserted $body$ at {at}")
                    }
                }
            }
        }
        Kind::InsertNul => {
            let at = rng.below(n + 1);
            out.insert(at, 0);
            format!("inserted a NUL byte at {at}")
        }
        Kind::InsertInvalidUtf8 => {
            let at = rng.below(n + 1);
            let bad: &[u8] = [&[0xFFu8][..], &[0xC3], &[0xE2, 0x82], &[0xED, 0xA0, 0x80]][rng.below(4)];
            out.splice(at..at, bad.iter().copied());
            format!("inserted invalid UTF-8 {bad:02X?} at {at}")
        }
    };
    (out, desc)
}

fn check_invariants(c: &Compilation) -> Result<(), String> {
    c.check_invariants()
}

/// Compile on a thread of its own with a deadline: a panic or a hang is an `Err`.
fn compile_guarded(files: Vec<SourceFile>) -> Result<Compilation, String> {
    let (tx, rx) = mpsc::channel();
    let pack = Arc::clone(pack());
    let handle = std::thread::Builder::new()
        .name("mutant".into())
        .spawn(move || {
            let c = compile(files, &pack, &ApplyOptions::default());
            let _ = tx.send(c);
        })
        .expect("spawn");
    match rx.recv_timeout(COMPILE_LIMIT) {
        Ok(c) => {
            let _ = handle.join();
            Ok(c)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let msg = match handle.join() {
                Err(p) => p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
                Ok(()) => String::new(),
            };
            Err(format!("panicked: {msg}"))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("did not finish within {COMPILE_LIMIT:?}")),
    }
}

/// Keep a failing mutant where the user asked, and say where.
fn keep_mutant(name: &str, index: usize, bytes: &[u8]) -> String {
    match std::env::var_os("PG2ZNB_MUTANTS_DIR") {
        Some(dir) => {
            let path = PathBuf::from(dir).join(format!("{}-{index}.sql", name.replace('/', "_")));
            let _ = std::fs::create_dir_all(path.parent().unwrap());
            let _ = std::fs::write(&path, bytes);
            format!(" (mutant written to {})", path.display())
        }
        None => " (set PG2ZNB_MUTANTS_DIR to keep the mutant)".into(),
    }
}

/// The inputs: fixtures (always) and the corpus (when present), as (display name, text).
fn inputs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut add = |base: &Path, prefix: &str| {
        for p in support::corpus::sql_files(base) {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((format!("{prefix}{}", p.strip_prefix(base).unwrap().display()), text));
            }
        }
    };
    add(&root.join("fixtures"), "fixtures/");
    if let Some(dir) = support::corpus::corpus_dir() {
        add(&dir, "corpus/");
    }
    out
}

/// Mutants per file: many for small files, fewer for large ones (time is about linear in size).
fn mutants_for(len: usize) -> usize {
    let small = env_u64("PG2ZNB_MUTATIONS", 8) as usize;
    match len {
        0..=20_000 => small,
        20_001..=100_000 => small.div_ceil(2),
        100_001..=400_000 => 2,
        _ => 1,
    }
}

#[test]
fn mutated_inputs_compile_without_panic_and_conserve_statements() {
    let start = Instant::now();
    let inputs = inputs();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    let mut count = 0;
    let mut per_kind = [0usize; KINDS.len()];
    for (name, text) in &inputs {
        let spans = statement_spans(text);
        let mut rng = Rng::new(seed_of(name));
        for i in 0..mutants_for(text.len()) {
            let k = (i + rng.below(KINDS.len())) % KINDS.len();
            let (bytes, desc) = mutate(text, &spans, KINDS[k], &mut rng);
            per_kind[k] += 1;
            count += 1;
            // The CLI refuses what is not UTF-8 (tested below); the library sees it lossily decoded.
            let decoded = String::from_utf8_lossy(&bytes).into_owned();
            let result =
                compile_guarded(vec![SourceFile::new(name.clone(), decoded)]).and_then(|c| check_invariants(&c));
            if let Err(e) = result {
                failures.push(format!("{name}, {desc}: {e}{}", keep_mutant(name, i, &bytes)));
            }
        }
    }
    eprintln!(
        "{count} mutants of {} files in {:?} ({})",
        inputs.len(),
        start.elapsed(),
        KINDS.iter().zip(per_kind).map(|(k, n)| format!("{k:?} {n}")).collect::<Vec<_>>().join(", ")
    );
    assert!(failures.is_empty(), "{} of {count} mutants failed:\n{}", failures.len(), failures.join("\n"));
}

/// Inputs compiled as one multi-file program: pairs of corpus/fixture files, in both orders,
/// which exercises everything that relates statements across files.
#[test]
fn file_pairs_compile_together() {
    let inputs: Vec<(String, String)> = inputs().into_iter().filter(|(_, t)| t.len() < 100_000).collect();
    let mut rng = Rng::new(seed_of("pairs"));
    let mut failures = Vec::new();
    for _ in 0..20 {
        let a = &inputs[rng.below(inputs.len())];
        let b = &inputs[rng.below(inputs.len())];
        let files = vec![SourceFile::new(a.0.clone(), a.1.clone()), SourceFile::new(b.0.clone(), b.1.clone())];
        if let Err(e) = compile_guarded(files).and_then(|c| check_invariants(&c)) {
            failures.push(format!("{} + {}: {e}", a.0, b.0));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- through the binary ----------------------------------------------------------------------

type Args = fn(input: &Path, out: &Path) -> Vec<OsString>;

fn compile_args(input: &Path, out: &Path) -> Vec<OsString> {
    vec!["compile".into(), input.into(), "-o".into(), out.into()]
}

/// The subcommands that take user SQL, run on mutated inputs. When `lint` exists, it is one
/// more line here: `("lint", |input, _| vec!["lint".into(), input.into()]),`
const COMMANDS: &[(&str, Args)] = &[("compile", compile_args), ("lint", |input, _| vec!["lint".into(), input.into()])];

struct CliRun {
    code: i32,
    stderr: String,
}

fn run_cli(args: &[OsString], limit: Duration) -> Result<CliRun, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {limit:?}; killed"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = reader.join().unwrap_or_default();
    match status.code() {
        Some(code) => Ok(CliRun { code, stderr }),
        None => Err(format!("killed by a signal ({status}): {stderr}")),
    }
}

/// Exit 0, 1 or 2; anything but a clean run says something on stderr; a compile that wrote its
/// report has fates adding up.
fn check_cli(command: &str, run: &CliRun, out: &Path) -> Result<(), String> {
    if !(0..=2).contains(&run.code) {
        return Err(format!("exit {}: {}", run.code, run.stderr));
    }
    if run.stderr.contains("panicked") {
        return Err(format!("panic: {}", run.stderr));
    }
    if run.code != 0 && !run.stderr.contains("error") && !run.stderr.contains('×') {
        return Err(format!("exit {} without a diagnostic: {:?}", run.code, run.stderr));
    }
    if command == "compile" && run.code != 2 {
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).map_err(|e| format!("report.json: {e}"))?)
                .map_err(|e| format!("report.json: {e}"))?;
        let s = &report["summary"];
        let total = s["input_statements"].as_u64().unwrap_or(u64::MAX);
        let fates: u64 = s["fates"].as_object().map(|m| m.values().filter_map(|v| v.as_u64()).sum()).unwrap_or(0);
        if fates != total {
            return Err(format!("report.json: fates {fates} != input_statements {total}"));
        }
    }
    Ok(())
}

#[test]
fn mutated_inputs_through_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = [
        "fixtures/compile/full-dump.sql",
        "fixtures/compile/broken-input.sql",
        "fixtures/pagila/pagila-schema-a8bdd3e.sql",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut runs = 0;
    for src in sources {
        let text = std::fs::read_to_string(root.join(src)).unwrap();
        let spans = statement_spans(&text);
        let mut rng = Rng::new(seed_of(src));
        let mut mutants: Vec<(Vec<u8>, String)> = KINDS.iter().map(|&k| mutate(&text, &spans, k, &mut rng)).collect();
        // And the inputs the CLI must refuse with a position: NUL early (a binary file), and
        // invalid UTF-8 early.
        let mut nul = text.clone().into_bytes();
        nul.insert(10.min(nul.len()), 0);
        mutants.push((nul, "NUL at byte 10".into()));
        let mut bad = text.clone().into_bytes();
        bad.insert(20.min(bad.len()), 0xFF);
        mutants.push((bad, "0xFF at byte 20".into()));
        for (i, (bytes, desc)) in mutants.iter().enumerate() {
            let input = tmp.path().join(format!("m{runs}.sql"));
            std::fs::write(&input, bytes).unwrap();
            for (command, args) in COMMANDS {
                let out = tmp.path().join(format!("out{runs}"));
                runs += 1;
                let result = run_cli(&args(&input, &out), Duration::from_secs(120)).and_then(|r| {
                    check_cli(command, &r, &out)?;
                    if !std::str::from_utf8(bytes).is_ok_and(|t| !t[..t.len().min(8192)].contains('\0')) && r.code != 2
                    {
                        return Err(format!("a binary or non-UTF-8 input must exit 2, not {}", r.code));
                    }
                    Ok(())
                });
                if let Err(e) = result {
                    failures.push(format!("{command} {src}, {desc}: {e}{}", keep_mutant(src, i, bytes)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {runs} runs failed:\n{}", failures.len(), failures.join("\n"));
}

/// Files in other encodings are refused with a message that names the encoding or the first
/// bad byte's position, and exit 2.
#[test]
fn other_encodings_exit_2_with_a_position_or_the_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let sql = "CREATE TABLE public.caf\u{e9} (id integer);\n";
    let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(sql.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let utf16be_no_bom: Vec<u8> = sql.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let latin1: Vec<u8> = sql.chars().map(|c| c as u32 as u8).collect();
    for (what, bytes, expect) in [
        ("UTF-16LE with a BOM", utf16le, "UTF-16LE encoded"),
        ("UTF-16BE without a BOM", utf16be_no_bom, "UTF-16BE encoded"),
        ("Latin-1", latin1, ":1:24: not valid UTF-8 (byte 0xE9)"),
    ] {
        let input = tmp.path().join("in.sql");
        std::fs::write(&input, &bytes).unwrap();
        let out = tmp.path().join("out");
        let r = run_cli(&compile_args(&input, &out), Duration::from_secs(60)).unwrap();
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(r.stderr.contains(expect), "{what}: {}", r.stderr);
    }
}

// ---- regressions and limits ------------------------------------------------------------------

/// Every input under `fixtures/regressions/`: a `.sql` file is one program, a directory is one
/// program of all its `.sql` files (sorted). Each once crashed or broke an invariant.
#[test]
fn regression_inputs_hold_the_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/regressions");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    let mut failures = Vec::new();
    for entry in &entries {
        let paths = if entry.is_dir() {
            support::corpus::sql_files(entry)
        } else if entry.extension().is_some_and(|x| x == "sql") {
            vec![entry.clone()]
        } else {
            continue;
        };
        let files = paths
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).unwrap();
                SourceFile::new(p.file_name().unwrap().to_string_lossy(), String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
        if let Err(e) = compile_guarded(files).and_then(|c| check_invariants(&c)) {
            failures.push(format!("{}: {e}", entry.display()));
        }
    }
    assert!(entries.len() >= 2, "regression inputs found: {entries:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cross_file_primary_key_is_folded_into_its_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/regressions/cross-file-primary-key");
    let files = support::corpus::sql_files(&dir)
        .iter()
        .map(|p| SourceFile::new(p.file_name().unwrap().to_string_lossy(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let c = compile_guarded(files).unwrap();
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    assert!(
        c.scripts.pre_data.contains("    name text NOT NULL,\n    CONSTRAINT pilots_pkey PRIMARY KEY (id)\n);"),
        "{}",
        c.scripts.pre_data
    );
}

/// Deeply nested input: PostgreSQL's parser or the tree decoder refuses it, which is a
/// diagnostic (E002) at the statement, never a stack overflow; the rest of the file compiles.
#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let deep_parens = format!("SELECT {}1{};", "(".repeat(100_000), ")".repeat(100_000));
    let long_sum = format!("SELECT {};", vec!["1"; 200_000].join("+"));
    let default_sum = format!("CREATE TABLE public.t (a integer DEFAULT {});", vec!["1"; 500].join("+"));
    let nested_case = format!("SELECT {}1{};", "CASE WHEN true THEN ".repeat(2_000), " END".repeat(2_000));
    let nested_arrays = format!("SELECT ARRAY{}1{};", "[".repeat(5_000), "]".repeat(5_000));
    let nested_selects = format!("SELECT {}1{};", "(SELECT ".repeat(3_000), ")".repeat(3_000));
    for (what, stmt) in [
        ("100k parentheses", deep_parens),
        ("a sum of 200k terms", long_sum),
        ("a DEFAULT of 500 terms", default_sum),
        ("2000 nested CASEs", nested_case),
        ("5000 nested arrays", nested_arrays),
        ("3000 nested subqueries", nested_selects),
    ] {
        let text = format!("CREATE TABLE public.ok (id integer);\n{stmt}\nALTER TABLE ONLY public.ok ADD CONSTRAINT ok_pkey PRIMARY KEY (id);\n");
        let c = compile_guarded(vec![SourceFile::new("deep.sql", text)]).unwrap_or_else(|e| panic!("{what}: {e}"));
        check_invariants(&c).unwrap_or_else(|e| panic!("{what}: {e}"));
        let d = c.diagnostics.iter().find(|d| d.code == "E002").unwrap_or_else(|| panic!("{what}: no E002"));
        assert!(d.message.len() < 400, "{what}: the message is {} bytes long", d.message.len());
        assert!(d.location.is_some(), "{what}: the diagnostic has a position");
        assert!(c.scripts.pre_data.contains("CONSTRAINT ok_pkey PRIMARY KEY (id)"), "{what}: the rest compiled");
    }
}

/// A statement of tens of MB (a huge multi-row INSERT) compiles, verbatim, in bounded time.
#[test]
fn a_huge_statement_compiles() {
    let rows: Vec<String> = (0..100_000).map(|i| format!("({i}, 'row {i}')")).collect();
    let text =
        format!("CREATE TABLE public.t (id integer, v text);\nINSERT INTO public.t VALUES {};\n", rows.join(",\n"));
    let c = compile_guarded(vec![SourceFile::new("big.sql", text.clone())]).unwrap();
    check_invariants(&c).unwrap();
    let insert = &text[text.find("INSERT").unwrap()..];
    let data = c.scripts.data.as_deref().expect("an INSERT is data");
    assert!(data.contains(insert.trim_end()), "the INSERT is emitted verbatim");
    assert!(c.diagnostics.iter().any(|d| d.code == "E004"), "and said to be analysed from its first row");
}

//! Issue 7, acceptance 2: a large synthetic full dump (mostly COPY data) compiles with peak
//! memory under 3× its size, and data.sql carries the input's data blocks byte for byte.
//!
//! The size is `PG2ZNB_LARGE_DUMP_MB` (the acceptance run: 200, with 1000 tables), with 5 tables
//! per MiB up to 1000; without it, 40 MiB and 80 tables, so that the default run measures the
//! data path rather than the schema's fixed cost (parse trees and IR: about 0.25 MiB per table
//! today). The binary runs
//! as a child process and its peak resident set is read from `/proc/<pid>/status` (`VmHWM`, the
//! high-water mark of the memory of the program the child runs) every 2 ms until it exits; the
//! mark only grows, so the last reading is the peak up to 2 ms before the end (the last thing the
//! compiler does, writing the report, allocates little). Not `wait4`'s `ru_maxrss`: on `exec` the
//! kernel folds the high-water mark of the memory the child had before (this test process's,
//! shared by `posix_spawn`) into it, so it reports the test's own peak when that is larger.
//! The tests here still run one at a time (`SERIAL`), to keep timings apart.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pg2znb::scan::{scan, PieceKind};
use pg2znb::synth::{generate_to, SynthOptions};

/// One test at a time: a test holding a large file in memory would count in the other's child.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The dump's size in MiB and its number of tables.
fn size() -> (usize, usize) {
    match std::env::var("PG2ZNB_LARGE_DUMP_MB") {
        Ok(v) => {
            let mb: usize = v.trim().parse().unwrap_or_else(|_| panic!("PG2ZNB_LARGE_DUMP_MB={v:?} is not a number"));
            (mb, (mb * 5).clamp(20, 1000))
        }
        Err(_) => (40, 80),
    }
}

/// The COPY data blocks of a script, in order.
fn data_blocks(text: &str) -> Vec<&str> {
    scan(text).pieces.iter().filter(|p| p.kind == PieceKind::CopyData).map(|p| p.text(text)).collect()
}

struct Run {
    status: i32,
    /// What the run wrote on stderr (shown only when an assertion fails).
    stderr: String,
    peak_rss_bytes: u64,
    elapsed: Duration,
}

/// `VmHWM` of a running process, in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Run the binary, wait for it (killing it after `limit`) and report its peak RSS.
fn run_measured(args: &[&std::ffi::OsStr], limit: Duration) -> Run {
    let start = Instant::now();
    // The findings and summary go to a file, not the test run's stderr (a passing test is quiet);
    // a file rather than a pipe, so a long report cannot block the child while it is polled.
    let log = tempfile::tempfile().expect("temporary file for stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(log.try_clone().expect("clone the stderr file"))
        .spawn()
        .expect("spawn pg2znb");
    let mut peak = 0;
    loop {
        // Read before checking for exit: a process that has exited has no VmHWM any more.
        if let Some(p) = peak_rss(child.id()) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            let mut log = log;
            use std::io::{Read, Seek};
            let _ = log.rewind().and_then(|_| log.read_to_string(&mut stderr));
            return Run {
                status: status.code().expect("pg2znb exited normally"),
                stderr,
                peak_rss_bytes: peak,
                elapsed: start.elapsed(),
            };
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pg2znb compile took longer than {limit:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn large_full_dump_streams_in_bounded_memory_and_keeps_data_exact() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (mb, tables) = size();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dump.sql");
    let t = Instant::now();
    let opts = SynthOptions { tables, with_data: true, target_bytes: Some(mb << 20), seed: 1, ..Default::default() };
    let stats = {
        let mut w = BufWriter::new(File::create(&input).unwrap());
        generate_to(&mut w, &opts).unwrap()
    };
    let size = std::fs::metadata(&input).unwrap().len();
    eprintln!(
        "generated {size} bytes ({tables} tables, {} COPY blocks, {} rows) in {:?}",
        stats.copy_blocks,
        stats.rows,
        t.elapsed()
    );

    let out = dir.path().join("out");
    let args = [std::ffi::OsStr::new("compile"), input.as_os_str(), "-o".as_ref(), out.as_os_str()];
    // Generous: a debug build of the crate, two shared cores.
    let run = run_measured(&args, Duration::from_secs(60 + 2 * mb as u64));
    let ratio = run.peak_rss_bytes as f64 / size as f64;
    eprintln!(
        "compile: exit {}, {:?}, peak RSS {} MiB for a {} MiB input ({ratio:.2}×)",
        run.status,
        run.elapsed,
        run.peak_rss_bytes >> 20,
        size >> 20
    );
    assert!(run.status <= 1, "compile exited {}: {}", run.status, run.stderr);
    assert!(ratio < 3.0, "peak RSS {} bytes is {ratio:.2}× the input's {size} bytes", run.peak_rss_bytes);

    check_data_exact(&input, &out.join("data.sql"), stats.copy_blocks);
}

fn check_data_exact(input: &Path, data_sql: &Path, copy_blocks: usize) {
    let source = std::fs::read_to_string(input).unwrap();
    let data = std::fs::read_to_string(data_sql).expect("data.sql written");
    let want = data_blocks(&source);
    let got = data_blocks(&data);
    assert_eq!(want.len(), copy_blocks, "the input's COPY blocks");
    assert_eq!(got.len(), want.len(), "data.sql holds every COPY block");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(g == w, "COPY block {i} differs ({} bytes in data.sql, {} in the input)", g.len(), w.len());
    }
}

/// One statement of tens of MB (a multi-row INSERT, as `pg_dump --inserts --rows-per-insert`
/// or a hand-written seed file makes): parsed whole it took ~130× its size in memory; now its
/// first row stands for it, and it is emitted byte for byte.
#[test]
fn a_huge_insert_statement_stays_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("insert.sql");
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    {
        use std::io::Write;
        let mut w = BufWriter::new(File::create(&input).unwrap());
        write!(w, "CREATE TABLE public.t (id integer, v text);\nINSERT INTO public.t VALUES (0, 'row 0')").unwrap();
        for i in 1..1_000_000 {
            write!(w, ",\n({i}, 'row {i}')").unwrap();
        }
        w.write_all(b";\n").unwrap();
    }
    let size = std::fs::metadata(&input).unwrap().len();
    let out = dir.path().join("out");
    let args = [std::ffi::OsStr::new("compile"), input.as_os_str(), "-o".as_ref(), out.as_os_str()];
    let run = run_measured(&args, Duration::from_secs(120));
    let ratio = run.peak_rss_bytes as f64 / size as f64;
    eprintln!(
        "huge INSERT: exit {}, {:?}, peak RSS {} MiB for {} MiB ({ratio:.2}×)",
        run.status,
        run.elapsed,
        run.peak_rss_bytes >> 20,
        size >> 20
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(ratio < 3.0, "peak RSS {} bytes is {ratio:.2}× the input's {size} bytes", run.peak_rss_bytes);
    let source = std::fs::read_to_string(&input).unwrap();
    let insert = &source[source.find("INSERT").unwrap()..];
    let data = std::fs::read_to_string(out.join("data.sql")).unwrap();
    assert!(data.contains(insert), "the INSERT is in data.sql, byte for byte");
}

//! Issue 7, acceptance 3: interrupting a compile (SIGINT) leaves no partial `*.sql` file and no
//! temporary file in the output directory: only nothing, or complete files of a finished run.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pg2znb::synth::{generate_to, SynthOptions};

fn spawn_compile(input: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .arg("compile")
        .arg(input)
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pg2znb")
}

fn sigint(child: &Child) {
    // SAFETY: sending a signal to our own child process.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(r, 0, "kill: {}", std::io::Error::last_os_error());
}

/// Wait with a deadline; a run that hangs is killed and fails the test.
fn wait(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (status.code(), String::from_utf8_lossy(&out.stderr).into_owned());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pg2znb did not finish within {limit:?} of being interrupted");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

fn is_temp(name: &str) -> bool {
    name.contains(".tmp-")
}

/// After an interrupted (or finished) run: no temporary file, and every script present is the
/// complete file of a finished run (the reference run compiled the same input).
fn check_dir(dir: &Path, reference: &Path, code: Option<i32>, what: &str) {
    let found = names(dir);
    assert!(!found.iter().any(|n| is_temp(n)), "{what}: temporary files left: {found:?}");
    for n in found.iter().filter(|n| n.ends_with(".sql") || n.ends_with(".json")) {
        let got = std::fs::read(dir.join(n)).unwrap();
        let want =
            std::fs::read(reference.join(n)).unwrap_or_else(|_| panic!("{what}: {n} is not a script of the run"));
        assert!(got == want, "{what}: {n} is not complete ({} bytes, a finished run writes {})", got.len(), want.len());
    }
    if code == Some(130) {
        // A fresh directory gets all of a run's files or none of them.
        let scripts: Vec<&String> = found.iter().filter(|n| n.ends_with(".sql")).collect();
        assert!(
            scripts.is_empty() || names(reference).iter().filter(|n| n.ends_with(".sql")).count() == scripts.len(),
            "{what}: some scripts of an interrupted run: {scripts:?}"
        );
    }
}

#[test]
fn sigint_leaves_no_partial_script() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("dump.sql");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        let opts =
            SynthOptions { tables: 40, with_data: true, target_bytes: Some(48 << 20), seed: 7, ..Default::default() };
        generate_to(&mut w, &opts).unwrap();
    }

    // A finished run, for reference and timing.
    let reference = tmp.path().join("reference");
    let start = Instant::now();
    let (code, err) = wait(spawn_compile(&input, &reference), Duration::from_secs(120));
    let full = start.elapsed();
    assert_eq!(code, Some(0), "{err}");
    assert!(reference.join("data.sql").is_file());

    let mut interrupted = 0;
    // 1. While an output is being written: as soon as a temporary file appears.
    let during_write = {
        let out = tmp.path().join("during-write");
        let child = spawn_compile(&input, &out);
        let deadline = Instant::now() + full * 3 + Duration::from_secs(10);
        while Instant::now() < deadline && !names(&out).iter().any(|n| is_temp(n)) {
            if std::fs::metadata(out.join("report.json")).is_ok() {
                break; // finished before we saw it
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let during_write = names(&out).iter().any(|n| is_temp(n));
        sigint(&child);
        let (code, err) = wait(child, Duration::from_secs(10));
        eprintln!("interrupted while writing ({during_write}): exit {code:?}; {}", err.trim());
        assert!(code == Some(130) || code == Some(0), "exit {code:?}: {err}");
        interrupted += usize::from(code == Some(130));
        check_dir(&out, &reference, code, "during write");
        during_write
    };
    // 2. At fractions of a full run's time, into fresh directories and over a finished run's.
    for (i, f) in [0.05, 0.3, 0.6, 0.8, 0.9, 0.97].iter().enumerate() {
        let out = tmp.path().join(format!("at-{i}"));
        if i % 2 == 1 {
            // Over the output of a finished run: that output must survive intact.
            for n in names(&reference) {
                std::fs::copy(reference.join(&n), {
                    std::fs::create_dir_all(&out).unwrap();
                    out.join(&n)
                })
                .unwrap();
            }
        }
        let child = spawn_compile(&input, &out);
        std::thread::sleep(full.mul_f64(*f));
        sigint(&child);
        let (code, err) = wait(child, Duration::from_secs(10));
        eprintln!("interrupted at {f} of {full:?}: exit {code:?}");
        assert!(code == Some(130) || code == Some(0), "exit {code:?}: {err}");
        interrupted += usize::from(code == Some(130));
        check_dir(&out, &reference, code, &format!("at {f}"));
    }
    assert!(interrupted >= 3, "only {interrupted} runs were actually interrupted");
    if !during_write {
        eprintln!("note: no temporary file was seen before the run ended; the write-phase case was not hit");
    }
}

//! Replay the fuzz corpus (`corpus/compile/`), any crash artifacts (`artifacts/compile/`) and
//! the project's regression inputs (`../fixtures/regressions/`) through the fuzzed function on
//! the stable toolchain: `cargo test` in `fuzz/`.

use std::path::{Path, PathBuf};

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn replay_corpus_artifacts_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for p in files_below(&root.join("corpus/compile")).into_iter().chain(files_below(&root.join("artifacts/compile"))) {
        // A running fuzzer may remove files from its corpus meanwhile.
        if let Ok(data) = std::fs::read(&p) {
            inputs.push((p.display().to_string(), data));
        }
    }
    // Regression inputs: a file, or a directory of files compiled as one program (0x1C between them).
    let regressions = root.join("../fixtures/regressions");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&regressions).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for e in entries {
        let parts: Vec<Vec<u8>> = if e.is_dir() { files_below(&e) } else { vec![e.clone()] }
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        inputs.push((e.display().to_string(), parts.join(&0x1Cu8)));
    }
    assert!(!inputs.is_empty(), "nothing to replay");
    let mut failures = Vec::new();
    for (name, data) in &inputs {
        if std::panic::catch_unwind(|| pg2znb_fuzz::run(data)).is_err() {
            failures.push(name.clone());
        }
    }
    eprintln!("replayed {} inputs", inputs.len());
    assert!(failures.is_empty(), "inputs that fail: {failures:?}");
}

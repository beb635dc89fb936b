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
    let mut inputs = files_below(&root.join("corpus/compile"));
    inputs.extend(files_below(&root.join("artifacts/compile")));
    let regressions = root.join("../fixtures/regressions");
    for p in files_below(&regressions) {
        inputs.push(p);
    }
    assert!(!inputs.is_empty(), "nothing to replay");
    let mut failures = Vec::new();
    for p in &inputs {
        let data = std::fs::read(p).unwrap();
        if std::panic::catch_unwind(|| pg2znb_fuzz::run(&data)).is_err() {
            failures.push(p.display().to_string());
        }
    }
    eprintln!("replayed {} inputs", inputs.len());
    assert!(failures.is_empty(), "inputs that fail: {failures:?}");
}

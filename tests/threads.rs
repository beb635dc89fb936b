//! Issue 6, acceptance 3: the output does not depend on parallelism. Each input is compiled by
//! the binary with `--threads 1`, with the default (all cores) and with more threads than cores;
//! every output file and the summary must be byte-identical.
//!
//! Inputs: fixtures, a synthetic dump large enough to be parsed in several chunks, and, when
//! `../shared/corpus` is present, corpus schema files and the pg-regress directory (many files
//! in one run, `SET search_path` changes inside parse chunks).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pg2znb::synth::{generate, SynthOptions};
use support::corpus::corpus_dir;

/// Compile `inputs` into `out` with the given `--threads`; return every output file's bytes
/// and the summary (with the output directory's name taken out).
fn compile(inputs: &[&Path], out: &Path, threads: Option<usize>) -> BTreeMap<String, Vec<u8>> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pg2znb"));
    cmd.arg("compile");
    if let Some(t) = threads {
        cmd.arg("--threads").arg(t.to_string());
    }
    cmd.args(inputs).arg("-o").arg(out).arg("--force");
    let o = cmd.output().expect("run pg2znb");
    let stderr = String::from_utf8_lossy(&o.stderr).replace(&out.display().to_string(), "OUT");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{threads:?}: {stderr}");
    let mut files = BTreeMap::new();
    files.insert("<stderr>".to_string(), stderr.into_bytes());
    files.insert("<exit>".to_string(), format!("{:?}", o.status.code()).into_bytes());
    for e in std::fs::read_dir(out).unwrap() {
        let p = e.unwrap().path();
        files.insert(p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap());
    }
    files
}

fn same_output_whatever_the_threads(name: &str, inputs: &[&Path]) {
    let dir = tempfile::tempdir().unwrap();
    type Run = (Option<usize>, BTreeMap<String, Vec<u8>>);
    let runs: Vec<Run> = [Some(1), None, Some(3)]
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, compile(inputs, &dir.path().join(format!("out{i}")), t)))
        .collect();
    let (_, single) = &runs[0];
    assert!(single.contains_key("pre-data.sql") && single.contains_key("report.json"), "{name}: outputs written");
    for (threads, files) in &runs[1..] {
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            single.keys().collect::<Vec<_>>(),
            "{name}: --threads {threads:?} wrote other files than --threads 1"
        );
        for (f, bytes) in files {
            assert!(bytes == &single[f], "{name}: {f} differs between --threads 1 and --threads {threads:?}");
        }
    }
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

#[test]
fn fixtures_compile_identically_on_one_thread_and_many() {
    for f in [
        "pagila/pagila-schema-a8bdd3e.sql",
        "compile/full-dump.sql",
        "compile/broken-input.sql",
        "compile/search-path.sql",
    ] {
        same_output_whatever_the_threads(f, &[&fixture(f)]);
    }
}

#[test]
fn a_synthetic_schema_compiles_identically_on_one_thread_and_many() {
    // ~1 MB: several parse chunks, so chunk boundaries and the pipeline are exercised.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic.sql");
    let sql = generate(&SynthOptions { tables: 400, seed: 7, ..SynthOptions::default() });
    assert!(sql.len() > 600_000, "{}", sql.len());
    std::fs::write(&p, sql).unwrap();
    same_output_whatever_the_threads("synthetic N=400", &[&p]);
}

#[test]
fn corpus_files_compile_identically_on_one_thread_and_many() {
    let Some(corpus) = corpus_dir() else { return };
    for f in [
        "pgdump15-generated/pagila-full-pgdump15.sql",
        "danbooru/structure.sql",
        "coder/dump.sql",
        "adventureworks/install.sql",
    ] {
        same_output_whatever_the_threads(f, &[&corpus.join(f)]);
    }
    // Many files in one run, with SET search_path changes inside parse chunks.
    same_output_whatever_the_threads("pg-regress/", &[&corpus.join("pg-regress")]);
}

//! Layers point one way (ARCHITECTURE.md): the IR owns its vocabulary (statements, names, their
//! text, the kinds of deliberate change) and imports nothing from the stages that read it; the
//! compile pipeline never reaches into the data path. A `use` of a later layer fails this test.

use std::path::Path;

/// (directory or file under src/, modules it must not name)
const RULES: &[(&str, &[&str])] = &[
    ("ir", &["emit", "manifest", "rules", "order", "report", "render", "compile", "unsupported", "verify", "data"]),
    ("source.rs", &["ir", "emit", "manifest", "rules", "order", "report", "render", "compile"]),
    ("scan", &["ir", "emit", "manifest", "rules", "order", "report", "render", "compile"]),
    ("rules", &["emit", "manifest", "report", "render", "compile", "data", "verify"]),
    ("emit.rs", &["rules", "report", "render", "compile", "data", "verify"]),
    ("manifest.rs", &["rules", "emit", "report", "render", "compile", "data"]),
    ("order.rs", &["emit", "manifest", "report", "render", "compile", "data", "verify"]),
];

fn rust_files(p: &Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_path_buf());
    }
}

#[test]
fn layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, forbidden) in RULES {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer}: no Rust files (renamed? update this test)");
        // `rules test` and `rules docs` are tools on top of the pipeline, not a stage of it.
        for f in files.into_iter().filter(|f| !f.ends_with("rules/harness.rs")) {
            let text = std::fs::read_to_string(&f).unwrap();
            // Unit tests may drive the whole pipeline; the layers are about the code they test.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                for m in *forbidden {
                    if line.contains(&format!("crate::{m}::")) || line.contains(&format!("crate::{m};")) {
                        wrong.push(format!("{}:{}: {} uses crate::{m}", f.display(), n + 1, layer));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "layers point the wrong way:\n{}", wrong.join("\n"));
}

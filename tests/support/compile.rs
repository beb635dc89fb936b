//! Running the compile pipeline from tests, through the library.

use std::path::Path;

use pg2znb::compile::{compile, Compilation};
use pg2znb::rules::{ApplyOptions, RulePack};
use pg2znb::source::SourceFile;

pub fn compile_file(path: &Path) -> Compilation {
    compile_with(path, &ApplyOptions::default())
}

pub fn compile_with(path: &Path, opts: &ApplyOptions) -> Compilation {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    compile(vec![SourceFile::new(name, text)], &RulePack::builtin().expect("built-in rules load"), opts)
}

/// Everything a user sees, as one text: the three scripts, each statement's fate, diagnostics.
pub fn describe(c: &Compilation) -> String {
    let mut out = String::new();
    out.push_str("==== pre-data.sql\n");
    out.push_str(&c.scripts.pre_data);
    if let Some(d) = &c.scripts.data {
        out.push_str("==== data.sql\n");
        out.push_str(d);
    }
    out.push_str("==== post-data.sql\n");
    out.push_str(&c.scripts.post_data);
    out.push_str("==== statements (line kind object: fate phase rules)\n");
    for s in &c.report.statements {
        out.push_str(&format!(
            "{:>4} {} {}: {} {} {}{}\n",
            s.line,
            s.kind,
            s.object.as_deref().unwrap_or("-"),
            s.fate.as_str(),
            s.phase.as_str(),
            s.rules.join(","),
            s.phase_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        ));
    }
    out.push_str("==== diagnostics\n");
    for d in &c.report.diagnostics {
        out.push_str(&format!(
            "{} {} {}:{}: {}\n",
            d.code,
            d.severity.as_str(),
            d.line.unwrap_or(0),
            d.column.unwrap_or(0),
            d.message
        ));
    }
    out
}

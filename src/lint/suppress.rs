//! Inline suppressions:
//!
//! * `-- pg2znb: ignore ZN801[, ZN803 …] [-- reason]` on the comment line(s) directly before a
//!   statement suppresses those codes (or rule ids) for the whole statement, its routine body
//!   included; the same comment on a line of its own inside a statement (e.g. in a function body)
//!   suppresses them on the next line that is not a comment;
//! * `-- pg2znb: ignore-file ZN801 …` anywhere suppresses them in the whole file.
//!
//! A suppression naming a code no rule has is reported (`E201`), and so is one that suppressed
//! nothing while its rule ran (`E202`).

use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::Ir;
use crate::rules::{ApplyOptions, RulePack};
use crate::scan::PieceKind;
use crate::source::{FileId, SourceFile, Span};

/// Codes of diagnostics that are not rules but may be suppressed.
const STAGE_CODES: &[&str] = &["E001", "E002", "E003", "E101", "E900"];

#[derive(Debug)]
struct Suppression {
    file: FileId,
    /// Each code with where it is written (for E201/E202).
    codes: Vec<(String, Span)>,
    /// What it covers: a byte range of its file (`None`: the whole file).
    covers: Option<Span>,
    used: Vec<bool>,
}

/// A parsed comment: file-wide or not, the codes with their spans, the comment's span.
type Parsed = (bool, Vec<(String, Span)>, Span);

/// Parse `pg2znb: ignore…` in one comment line; `line_start` is the line's offset in the file.
fn parse_line(line: &str, line_start: usize) -> Option<Parsed> {
    let c = line.find("--")?;
    let body = &line[c + 2..];
    let key = body.find("pg2znb:")?;
    let rest_at = c + 2 + key + "pg2znb:".len();
    let rest = &line[rest_at..];
    let trimmed = rest.trim_start();
    let (file_wide, after) = if let Some(a) = trimmed.strip_prefix("ignore-file") {
        (true, a)
    } else if let Some(a) = trimmed.strip_prefix("ignore") {
        (false, a)
    } else {
        return None;
    };
    let list_at = rest_at + (rest.len() - after.len());
    let list = after.split("--").next().unwrap_or("");
    let mut codes = Vec::new();
    let mut offset = 0;
    for part in list.split([',', ' ', '\t']) {
        let at = offset;
        offset += part.len() + 1;
        if !part.trim().is_empty() {
            let s = line_start + list_at + at;
            codes.push((part.trim().to_string(), Span::new(s, s + part.len())));
        }
    }
    let span = Span::new(line_start + c, line_start + line.trim_end().len());
    Some((file_wide, codes, span))
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

fn collect(files: &[SourceFile], ir: &Ir, inputs: usize) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (file, src) in files.iter().enumerate().take(inputs) {
        if !src.text.contains("pg2znb:") {
            continue;
        }
        // File-wide ones, anywhere.
        for (start, line) in lines(&src.text) {
            if let Some((true, codes, _)) = parse_line(line, start) {
                let used = vec![false; codes.len()];
                out.push(Suppression { file, codes, covers: None, used });
            }
        }
        for st in ir.stmts.iter().filter(|s| s.file == file && s.piece == PieceKind::Statement) {
            // Directly before the statement: the comment lines at the end of its trivia.
            let trivia = src.slice(st.trivia);
            let mut block: Vec<(usize, &str)> = lines(trivia).map(|(o, l)| (st.trivia.start + o, l)).collect();
            while block.last().is_some_and(|(_, l)| l.trim().is_empty()) {
                block.pop();
            }
            for &(start, line) in block.iter().rev() {
                if !line.trim_start().starts_with("--") {
                    break;
                }
                if let Some((false, codes, _)) = parse_line(line, start) {
                    let used = vec![false; codes.len()];
                    out.push(Suppression { file, codes, covers: Some(st.span), used });
                }
            }
            // Inside the statement, on a line of its own: the next line that is not a comment.
            let text = src.slice(st.span);
            if !text.contains("pg2znb:") {
                continue;
            }
            let inner: Vec<(usize, &str)> = lines(text).map(|(o, l)| (st.span.start + o, l)).collect();
            for (k, &(start, line)) in inner.iter().enumerate() {
                if !line.trim_start().starts_with("--") {
                    continue;
                }
                if let Some((false, codes, _)) = parse_line(line, start) {
                    let next =
                        inner[k + 1..].iter().find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("--"));
                    if let Some(&(ns, nl)) = next {
                        let used = vec![false; codes.len()];
                        out.push(Suppression { file, codes, covers: Some(Span::new(ns, ns + nl.len())), used });
                    }
                }
            }
        }
    }
    out
}

/// Remove suppressed diagnostics of the first `inputs` files and report unknown (`E201`) and
/// unused (`E202`) suppressions. `opts` tells which rules ran (only those can leave a
/// suppression unused).
pub fn suppress(
    files: &[SourceFile],
    ir: &Ir,
    diagnostics: Vec<Diagnostic>,
    pack: &RulePack,
    opts: &ApplyOptions,
    inputs: usize,
) -> Vec<Diagnostic> {
    let mut sups = collect(files, ir, inputs);
    if sups.is_empty() {
        return diagnostics;
    }
    let matches = |code: &str, d: &Diagnostic| code.eq_ignore_ascii_case(&d.code) || code == d.rule;
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let Some(loc) = d.location else {
            kept.push(d);
            continue;
        };
        let mut suppressed = false;
        for s in sups.iter_mut().filter(|s| s.file == loc.file) {
            let inside = s.covers.is_none_or(|c| loc.span.start >= c.start && loc.span.start < c.end.max(c.start + 1));
            if !inside {
                continue;
            }
            for (i, (code, _)) in s.codes.iter().enumerate() {
                if matches(code, &d) {
                    s.used[i] = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(d);
        }
    }
    let target = pack.targets.index(&opts.target);
    for s in &sups {
        for (i, (code, span)) in s.codes.iter().enumerate() {
            let rule = pack.find(code);
            let known = rule.is_some() || STAGE_CODES.iter().any(|c| c.eq_ignore_ascii_case(code));
            if !known {
                kept.push(
                    Diagnostic::new(
                        "E201",
                        "suppress",
                        Severity::Warning,
                        format!("unknown code `{code}` in a pg2znb: ignore comment"),
                    )
                    .at(s.file, *span)
                    .with_help("use a rule code such as ZN801 or a rule id (`pg2znb rules list`)"),
                );
            } else if !s.used[i] && rule.is_none_or(|r| r.enabled(opts, target)) {
                let what = if s.covers.is_none() { "in this file" } else { "here" };
                kept.push(
                    Diagnostic::new(
                        "E202",
                        "suppress",
                        Severity::Warning,
                        format!("`{code}` is suppressed {what} but reported nothing"),
                    )
                    .at(s.file, *span)
                    .with_help("remove the code from the comment"),
                );
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_reason() {
        let (wide, codes, _) = parse_line("-- pg2znb: ignore ZN801, ZN803 -- we know", 100).unwrap();
        assert!(!wide);
        let names: Vec<&str> = codes.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["ZN801", "ZN803"]);
        assert_eq!(codes[0].1, Span::new(100 + 18, 100 + 23));
        let (wide, codes, _) = parse_line("  -- pg2znb: ignore-file advisory-lock-noop", 0).unwrap();
        assert!(wide);
        assert_eq!(codes[0].0, "advisory-lock-noop");
        assert!(parse_line("-- name: GetUser :one", 0).is_none());
    }
}

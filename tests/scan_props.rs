//! Property tests for the scanner (issue 7): on any input it terminates, never panics and its
//! pieces tile the input; on any concatenation of corpus statements it finds exactly the
//! statements (and COPY blocks and meta-commands) of the parts, in order.
//!
//! Case counts are fixed (see `CASES`) so the file runs in seconds in a debug build;
//! `PROPTEST_CASES` overrides them for a longer local run.

mod support;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use pg2znb::scan::{scan, PieceKind, Scan};
use proptest::prelude::*;

const CASES: u32 = 1024;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Scan on another thread and fail if it takes longer than a few seconds: "terminates".
fn scan_bounded(text: &str) -> Scan {
    let owned = text.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(scan(&owned));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(s) => s,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("scan did not finish within 10 s on {text:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("scan panicked on {text:?}"),
    }
}

/// PostgreSQL's whitespace (`space` in scan.l): not Unicode's, so a no-break space starts a token.
fn pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

/// The tiling invariant, and that each piece looks like its kind.
fn check_tiling(text: &str, s: &Scan) -> Result<(), TestCaseError> {
    let mut at = 0;
    for (i, p) in s.pieces.iter().enumerate() {
        prop_assert_eq!(p.span.start, at, "piece {} starts after a gap or overlap", i);
        prop_assert!(p.span.end > p.span.start, "piece {} ({:?}) is empty", i, p.kind);
        prop_assert!(text.is_char_boundary(p.span.start) && text.is_char_boundary(p.span.end));
        let t = p.text(text);
        match p.kind {
            PieceKind::Whitespace => {
                prop_assert!(t.chars().all(|c| pg_space(c) || c == '\u{feff}'), "whitespace piece {:?}", t)
            }
            PieceKind::Comment => prop_assert!(t.starts_with("--") || t.starts_with("/*"), "comment piece {:?}", t),
            PieceKind::Meta => prop_assert!(t.starts_with('\\') && !t.contains('\n'), "meta piece {:?}", t),
            PieceKind::Statement => {
                prop_assert!(!t.starts_with(pg_space), "statement starts with a space: {:?}", t)
            }
            PieceKind::CopyData => {}
        }
        at = p.span.end;
    }
    prop_assert_eq!(at, text.len(), "pieces stop before the end of input");
    for e in &s.errors {
        prop_assert!(e.offset <= text.len());
    }
    Ok(())
}

/// Fragments that steer random input into the scanner's interesting states.
const TOKENS: &[&str] = &[
    "'",
    "\"",
    "$$",
    "$a$",
    "$_1$",
    "$",
    ";",
    "\\",
    "\\.",
    "\\.\n",
    "\\copy t from stdin\n",
    "--",
    "/*",
    "*/",
    "(",
    ")",
    "\n",
    "\r\n",
    " ",
    "\t",
    "E'",
    "e'\\'",
    "U&'",
    "B'",
    "X'",
    "''",
    "\"\"",
    "COPY t FROM stdin;\n",
    "COPY t (a) FROM STDIN WITH (FORMAT csv);\n",
    "BEGIN ATOMIC ",
    "END",
    "CASE ",
    "CREATE FUNCTION f() ",
    "SET standard_conforming_strings = off;",
    "SET standard_conforming_strings = on;",
    "\\connect db\n",
    "\\restrict k\n",
    "SELECT 1",
    "x",
    "é",
    "\u{feff}",
    "\0",
    "𝄞",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![4 => prop::sample::select(TOKENS).prop_map(str::to_string), 1 => any::<char>().prop_map(String::from)], 0..80)
        .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Arbitrary bytes, decoded as the CLI would see them (invalid sequences replaced).
    #[test]
    fn arbitrary_bytes_tile(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        let s = scan_bounded(&text);
        check_tiling(&text, &s)?;
    }

    /// Random mixtures of quotes, dollar tags, comments, COPY headers and meta-commands.
    #[test]
    fn token_soup_tiles(text in token_soup()) {
        let s = scan_bounded(&text);
        check_tiling(&text, &s)?;
    }

    /// Any prefix of a token soup tiles too (a truncated dump).
    #[test]
    fn truncated_soup_tiles(text in token_soup(), cut in any::<prop::sample::Index>()) {
        let mut end = cut.index(text.len() + 1);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let s = scan_bounded(&text[..end]);
        check_tiling(&text[..end], &s)?;
    }
}

/// A self-contained part of a script: one statement (with its COPY data) or one meta-command,
/// with the (kind, text) of its meaningful pieces when scanned alone.
#[derive(Clone, Debug)]
struct Unit {
    text: String,
    pieces: Vec<(PieceKind, String)>,
}

fn meaningful(text: &str, s: &Scan) -> Vec<(PieceKind, String)> {
    s.pieces
        .iter()
        .filter(|p| matches!(p.kind, PieceKind::Statement | PieceKind::CopyData | PieceKind::Meta))
        .map(|p| (p.kind, p.text(text).to_string()))
        .collect()
}

/// Units cut from the fixtures and the corpus: every statement that ends with `;` (with its
/// data block), every meta-command; not the statements that change how later ones scan.
fn units() -> Vec<Unit> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = support::corpus::sql_files(&root.join("fixtures"));
    if let Some(dir) = support::corpus::corpus_dir() {
        files.extend(support::corpus::sql_files(&dir));
    }
    let mut out = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let s = scan(&text);
        if !s.errors.is_empty() {
            continue;
        }
        for (i, p) in s.pieces.iter().enumerate() {
            let t = p.text(&text);
            let unit = match p.kind {
                PieceKind::Statement
                    if t.ends_with(';') && !t.to_lowercase().contains("standard_conforming_strings") =>
                {
                    match s.copy_data_of(i) {
                        Some(d) => format!("{t}\n{}", s.pieces[d].text(&text)),
                        None => t.to_string(),
                    }
                }
                PieceKind::Meta => match s.copy_data_of(i) {
                    Some(d) => format!("{t}\n{}", s.pieces[d].text(&text)),
                    None => t.to_string(),
                },
                _ => continue,
            };
            let alone = scan(&unit);
            if alone.errors.is_empty() {
                out.push(Unit { pieces: meaningful(&unit, &alone), text: unit });
            }
        }
        if out.len() > 20_000 {
            break;
        }
    }
    out
}

#[test]
fn concatenated_statements_add_up() {
    let units = units();
    assert!(units.len() > 100, "only {} units found", units.len());
    let mut runner = proptest::test_runner::TestRunner::new(config(256));
    let strategy = prop::collection::vec(
        (0..units.len(), prop::sample::select(vec!["\n", "\n\n", "\n-- note\n", "\n/* c */ \n"])),
        1..60,
    );
    runner
        .run(&strategy, |picks| {
            let mut text = String::new();
            let mut want = Vec::new();
            for (i, sep) in &picks {
                text.push_str(&units[*i].text);
                text.push_str(sep);
                want.extend(units[*i].pieces.iter().cloned());
            }
            let s = scan_bounded(&text);
            check_tiling(&text, &s)?;
            let got = meaningful(&text, &s);
            prop_assert_eq!(got.len(), want.len(), "statement count of the concatenation");
            prop_assert_eq!(got, want);
            Ok(())
        })
        .unwrap();
}

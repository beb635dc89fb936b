//! The scanner's invariant on real input: for every `.sql` file of the corpus and of `fixtures/`,
//! the pieces tile the file exactly, no piece is empty, and every piece looks like its kind.

mod support;

use std::path::{Path, PathBuf};

use pg2znb::scan::{scan, PieceKind, Scan};

/// Files of the corpus that must scan without a single error.
const CLEAN_FILES: &[&str] = &[
    "pagila/pagila-schema-a8bdd3e.sql",
    "pagila/pagila-schema.sql",
    "pgdump15-generated/pagila-full-pgdump15.sql",
    "northwind/northwind.sql",
    "danbooru/structure.sql",
    "coder/dump.sql",
    "openstreetmap-website/structure.sql",
    "dvdrental/restore.sql",
    "chinook/Chinook_PostgreSql.sql",
    "adventureworks/install.sql",
];

/// Every `.sql` file to check: the corpus (when present) and the project's fixtures.
fn all_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(dir) = support::corpus::corpus_dir() {
        files.extend(support::corpus::sql_files(&dir));
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    if fixtures.is_dir() {
        files.extend(support::corpus::sql_files(&fixtures));
    }
    files
}

/// Read a file as UTF-8, or `None` (with a note) when it is not.
fn read_utf8(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            eprintln!("note: skipping {} (not UTF-8: {})", path.display(), e.utf8_error());
            None
        }
    }
}

/// The problems with one file's scan, as messages (empty when all is well).
fn problems(text: &str, s: &Scan) -> Vec<String> {
    let mut out = Vec::new();
    let joined: String = s.pieces.iter().map(|p| &text[p.span.start..p.span.end]).collect();
    if joined != text {
        out.push(format!("pieces do not tile the input ({} bytes joined, {} in the file)", joined.len(), text.len()));
    }
    let mut at = 0;
    for (i, p) in s.pieces.iter().enumerate() {
        let t = &text[p.span.start..p.span.end];
        let head: String = t.chars().take(40).collect();
        if p.span.start != at {
            out.push(format!("piece {i} starts at {} instead of {at}", p.span.start));
        }
        at = p.span.end;
        if t.is_empty() {
            out.push(format!("piece {i} ({:?}) at {} is empty", p.kind, p.span.start));
            continue;
        }
        let fine = match p.kind {
            PieceKind::Statement => {
                let c = t.chars().next().unwrap();
                !c.is_whitespace() && !t.starts_with("--") && !t.starts_with("/*") && c != '\\'
            }
            PieceKind::Comment => t.starts_with("--") || t.starts_with("/*"),
            PieceKind::Meta => t.starts_with('\\') && !t.contains('\n'),
            PieceKind::Whitespace => t.chars().all(|c| c.is_whitespace() || c == '\u{feff}'),
            PieceKind::CopyData => true,
        };
        if !fine {
            out.push(format!("piece {i} ({:?}) at {} does not look like its kind: {head:?}", p.kind, p.span.start));
        }
    }
    out
}

#[test]
fn every_sql_file_tiles() {
    let files = all_files();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let Some(text) = read_utf8(path) else {
            continue;
        };
        let s = scan(&text);
        checked += 1;
        let p = problems(&text, &s);
        if !p.is_empty() {
            failures.push(format!(
                "{}: {} pieces, {} problems:\n  {}",
                path.display(),
                s.pieces.len(),
                p.len(),
                p.join("\n  ")
            ));
        }
    }
    eprintln!("checked {checked} of {} .sql files", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn known_dumps_scan_without_errors() {
    let Some(dir) = support::corpus::corpus_dir() else {
        return;
    };
    let mut failures = Vec::new();
    for name in CLEAN_FILES {
        let path = dir.join(name);
        let Some(text) = read_utf8(&path) else {
            failures.push(format!("{name}: not UTF-8"));
            continue;
        };
        let s = scan(&text);
        if !s.errors.is_empty() {
            failures.push(format!("{name}: {} pieces, errors: {:?}", s.pieces.len(), s.errors));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pagila_full_dump_has_one_data_block_per_copy() {
    let Some(dir) = support::corpus::corpus_dir() else {
        return;
    };
    let text = read_utf8(&dir.join("pgdump15-generated/pagila-full-pgdump15.sql")).expect("pagila dump is UTF-8");
    let copies = text.lines().filter(|l| l.starts_with("COPY ") && l.ends_with(" FROM stdin;")).count();
    let s = scan(&text);
    let data: Vec<usize> = (0..s.pieces.len()).filter(|&i| s.pieces[i].kind == PieceKind::CopyData).collect();
    assert!(copies > 0);
    assert_eq!(data.len(), copies, "CopyData pieces vs `COPY … FROM stdin;` lines");
    for &i in &data {
        let block = s.pieces[i].text(&text);
        assert!(block.ends_with("\\.\n"), "data block {i} does not end with the \\. line");
        let command = s.copy_command_of(i).expect("every data block follows its COPY statement");
        assert!(s.pieces[command].text(&text).starts_with("COPY "));
        assert_eq!(s.copy_data_of(command), Some(i));
    }
    // The `\restrict` line at the top and the `\unrestrict` line at the end are meta-commands.
    let metas: Vec<&str> = s.pieces.iter().filter(|p| p.kind == PieceKind::Meta).map(|p| p.text(&text)).collect();
    assert_eq!(metas.len(), 2, "{metas:?}");
    assert!(metas[0].starts_with("\\restrict ") && metas[1].starts_with("\\unrestrict "), "{metas:?}");
}

#[test]
fn dvdrental_copy_from_files_has_no_data_but_stdin_copies_do() {
    let Some(dir) = support::corpus::corpus_dir() else {
        return;
    };
    let text = read_utf8(&dir.join("dvdrental/restore.sql")).expect("dvdrental is UTF-8");
    let s = scan(&text);
    let stdin = text.lines().filter(|l| l.starts_with("COPY ") && l.ends_with(" FROM stdin;")).count();
    let data = s.pieces.iter().filter(|p| p.kind == PieceKind::CopyData).count();
    assert!(stdin > 0);
    assert_eq!(data, stdin);
    let from_file = s.statements().filter(|p| p.text(&text).contains("FROM '$$PATH$$/")).count();
    assert_eq!(from_file, stdin);
    assert!(s.pieces.iter().any(|p| p.kind == PieceKind::Meta && p.text(&text).starts_with("\\connect ")));
}

/// An independent check of the statement boundaries: PostgreSQL's own scanner (through pg_query)
/// sees exactly one statement in every statement piece of the known dumps. (psql-only splits, such
/// as `BEGIN ATOMIC` bodies and `\;`, do not occur in these files.)
#[test]
fn known_dumps_agree_with_the_server_scanner() {
    let Some(dir) = support::corpus::corpus_dir() else {
        return;
    };
    let mut failures = Vec::new();
    for name in CLEAN_FILES {
        let Some(text) = read_utf8(&dir.join(name)) else {
            continue;
        };
        for p in scan(&text).statements() {
            let t = p.text(&text);
            match pg_query::split_with_scanner(t) {
                Ok(parts) if parts.len() == 1 => {}
                other => {
                    let head: String = t.chars().take(80).collect();
                    failures.push(format!("{name}:{}: {:?} for {head:?}", p.span.start, other.map(|v| v.len())));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

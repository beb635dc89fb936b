//! pg_stat_statements exports (`--pgss FILE`): the queries an application really runs, with how
//! often it runs them. Two shapes are read:
//!
//! - CSV with a header that has a `query` column (and optionally `calls`, `queryid`), as
//!   `\copy (select query, calls from pg_stat_statements) to 'pgss.csv' csv header` writes it;
//!   quoted fields may span lines and double their quotes (the `csv` crate reads them).
//! - JSON lines: one object per line with `query` (and optionally `calls`, `queryid`), as
//!   `psql -XAt -c 'select to_jsonb(s) from pg_stat_statements s' > pgss.jsonl` writes it (every
//!   other column is ignored). `\copy (select to_jsonb(s) …) to 'pgss.jsonl'` works too: COPY's
//!   text format doubles the backslashes of JSON's escapes, and the reader undoes that.
//!
//! The shape comes from the extension (`.csv`; `.jsonl`, `.ndjson`, `.json`), else from the
//! content (a first `{` means JSON lines). Each query records where it came from, `FILE:line N`
//! with the line of the export where its text starts (in a CSV export, after the header and
//! after any quoted newlines before it), so findings can point back at the export.

use std::path::Path;

use serde_json::Value;

use crate::render::format::{Queries, QueryOrigin};
use crate::source::SourceFile;

/// What pg_stat_statements shows instead of the text of another user's query.
pub const HIDDEN_QUERY: &str = "<insufficient privilege>";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgssFormat {
    Csv,
    JsonLines,
}

/// One query of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgssQuery {
    /// The query text as pg_stat_statements normalised it (constants become `$1`, `$2`, …).
    pub query: String,
    pub calls: Option<u64>,
    /// `queryid` as written in the export (a 64-bit signed number), when it has one.
    pub queryid: Option<String>,
    /// `FILE:line N`: the line of the export where the query text starts.
    pub origin: String,
    /// The export file as given.
    pub file: String,
    /// 1-based line of the export where the query text starts.
    pub line: usize,
    pub format: PgssFormat,
}

impl PgssQuery {
    /// `true` for `<insufficient privilege>` rows: the export was made by a role that may not
    /// see other users' query texts (use a superuser or a member of `pg_read_all_stats`).
    pub fn is_hidden(&self) -> bool {
        self.query.trim() == HIDDEN_QUERY
    }

    /// The context renderers report with each finding in this query.
    pub fn query_origin(&self) -> QueryOrigin {
        QueryOrigin {
            origin: self.origin.clone(),
            calls: self.calls,
            export: self.file.clone(),
            line: self.line,
            multiline: self.format == PgssFormat::Csv,
        }
    }

    /// The query as a source file named by its origin.
    pub fn source_file(&self) -> SourceFile {
        SourceFile::new(self.origin.clone(), self.query.clone())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PgssError {
    /// The message includes the I/O error (it is not a `source`, so a chain prints it once).
    #[error("{file}: {}", describe_io(error))]
    Io { file: String, error: std::io::Error },
    /// A position in the export and what is wrong there.
    #[error("{file}:{line}{}: {message}", column.map(|c| format!(":{c}")).unwrap_or_default())]
    Invalid { file: String, line: usize, column: Option<usize>, message: String },
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ => format!("cannot read: {e}"),
    }
}

fn invalid(file: &str, line: usize, column: Option<usize>, message: impl Into<String>) -> PgssError {
    PgssError::Invalid { file: file.to_string(), line, column, message: message.into() }
}

/// Read an export file (UTF-8), detecting its shape.
pub fn read(path: &Path) -> Result<Vec<PgssQuery>, PgssError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| PgssError::Io { file: name.clone(), error })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        invalid(&name, line, None, "not valid UTF-8; convert the export first, e.g. `iconv -f LATIN1 -t UTF-8`")
    })?;
    parse(&name, &text, None)
}

/// The shape of an export: by extension, else by content.
pub fn detect(name: &str, text: &str) -> PgssFormat {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => PgssFormat::Csv,
        Some("jsonl" | "ndjson" | "json") => PgssFormat::JsonLines,
        _ if text.trim_start_matches('\u{feff}').trim_start().starts_with('{') => PgssFormat::JsonLines,
        _ => PgssFormat::Csv,
    }
}

/// Parse export text; `name` is used in origins and errors. `format: None` detects it.
/// Rows whose query is empty are left out; `<insufficient privilege>` rows are kept (see
/// `PgssQuery::is_hidden`).
pub fn parse(name: &str, text: &str, format: Option<PgssFormat>) -> Result<Vec<PgssQuery>, PgssError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format.unwrap_or_else(|| detect(name, text)) {
        PgssFormat::Csv => parse_csv(name, text),
        PgssFormat::JsonLines => parse_json_lines(name, text),
    }
}

fn parse_calls(file: &str, line: usize, column: Option<usize>, raw: &str) -> Result<Option<u64>, PgssError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<u64>().map(Some).map_err(|_| invalid(file, line, column, format!("`calls` is `{raw}`, not a count")))
}

fn parse_csv(name: &str, text: &str) -> Result<Vec<PgssQuery>, PgssError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("bad CSV: a row has {len} fields where the header has {expected_len}")
            }
            _ => format!("bad CSV: {e}"),
        };
        invalid(name, line, None, message)
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |want: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(want));
    let Some(query_col) = column("query") else {
        let found: Vec<&str> = headers.iter().collect();
        return Err(invalid(
            name,
            1,
            None,
            format!(
                "no `query` column in the header (found: {}); export with \
                 `\\copy (select query, calls from pg_stat_statements) to 'pgss.csv' csv header`",
                found.join(", ")
            ),
        ));
    };
    let calls_col = column("calls");
    let queryid_col = column("queryid");
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let pos = record.position().expect("records read from a reader have positions");
        let record_line = pos.line() as usize;
        let query = record.get(query_col).unwrap_or_default();
        if query.trim().is_empty() {
            continue;
        }
        // Fields before the query may hold newlines too (quoted); the query starts after them.
        let before: usize = (0..query_col).filter_map(|i| record.get(i)).map(|f| f.matches('\n').count()).sum();
        let calls = match calls_col.and_then(|c| record.get(c)) {
            Some(raw) => parse_calls(name, record_line, None, raw)?,
            None => None,
        };
        out.push(PgssQuery {
            query: query.to_string(),
            calls,
            queryid: queryid_col.and_then(|c| record.get(c)).map(str::trim).filter(|s| !s.is_empty()).map(String::from),
            origin: format!("{name}:line {}", record_line + before),
            file: name.to_string(),
            line: record_line + before,
            format: PgssFormat::Csv,
        });
    }
    Ok(out)
}

fn parse_json_lines(name: &str, text: &str) -> Result<Vec<PgssQuery>, PgssError> {
    if text.trim_start().starts_with('[') {
        return Err(invalid(
            name,
            1,
            None,
            "a JSON array; write one object per line (JSON lines), e.g. \
             `\\copy (select to_jsonb(s) from pg_stat_statements s) to 'pgss.jsonl'`",
        ));
    }
    let escaped = copy_text_escaped(text);
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || (escaped && matches!(raw.trim(), "\\." | "\\N")) {
            continue;
        }
        let decoded = if escaped { serde_json::from_str(&decode_copy_text(raw)).ok() } else { None };
        let value: Value = match decoded {
            Some(v) => v,
            None => serde_json::from_str(raw)
                .map_err(|e| invalid(name, line, Some(e.column()), format!("bad JSON line: {e}")))?,
        };
        let Value::Object(obj) = value else {
            return Err(invalid(name, line, None, "expected an object with a `query` field"));
        };
        let query = match obj.get("query") {
            Some(Value::String(q)) => q,
            Some(Value::Null) | None => {
                return Err(invalid(name, line, None, "the object has no `query` field"));
            }
            Some(other) => return Err(invalid(name, line, None, format!("`query` is {other}, not a string"))),
        };
        if query.trim().is_empty() {
            continue;
        }
        let calls = match obj.get("calls") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(c) => Some(c),
                None => match n.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => Some(f as u64),
                    _ => return Err(invalid(name, line, None, format!("`calls` is {n}, not a count"))),
                },
            },
            Some(Value::String(s)) => parse_calls(name, line, None, s)?,
            Some(other) => return Err(invalid(name, line, None, format!("`calls` is {other}, not a count"))),
        };
        let queryid = match obj.get("queryid") {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        out.push(PgssQuery {
            query: query.clone(),
            calls,
            queryid,
            origin: format!("{name}:line {line}"),
            file: name.to_string(),
            line,
            format: PgssFormat::JsonLines,
        });
    }
    Ok(out)
}

/// Whether text looks like COPY's text format: it has backslashes and every run of them is of
/// even length (JSON's own escapes, `\n` or `\"`, leave runs of one).
fn copy_text_escaped(text: &str) -> bool {
    let mut any = false;
    let mut run = 0usize;
    for b in text.bytes().chain(std::iter::once(b' ')) {
        if b == b'\\' {
            run += 1;
        } else {
            if run % 2 == 1 {
                return false;
            }
            any |= run > 0;
            run = 0;
        }
    }
    any
}

/// Undo COPY's text-format escapes in one line: `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, `\v`,
/// octal `\NNN`, hex `\xHH`; any other escaped character stands for itself.
fn decode_copy_text(line: &str) -> String {
    let mut bytes = Vec::with_capacity(line.len());
    let src = line.as_bytes();
    let mut i = 0;
    while i < src.len() {
        if src[i] != b'\\' || i + 1 == src.len() {
            bytes.push(src[i]);
            i += 1;
            continue;
        }
        let c = src[i + 1];
        i += 2;
        match c {
            b'n' => bytes.push(b'\n'),
            b't' => bytes.push(b'\t'),
            b'r' => bytes.push(b'\r'),
            b'b' => bytes.push(0x08),
            b'f' => bytes.push(0x0c),
            b'v' => bytes.push(0x0b),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match src.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                bytes.push(v as u8);
            }
            b'x' if src.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match src.get(i).and_then(|d| (*d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                        }
                        None => break,
                    }
                }
                bytes.push(v as u8);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Add each visible query as a source file (named by its origin) to `files`, and record its
/// origin and calls under the new file's index in `queries` for the renderers. Returns how many
/// `<insufficient privilege>` rows were left out.
pub fn append_sources(pgss: &[PgssQuery], files: &mut Vec<SourceFile>, queries: &mut Queries) -> usize {
    let mut hidden = 0;
    for q in pgss {
        if q.is_hidden() {
            hidden += 1;
            continue;
        }
        queries.insert(files.len(), q.query_origin());
        files.push(q.source_file());
    }
    hidden
}

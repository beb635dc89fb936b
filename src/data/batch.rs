//! COPY data files cut into batches at record boundaries, read as a stream (memory does not grow
//! with the file): `export` counts the rows it writes with the same scanner, `import` loads each
//! batch in its own transaction.
//!
//! - A record ends at a newline outside a quoted field (CSV: every `"` toggles quoting, which also
//!   reads a doubled `""` right; text: a backslash escapes the next byte, so an escaped newline is
//!   data). This is how PostgreSQL's own COPY reads both formats with their default quote and escape.
//! - A batch holds at most `max_rows` records and at most `max_bytes` bytes, except that a single
//!   record longer than `max_bytes` is a batch of its own (a row cannot be split).
//! - Batches are byte ranges of the file with their physical line numbers, for messages.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

/// COPY's data format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyFormat {
    Csv,
    Text,
}

impl CopyFormat {
    pub fn name(self) -> &'static str {
        match self {
            CopyFormat::Csv => "csv",
            CopyFormat::Text => "text",
        }
    }
}

/// How a data file is written: format, delimiter, NULL marker, header line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub format: CopyFormat,
    /// One byte (COPY requires a single one-byte character).
    pub delimiter: char,
    pub null: String,
    /// The first record is a header (CSV only), skipped on import.
    pub header: bool,
}

impl Layout {
    /// PostgreSQL's defaults for `format`: `,` and `''` for CSV, tab and `\N` for text.
    pub fn new(format: CopyFormat, header: bool) -> Layout {
        match format {
            CopyFormat::Csv => Layout { format, delimiter: ',', null: String::new(), header },
            CopyFormat::Text => Layout { format, delimiter: '\t', null: "\\N".into(), header: false },
        }
    }

    /// The `WITH (…)` options of a `COPY … FROM STDIN` reading this layout (the header is cut off
    /// before the data is sent, so never `HEADER`).
    pub fn copy_options(&self) -> String {
        let lit = |s: &str| format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
        format!(
            "(FORMAT {}, DELIMITER {}, NULL {})",
            self.format.name(),
            lit(&self.delimiter.to_string()),
            lit(&self.null)
        )
    }

    /// The flags of `pg2znb import --file` that read this layout (for replay commands).
    pub fn import_flags(&self) -> Vec<String> {
        let mut out = vec!["--format".to_string(), self.format.name().to_string()];
        let default = Layout::new(self.format, false);
        if self.delimiter != default.delimiter {
            out.extend(["--delimiter".to_string(), self.delimiter.to_string()]);
        }
        if self.null != default.null {
            out.extend(["--null".to_string(), self.null.clone()]);
        }
        if self.header {
            out.push("--header".into());
        }
        out
    }
}

/// Finds record ends in a byte stream fed in pieces.
#[derive(Clone, Debug)]
pub struct RecordScanner {
    csv: bool,
    quoted: bool,
    escaped: bool,
}

impl RecordScanner {
    pub fn new(format: CopyFormat) -> RecordScanner {
        RecordScanner { csv: format == CopyFormat::Csv, quoted: false, escaped: false }
    }

    /// Feed the next bytes; `on_end(i)` hears every record end (the index just after its newline).
    pub fn feed(&mut self, buf: &[u8], mut on_end: impl FnMut(usize)) {
        // Jumps from one byte that matters to the next (memchr2): a byte loop was most of the
        // cost of reading an export or a user's file.
        let mut i = 0;
        if self.escaped && !buf.is_empty() {
            self.escaped = false;
            i = 1;
        }
        let special = if self.csv { b'"' } else { b'\\' };
        while let Some(k) = memchr::memchr2(special, b'\n', &buf[i..]) {
            let j = i + k;
            i = j + 1;
            if buf[j] == b'\n' {
                if !self.quoted {
                    on_end(j + 1);
                }
            } else if self.csv {
                self.quoted = !self.quoted;
            } else if i < buf.len() {
                // A backslash escapes the next byte (an escaped newline is inside the value).
                i += 1;
            } else {
                self.escaped = true;
            }
        }
    }

    /// Inside a quoted field (at the end of the data: an unterminated quote).
    pub fn in_quotes(&self) -> bool {
        self.quoted
    }
}

/// Count the records of `data` (a whole COPY output).
pub fn count_records(format: CopyFormat, data: &[u8]) -> u64 {
    let mut s = RecordScanner::new(format);
    let mut n = 0;
    s.feed(data, |_| n += 1);
    n
}

/// One batch: a byte range of the file holding whole records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// From 1, in file order.
    pub number: u32,
    pub offset: u64,
    pub bytes: u64,
    pub rows: u64,
    /// Physical lines of the file (from 1) the batch spans.
    pub first_line: u64,
    pub last_line: u64,
}

/// Batch size limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub rows: u64,
    pub bytes: u64,
}

/// Why a file could not be cut into batches.
#[derive(Debug, thiserror::Error)]
pub enum CutError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the file ends inside a quoted field opened on line {line}: a closing `\"` is missing (or the file is not CSV: pass --format text)")]
    Unterminated { line: u64 },
    /// The consumer asked to stop.
    #[error("stopped")]
    Stopped,
}

/// The open batch while cutting.
struct Cutter {
    limits: Limits,
    header: bool,
    number: u32,
    /// Start of the open batch and the newlines before it.
    start: u64,
    start_nl: u64,
    rows: u64,
    /// End of the last record and the newlines up to it.
    last_end: u64,
    last_nl: u64,
    total_rows: u64,
}

impl Cutter {
    fn close(&mut self, end: u64, nl: u64) -> Batch {
        self.number += 1;
        let b = Batch {
            number: self.number,
            offset: self.start,
            bytes: end - self.start,
            rows: self.rows,
            first_line: self.start_nl + 1,
            last_line: nl,
        };
        (self.start, self.start_nl, self.rows) = (end, nl, 0);
        b
    }

    /// A record ended at `end` with `nl` newlines up to there; `false` when `on_batch` said stop.
    fn record(&mut self, end: u64, nl: u64, on_batch: &mut dyn FnMut(Batch) -> bool) -> bool {
        if self.header {
            self.header = false;
            (self.start, self.start_nl, self.last_end, self.last_nl) = (end, nl, end, nl);
            return true;
        }
        self.total_rows += 1;
        if self.rows > 0 && end - self.start > self.limits.bytes {
            let b = self.close(self.last_end, self.last_nl);
            if !on_batch(b) {
                return false;
            }
        }
        self.rows += 1;
        (self.last_end, self.last_nl) = (end, nl);
        if self.rows >= self.limits.rows {
            let b = self.close(end, nl);
            return on_batch(b);
        }
        true
    }
}

/// Cut `reader` into batches, calling `on_batch` with each in order; `on_batch` returns `false` to
/// stop (then the result is [`CutError::Stopped`]). The header record, when `layout.header`, is
/// not in any batch. Returns the number of rows.
pub fn cut(
    reader: &mut dyn Read,
    layout: &Layout,
    limits: Limits,
    on_batch: &mut dyn FnMut(Batch) -> bool,
) -> Result<u64, CutError> {
    let limits = Limits { rows: limits.rows.max(1), bytes: limits.bytes.max(1) };
    let mut c = Cutter {
        limits,
        header: layout.header,
        number: 0,
        start: 0,
        start_nl: 0,
        rows: 0,
        last_end: 0,
        last_nl: 0,
        total_rows: 0,
    };
    let mut scanner = RecordScanner::new(layout.format);
    let mut buf = vec![0u8; 256 * 1024];
    let (mut pos, mut newlines) = (0u64, 0u64);
    // Where the last quoted field opened, for the unterminated-quote message.
    let mut quote_line = 0u64;
    let mut ends = Vec::new();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let chunk = &buf[..n];
        if layout.format == CopyFormat::Csv {
            let (mut q, mut nl) = (scanner.in_quotes(), newlines);
            for &b in chunk {
                if b == b'"' {
                    q = !q;
                    if q {
                        quote_line = nl + 1;
                    }
                } else if b == b'\n' {
                    nl += 1;
                }
            }
        }
        ends.clear();
        scanner.feed(chunk, |i| ends.push(i));
        let mut prev = 0usize;
        for &i in &ends {
            newlines += newlines_in(&chunk[prev..i]);
            prev = i;
            if !c.record(pos + i as u64, newlines, on_batch) {
                return Err(CutError::Stopped);
            }
        }
        newlines += newlines_in(&chunk[prev..]);
        pos += n as u64;
    }
    if scanner.in_quotes() {
        return Err(CutError::Unterminated { line: quote_line });
    }
    // A last record without its newline.
    if pos > c.last_end && !c.record(pos, newlines + 1, on_batch) {
        return Err(CutError::Stopped);
    }
    if c.rows > 0 {
        let b = c.close(c.last_end, c.last_nl);
        if !on_batch(b) {
            return Err(CutError::Stopped);
        }
    }
    Ok(c.total_rows)
}

/// The line breaks in `b` (in COPY text, one per row: line breaks inside values are escaped).
pub(super) fn newlines_in(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// The physical line (counted from `first_line`) where record `n` (from 1) of the data `reader`
/// gives starts: PostgreSQL's COPY error context counts records, a file's reader counts lines.
pub fn record_line(format: CopyFormat, reader: &mut dyn Read, first_line: u64, n: u64) -> io::Result<u64> {
    if n <= 1 {
        return Ok(first_line);
    }
    let mut s = RecordScanner::new(format);
    let mut buf = vec![0u8; 64 * 1024];
    let (mut seen, mut newlines) = (0u64, 0u64);
    loop {
        let len = match reader.read(&mut buf) {
            Ok(0) => return Ok(first_line + newlines),
            Ok(len) => len,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..len];
        let mut found = None;
        s.feed(chunk, |i| {
            seen += 1;
            if seen == n - 1 && found.is_none() {
                found = Some(i);
            }
        });
        if let Some(i) = found {
            return Ok(first_line + newlines + newlines_in(&chunk[..i]));
        }
        newlines += newlines_in(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(data: &str, layout: &Layout, rows: u64, bytes: u64) -> Vec<(String, u64, u64, u64)> {
        let mut out = Vec::new();
        let mut r = data.as_bytes();
        cut(&mut r, layout, Limits { rows, bytes }, &mut |b| {
            let text = data[b.offset as usize..(b.offset + b.bytes) as usize].to_string();
            out.push((text, b.rows, b.first_line, b.last_line));
            true
        })
        .unwrap();
        out
    }

    /// The scanner's record ends, for `data` fed in pieces of every size, equal those of a byte
    /// loop that follows COPY's rules directly.
    #[test]
    fn record_ends_do_not_depend_on_how_the_data_is_split() {
        fn reference(csv: bool, data: &[u8]) -> Vec<usize> {
            let (mut quoted, mut escaped, mut ends) = (false, false, Vec::new());
            for (i, &b) in data.iter().enumerate() {
                if csv {
                    if b == b'"' {
                        quoted = !quoted;
                    } else if b == b'\n' && !quoted {
                        ends.push(i + 1);
                    }
                } else if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'\n' {
                    ends.push(i + 1);
                }
            }
            ends
        }
        let samples: [&[u8]; 4] = [
            b"1\ta\\\nb\n2\t\\\\\n3\t\\N\n\\\n4\n\\",
            b"\\\\\\\n\n\\\n\n",
            b"id,v\n1,\"a\nb\"\n2,\"say \"\"hi\"\"\n\"\n3,plain\n\"\"\n",
            b"\n\n\"\n\"\"\n",
        ];
        for data in samples {
            for csv in [false, true] {
                let format = if csv { CopyFormat::Csv } else { CopyFormat::Text };
                let want = reference(csv, data);
                for piece in 1..=data.len() {
                    let mut s = RecordScanner::new(format);
                    let (mut got, mut at) = (Vec::new(), 0);
                    for chunk in data.chunks(piece) {
                        s.feed(chunk, |i| got.push(at + i));
                        at += chunk.len();
                    }
                    assert_eq!(
                        got,
                        want,
                        "{} in pieces of {piece}: {:?}",
                        format.name(),
                        String::from_utf8_lossy(data)
                    );
                }
            }
        }
    }

    #[test]
    fn csv_records_end_outside_quotes_only() {
        let csv = Layout::new(CopyFormat::Csv, true);
        let data = "id,v\n1,\"a\nb\"\n2,\"say \"\"hi\"\"\n\"\n3,plain\n";
        let got = batches(data, &csv, 2, 1 << 20);
        assert_eq!(
            got,
            [("1,\"a\nb\"\n2,\"say \"\"hi\"\"\n\"\n".to_string(), 2, 2, 5), ("3,plain\n".to_string(), 1, 6, 6),]
        );
        assert_eq!(count_records(CopyFormat::Csv, data.as_bytes()), 4);
    }

    #[test]
    fn text_backslash_escapes_the_newline() {
        let text = Layout::new(CopyFormat::Text, false);
        let data = "1\ta\\\nb\n2\t\\\\\n3\tc";
        let got = batches(data, &text, 1, 1 << 20);
        let rows: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(rows, ["1\ta\\\nb\n", "2\t\\\\\n", "3\tc"]);
        assert_eq!(got[2].2, 4);
    }

    #[test]
    fn byte_cap_keeps_whole_rows_and_one_long_row_alone() {
        let csv = Layout::new(CopyFormat::Csv, false);
        let data = "aa\nbb\ncccccccc\ndd\n";
        let got: Vec<String> = batches(data, &csv, 100, 6).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["aa\nbb\n", "cccccccc\n", "dd\n"]);
        // Every byte of the file is in exactly one batch.
        assert_eq!(got.concat(), data);
    }

    #[test]
    fn unterminated_quote_names_its_line() {
        let csv = Layout::new(CopyFormat::Csv, false);
        let mut r = "1,ok\n2,\"open\n3,x\n".as_bytes();
        let e = cut(&mut r, &csv, Limits { rows: 10, bytes: 100 }, &mut |_| true).unwrap_err();
        assert!(matches!(e, CutError::Unterminated { line: 2 }), "{e}");
    }

    #[test]
    fn record_lines_count_quoted_newlines() {
        let data: &[u8] = b"1,\"a\nb\"\n2,x\n3,y\n";
        let line = |n| record_line(CopyFormat::Csv, &mut &data[..], 10, n).unwrap();
        assert_eq!((line(1), line(2), line(3)), (10, 12, 13));
    }

    #[test]
    fn copy_options_quote_the_delimiter_and_null() {
        let mut l = Layout::new(CopyFormat::Csv, true);
        l.null = "it's".into();
        assert_eq!(l.copy_options(), "(FORMAT csv, DELIMITER E',', NULL E'it\\'s')");
        let t = Layout::new(CopyFormat::Text, false);
        assert_eq!(t.copy_options(), "(FORMAT text, DELIMITER E'\t', NULL E'\\\\N')");
    }
}

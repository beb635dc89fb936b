//! Input files and byte-offset → line:column mapping.

use std::sync::Arc;

use serde::Serialize;

/// Index of a file in the compilation's file list.
pub type FileId = usize;

/// A byte range `[start, end)` into one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One input file, already decoded as UTF-8.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users (the path as given, or `<stdin>`).
    pub name: String,
    /// Shared so renderers can hold the text without copying it.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Note: `Arc<str>` from a `String` copies the text once; for large inputs use
    /// [`SourceFile::from_shared_bytes`].
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::from_shared(name.into(), Arc::from(text.into()))
    }

    /// Take bytes already in shared memory as the file's text, without copying them (a dump can
    /// be hundreds of MB): the caller reads the file straight into an `Arc<[u8]>` of its size.
    /// Returns the bytes back with the UTF-8 error when they are not valid UTF-8.
    pub fn from_shared_bytes(
        name: impl Into<String>,
        bytes: Arc<[u8]>,
    ) -> Result<Self, (Arc<[u8]>, std::str::Utf8Error)> {
        if let Err(e) = std::str::from_utf8(&bytes) {
            return Err((bytes, e));
        }
        // SAFETY: the bytes were just checked to be UTF-8, and `str` has the layout of `[u8]`;
        // this is how the standard library itself turns an `Arc<[u8]>` into an `Arc<str>`.
        let text: Arc<str> = unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) };
        Ok(Self::from_shared(name.into(), text))
    }

    fn from_shared(name: String, text: Arc<str>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(&text));
        SourceFile { name, text, line_starts }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte offset where zero-based line `line` starts, if the file has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_chars() {
        let f = SourceFile::new("x.sql", "ab\nçd\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2)); // after the two-byte ç
        assert_eq!(f.line_col(7), (3, 1));
    }

    #[test]
    fn shared_bytes_become_the_text_without_a_copy() {
        let bytes: Arc<[u8]> = Arc::from(&b"SELECT 1;\n"[..]);
        let ptr = bytes.as_ptr();
        let f = SourceFile::from_shared_bytes("x.sql", bytes).unwrap();
        assert_eq!(&*f.text, "SELECT 1;\n");
        assert_eq!(f.text.as_ptr(), ptr);
        let (back, e) = SourceFile::from_shared_bytes("y.sql", Arc::from(&b"ab\xFFc"[..])).unwrap_err();
        assert_eq!(e.valid_up_to(), 2);
        assert_eq!(&*back, b"ab\xFFc");
    }
}

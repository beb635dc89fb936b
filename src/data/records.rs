//! Where migrate keeps its completion records: in the target's `pg2znb` schema, committed in
//! the same transaction as the work they record, or — when the target's role cannot create that
//! schema — in the work directory.
//!
//! A record in the work directory is written after the target committed its work, so a kill can
//! fall between the two. Each stage makes the redo harmless instead:
//! - the copy deletes a range's rows in the transaction that copies it (a range that committed
//!   without its record is replaced, never doubled); tables are split by integer key only, since
//!   a ctid range of the source names no rows of the target;
//! - apply writes `begin N` before statement N and `done N` after its commit; a statement begun
//!   but not recorded that now fails with "already exists" had committed, and is recorded.
//!
//! The files are append-only lines, each flushed to disk before the next piece of work starts;
//! a torn last line (a kill mid-write) is dropped when the file is opened again.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where completion records go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Records {
    /// The target's `pg2znb` schema, in the transaction of the work recorded.
    #[default]
    Target,
    /// This directory (`WORKDIR/records`).
    Dir(PathBuf),
}

/// One append-only file of records.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    /// The complete lines the file held when it was opened.
    lines: Vec<String>,
}

impl Journal {
    /// Open (or create) `path`, dropping a torn last line.
    pub fn open(path: &Path) -> io::Result<Journal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new().create(true).truncate(false).read(true).append(true).open(path)?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let whole = text.rfind('\n').map_or(0, |i| i + 1);
        if whole < text.len() {
            file.set_len(whole as u64)?;
            file.seek(SeekFrom::End(0))?;
        }
        let lines = text[..whole].lines().map(str::to_string).collect();
        Ok(Journal { path: path.to_path_buf(), file: Mutex::new(file), lines })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lines written before this open.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Append one line (no newline inside) and flush it to disk.
    pub fn append(&self, line: &str) -> io::Result<()> {
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let one: String = line.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        f.write_all(format!("{one}\n").as_bytes())?;
        f.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_survive_reopening_and_a_torn_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records/applied.log");
        let j = Journal::open(&path).unwrap();
        assert!(j.lines().is_empty());
        j.append("begin 1").unwrap();
        j.append("done 1\nsneaky").unwrap();
        drop(j);
        // A kill mid-write leaves half a line.
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"begin 2").unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.lines(), ["begin 1", "done 1 sneaky"]);
        j.append("begin 3").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "begin 1\ndone 1 sneaky\nbegin 3\n");
    }
}

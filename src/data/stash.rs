//! `--on-error stash`: a range the target rejects is set aside instead of stopping the copy.
//! Its rows, read again from the snapshot, go to `ERRORS/<table>.<range>.copy` (COPY text
//! format, the lines the server's CONTEXT counts), and `ERRORS/<table>.<range>.txt` says which
//! table and range, the server's message, and how to load the file once the cause is fixed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use postgres::Client;

use super::copy::{quote, CopyError, Table};
use super::ranges::Range;
use crate::verify::VerifyError;

/// `public.t`, range 3 → `public.t.3.copy` (characters a file name should not hold become `_`).
pub fn file_name(table: &str, range: i32) -> String {
    let safe: String =
        table.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect();
    format!("{safe}.{range}.copy")
}

/// Stream the range (`out_sql` on `source`, in the snapshot) into the errors directory with its
/// message. Returns the rows file.
pub fn write(
    source: &mut Client,
    dir: &Path,
    table: &Table,
    range: &Range,
    out_sql: &str,
    message: &str,
) -> Result<PathBuf, CopyError> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| CopyError::Io { path: p.clone(), message: e.to_string() }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let rows = dir.join(file_name(&range.table, range.id));
    let mut reader = source.copy_out(out_sql).map_err(|e| {
        VerifyError::query(&format!("stash {} range {}: read it from the source", range.table, range.id), &e)
    })?;
    let mut out = BufWriter::new(File::create(&rows).map_err(io(&rows))?);
    std::io::copy(&mut reader, &mut out).map_err(io(&rows))?;
    out.flush().map_err(io(&rows))?;
    let qualified = format!("{}.{}", quote(&table.schema), quote(&table.name));
    let cols = table.column_list();
    let target = if cols.is_empty() { qualified } else { format!("{qualified} ({cols})") };
    let txt = rows.with_extension("txt");
    let text = format!(
        "table: {}\nrange: {} ({})\nerror: {message}\nrows: {} (COPY text format; the CONTEXT's line number is the line in this file)\n\n\
         The range was not copied, and the copy went on without it (pg2znb migrate keeps it set aside on a re-run).\n\
         Fix the row in the file or the target's definition, then load the file:\n  psql \"$TARGET\" -c \"\\copy {} FROM '{}'\"\n",
        range.table,
        range.id,
        range.bounds(),
        rows.display(),
        target.replace('"', "\\\""),
        rows.display()
    );
    std::fs::write(&txt, text).map_err(io(&txt))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe() {
        assert_eq!(super::file_name("public.t", 3), "public.t.3.copy");
        assert_eq!(super::file_name("\"my schema\".\"a/b\"", 0), "_my_schema_._a_b_.0.copy");
    }
}

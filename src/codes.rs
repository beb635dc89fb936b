//! The diagnostic codes that are not rules (`E…`): what each means and what to do about it. One
//! table, read by `pg2znb explain E102`, by SARIF's rule descriptions and by the README's table
//! (`tests/cli.rs` checks the README lists [`readme_table`]'s rows, and that every `E…` code the
//! sources emit is here).

/// One non-rule diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    /// The stage that reports it, the diagnostic's `rule` field (`parse`, `order`, …).
    pub stage: &'static str,
    /// Severity as the README gives it (`error`, `warning`, `warning (lint: info)`, …).
    pub severity: &'static str,
    /// One line: what is wrong (the README's `meaning` column and SARIF's short description).
    pub summary: &'static str,
    /// What happened to the input, at more length.
    pub meaning: &'static str,
    /// What to do about it.
    pub what_to_do: &'static str,
}

pub const CODES: &[Code] = &[
    Code {
        code: "E001",
        stage: "scan",
        severity: "error",
        summary: "scan error: unterminated quote, dollar quote, comment or COPY block",
        meaning: "The input could not be split into statements at this point: a quoted string, quoted identifier, \
                  dollar-quoted body or block comment is not closed, or a COPY … FROM stdin block has no `\\.` line. \
                  The rest of the file is still compiled.",
        what_to_do: "Look at the position given: close the quote, dollar tag or comment, or end the COPY data with a \
                     line holding only `\\.`. A dump cut short (disk full, a killed pg_dump) ends this way too: \
                     dump again.",
    },
    Code {
        code: "E002",
        stage: "parse",
        severity: "error",
        summary: "the statement does not parse: it moves to `unsupported.sql`",
        meaning: "PostgreSQL's own parser rejects the statement (or it nests deeper than the parser's limit). The \
                  target would reject it too, so it moves to unsupported.sql as written (compile) and no rule \
                  could look at it.",
        what_to_do: "Fix the statement (the message gives PostgreSQL's error and position), or remove it if the \
                     target does not need it. Text pasted into a dump by hand and psql syntax in a file meant for \
                     another client are the usual causes.",
    },
    Code {
        code: "E003",
        stage: "scan",
        severity: "warning (lint: info)",
        summary: "an input has no statements (empty, or comments only); when every input is so, compile exits 2 \
                  instead",
        meaning: "The file is empty or holds only comments and whitespace, so it contributes nothing.",
        what_to_do: "Check that the right file was given, and that what wrote it succeeded: pg_dump writes to \
                     standard output unless -f is set, and a failed pg_dump in a pipe leaves an empty file.",
    },
    Code {
        code: "E004",
        stage: "parse",
        severity: "info",
        summary: "a multi-row INSERT over 1 MiB analysed from its first row",
        meaning: "A whole parse of a very large INSERT would need about 100 times its size in memory, so pg2znb \
                  parsed its first row only. It is emitted as written.",
        what_to_do: "Nothing, usually. Rules that would look at later rows did not; dump data with COPY (pg_dump's \
                     default) to avoid it.",
    },
    Code {
        code: "E005",
        stage: "sanity",
        severity: "error",
        summary: "an object defined twice: the message gives both positions; the second definition moves to \
                  `unsupported.sql`",
        meaning: "Two statements create the same object (the same dump given twice, or two dumps of one \
                  database). The first definition loads; the second, and what only it made possible, moves to \
                  unsupported.sql so the scripts still load.",
        what_to_do: "Give each dump once, or drop one of the two definitions. If both are wanted, rename one \
                     object.",
    },
    Code {
        code: "E006",
        stage: "sanity",
        severity: "warning",
        summary: "the dump looks truncated (pg_dump's header without its trailer, or `\\restrict` without \
                  `\\unrestrict`): re-run pg_dump, check its exit status, disk space and the pipe",
        meaning: "pg_dump ends every complete script with `-- PostgreSQL database dump complete` (and closes \
                  `\\restrict` with `\\unrestrict`); this input has the header but not the end, so objects are \
                  probably missing.",
        what_to_do: "Run pg_dump again and check its exit status, the disk space where it wrote, and any pipe in \
                     between; compile the complete dump.",
    },
    Code {
        code: "E007",
        stage: "sanity",
        severity: "info",
        summary: "pg_dump's `\\restrict` framing left out of the scripts (at `\\restrict`, labelled at \
                  `\\unrestrict`); `--psql-restrict` keeps it",
        meaning: "Recent pg_dump versions frame scripts with `\\restrict KEY` … `\\unrestrict KEY`, which keeps a \
                  malicious source server from slipping psql meta-commands into the dump. ysqlsh and older psql \
                  do not know them and stop the load, so pg2znb leaves them out.",
        what_to_do: "Nothing when loading with ysqlsh. To keep the protection, load with psql 13.22, 14.19, \
                     15.14, 16.10, 17.6 or later and compile with --psql-restrict.",
    },
    Code {
        code: "E101",
        stage: "order",
        severity: "warning",
        summary: "a dependency cycle: its members are emitted in source order",
        meaning: "Statements of one phase need each other (the message names them), so no order follows every \
                  reference; they are emitted in input order, which loads when the cycle is only in pg2znb's \
                  reading of them (a function body that names a view using it).",
        what_to_do: "Break the cycle: create one of the objects without the reference, then add it with ALTER \
                     afterwards (for example a foreign key, or a function body that names a later table).",
    },
    Code {
        code: "E102",
        stage: "order",
        severity: "warning",
        summary: "a statement needs an object that is not loaded (or was folded into a statement that moved): it \
                  follows it to `unsupported.sql`",
        meaning: "The statement refers to an object whose definition moved to unsupported.sql (the message names \
                  it and the finding that moved it), so it cannot load either and moves there too, after it.",
        what_to_do: "Adapt it together with the statement it depends on: see that statement's finding (`pg2znb \
                     explain` its code) and load both from unsupported.sql once rewritten.",
    },
    Code {
        code: "E201",
        stage: "suppress",
        severity: "warning",
        summary: "an unknown code in a `-- pg2znb: ignore` comment",
        meaning: "The suppression comment names a code or rule id pg2znb does not know, so it suppresses nothing.",
        what_to_do: "Use a rule code such as ZN801 or a rule id (`pg2znb rules list`), or one of the codes of this \
                     table; fix the typo or remove the code.",
    },
    Code {
        code: "E202",
        stage: "suppress",
        severity: "warning",
        summary: "a suppression that suppressed nothing",
        meaning: "The code in the `-- pg2znb: ignore` comment reported nothing where the comment applies (the next \
                  statement, or the file for ignore-file): the finding is gone, or the comment is in the wrong \
                  place.",
        what_to_do: "Remove the code from the comment (or the comment), or move it to the line before the \
                     statement it is meant for.",
    },
    Code {
        code: "E900",
        stage: "rules",
        severity: "error",
        summary: "a rewrite produced SQL that does not parse: the rewrite is undone and the statement moves to \
                  `unsupported.sql`",
        meaning: "A rule's rewrite of this statement gave SQL that PostgreSQL's parser rejects, so pg2znb reverted \
                  it; as written the target cannot load it either, so it moves to unsupported.sql.",
        what_to_do: "Adapt the statement by hand as the rule's finding says (`pg2znb explain` the codes named), \
                     and report the input: this is a bug in the rule.",
    },
];

/// The entry for `code` (case-insensitive).
pub fn find(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

/// `pg2znb explain E102`.
pub fn explain(c: &Code) -> String {
    let indent = |s: &str| -> String { crate::text::wrap(s, 96).lines().map(|l| format!("    {l}\n")).collect() };
    format!(
        "{} ({}, {}): {}\n\nWhat it means\n{}\nWhat to do\n{}",
        c.code,
        c.stage,
        c.severity,
        c.summary,
        indent(c.meaning),
        indent(c.what_to_do)
    )
}

/// The README's table of codes (header and rows).
pub fn readme_table() -> String {
    let mut out = String::from("| code | severity | meaning |\n|---|---|---|\n");
    for c in CODES {
        out.push_str(&format!("| `{}` | {} | {} |\n", c.code, c.severity, c.summary));
    }
    out
}

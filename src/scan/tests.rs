use super::*;
use PieceKind::{Comment as C, CopyData as D, Meta as M, Statement as S, Whitespace as W};

/// Scan, check the tiling invariant, and return the pieces as (kind, text).
fn pieces(text: &str) -> Vec<(PieceKind, &str)> {
    let s = scan(text);
    check_tiling(text, &s);
    s.pieces.iter().map(|p| (p.kind, p.text(text))).collect()
}

fn check_tiling(text: &str, s: &Scan) {
    let mut at = 0;
    for p in &s.pieces {
        assert_eq!(p.span.start, at, "gap or overlap at {at} in {text:?}: {:?}", s.pieces);
        assert!(p.span.end > p.span.start, "empty piece in {text:?}: {:?}", s.pieces);
        at = p.span.end;
    }
    assert_eq!(at, text.len(), "pieces do not reach the end of {text:?}");
}

/// The statements' text.
fn statements(text: &str) -> Vec<&str> {
    let s = scan(text);
    check_tiling(text, &s);
    s.statements().map(|p| p.text(text)).collect()
}

fn errors(text: &str) -> Vec<(usize, String)> {
    scan(text).errors.into_iter().map(|e| (e.offset, e.message)).collect()
}

#[test]
fn empty_input_has_no_pieces() {
    let s = scan("");
    assert!(s.pieces.is_empty());
    assert!(s.errors.is_empty());
}

#[test]
fn whitespace_only_is_one_piece() {
    assert_eq!(pieces(" \n\t\r\n  "), vec![(W, " \n\t\r\n  ")]);
}

#[test]
fn statements_comments_and_whitespace_between() {
    let text = "-- header\nSELECT 1;\n\n/* block */ SELECT 2; -- tail\n";
    assert_eq!(
        pieces(text),
        vec![
            (C, "-- header"),
            (W, "\n"),
            (S, "SELECT 1;"),
            (W, "\n\n"),
            (C, "/* block */"),
            (W, " "),
            (S, "SELECT 2;"),
            (W, " "),
            (C, "-- tail"),
            (W, "\n"),
        ]
    );
}

#[test]
fn comments_inside_a_statement_belong_to_it() {
    let text = "SELECT 1 -- one;\n  /* ; */ + 2;\n";
    assert_eq!(pieces(text), vec![(S, "SELECT 1 -- one;\n  /* ; */ + 2;"), (W, "\n")]);
}

#[test]
fn last_statement_without_semicolon() {
    let text = "SELECT 1;\nSELECT 2 -- no semicolon\n  \n";
    assert_eq!(
        pieces(text),
        vec![(S, "SELECT 1;"), (W, "\n"), (S, "SELECT 2"), (W, " "), (C, "-- no semicolon"), (W, "\n  \n")]
    );
    assert!(scan(text).errors.is_empty());
    assert_eq!(pieces("SELECT 3"), vec![(S, "SELECT 3")]);
}

#[test]
fn counts_statements_of_a_small_script() {
    let text = r#"
SET standard_conforming_strings = on;
CREATE TABLE t (a int, b text DEFAULT ';');   -- trailing comment
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
INSERT INTO t VALUES (1, 'x;y'), (2, E'it\'s;');
/* a comment; with a semicolon */
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO t VALUES (3, 'z'); DELETE FROM t WHERE a = 0);
COMMENT ON TABLE t IS 'a;b';
SELECT "weird;name" FROM t
"#;
    assert_eq!(scan(text).statements().count(), 7);
    assert!(scan(text).errors.is_empty());
}

#[test]
fn single_quoted_strings_double_their_quotes() {
    assert_eq!(statements("SELECT 'a;''b;c'; SELECT 2;"), vec!["SELECT 'a;''b;c';", "SELECT 2;"]);
}

#[test]
fn standard_conforming_strings_make_backslash_literal() {
    // With standard_conforming_strings on, 'a\' is a complete string.
    assert_eq!(statements(r"SELECT 'a\'; SELECT 2;"), vec![r"SELECT 'a\';", "SELECT 2;"]);
}

#[test]
fn escape_strings_take_backslash_escapes() {
    assert_eq!(statements(r"SELECT E'it\'s;'; SELECT 2;"), vec![r"SELECT E'it\'s;';", "SELECT 2;"]);
    assert_eq!(statements(r"SELECT e'a\\'; SELECT 2;"), vec![r"SELECT e'a\\';", "SELECT 2;"]);
    assert_eq!(statements(r"SELECT e'x\';y'; SELECT 2;"), vec![r"SELECT e'x\';y';", "SELECT 2;"]);
    // An E at the end of an identifier is not a prefix.
    assert_eq!(statements(r"SELECT typE'a\'; SELECT 2;"), vec![r"SELECT typE'a\';", "SELECT 2;"]);
}

#[test]
fn other_prefixed_strings() {
    assert_eq!(statements(r"SELECT U&'d\0061;t'; SELECT 2;"), vec![r"SELECT U&'d\0061;t';", "SELECT 2;"]);
    assert_eq!(statements(r#"SELECT U&"d;t"; SELECT 2;"#), vec![r#"SELECT U&"d;t";"#, "SELECT 2;"]);
    assert_eq!(
        statements(r"SELECT B'01', X'0;F', N'a\'; SELECT 2;"),
        vec![r"SELECT B'01', X'0;F', N'a\';", "SELECT 2;"]
    );
}

#[test]
fn standard_conforming_strings_off_is_followed() {
    let text = "SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nset standard_conforming_strings to 'on';\nSELECT 'c\\';\n";
    assert_eq!(
        statements(text),
        vec![
            "SET standard_conforming_strings = off;",
            "SELECT 'a\\';b';",
            "set standard_conforming_strings to 'on';",
            "SELECT 'c\\';",
        ]
    );
    // Not a SET of the setting: no change.
    let text = "SET standard_conforming_strings_x = off;\nSELECT 'a\\';\n";
    assert_eq!(statements(text), vec!["SET standard_conforming_strings_x = off;", "SELECT 'a\\';"]);
}

#[test]
fn quoted_identifiers_double_their_quotes() {
    assert_eq!(statements(r#"SELECT "a"";b" FROM t; SELECT 2;"#), vec![r#"SELECT "a"";b" FROM t;"#, "SELECT 2;"]);
}

#[test]
fn dollar_quotes() {
    assert_eq!(statements("SELECT $$a;b$$; SELECT 2;"), vec!["SELECT $$a;b$$;", "SELECT 2;"]);
    assert_eq!(
        statements("CREATE FUNCTION f() AS $fn$ BEGIN x := 1; END $fn$ LANGUAGE plpgsql; SELECT 2;"),
        vec!["CREATE FUNCTION f() AS $fn$ BEGIN x := 1; END $fn$ LANGUAGE plpgsql;", "SELECT 2;"]
    );
    // A different tag inside is text.
    assert_eq!(statements("SELECT $a$ $b$ ; $a$; SELECT 2;"), vec!["SELECT $a$ $b$ ; $a$;", "SELECT 2;"]);
    assert_eq!(statements("SELECT $a$ x$b$a$; SELECT 2;"), vec!["SELECT $a$ x$b$a$;", "SELECT 2;"]);
    // Nested: $b$ inside $a$.
    assert_eq!(
        statements("DO $a$ BEGIN EXECUTE $b$ SELECT 1; $b$; END $a$; SELECT 2;"),
        vec!["DO $a$ BEGIN EXECUTE $b$ SELECT 1; $b$; END $a$;", "SELECT 2;"]
    );
    // Multibyte tags and bodies.
    assert_eq!(statements("SELECT $é$ ü; $é$; SELECT 2;"), vec!["SELECT $é$ ü; $é$;", "SELECT 2;"]);
}

#[test]
fn dollar_signs_that_are_not_quotes() {
    // Parameters.
    assert_eq!(statements("SELECT $1; SELECT $2;"), vec!["SELECT $1;", "SELECT $2;"]);
    assert_eq!(statements("SELECT $1$; SELECT 2;"), vec!["SELECT $1$;", "SELECT 2;"]);
    // `$` inside an identifier does not start a quote.
    assert_eq!(statements("SELECT a$b$; SELECT 2;"), vec!["SELECT a$b$;", "SELECT 2;"]);
    assert_eq!(statements("SELECT a$$; SELECT 2;"), vec!["SELECT a$$;", "SELECT 2;"]);
    // A lone `$`.
    assert_eq!(statements("SELECT $; SELECT 2;"), vec!["SELECT $;", "SELECT 2;"]);
}

#[test]
fn nested_block_comments() {
    let text = "/* a /* b; */ c; */ SELECT 1 /* x /* ; */ */;";
    assert_eq!(pieces(text), vec![(C, "/* a /* b; */ c; */"), (W, " "), (S, "SELECT 1 /* x /* ; */ */;")]);
}

#[test]
fn line_comment_ends_before_cr_lf() {
    assert_eq!(pieces("-- c\r\nSELECT 1;\r\n"), vec![(C, "-- c"), (W, "\r\n"), (S, "SELECT 1;"), (W, "\r\n")]);
}

#[test]
fn parentheses_hold_semicolons() {
    assert_eq!(
        statements("CREATE RULE r AS ON INSERT TO t DO (INSERT INTO u VALUES (1); DELETE FROM v); SELECT 2;"),
        vec!["CREATE RULE r AS ON INSERT TO t DO (INSERT INTO u VALUES (1); DELETE FROM v);", "SELECT 2;"]
    );
    // An unbalanced `)` does not go negative.
    assert_eq!(statements("SELECT 1); SELECT 2;"), vec!["SELECT 1);", "SELECT 2;"]);
}

#[test]
fn unbalanced_parenthesis_runs_to_end_of_input() {
    let text = "SELECT (1;\nSELECT 2;\n";
    assert_eq!(pieces(text), vec![(S, "SELECT (1;\nSELECT 2;"), (W, "\n")]);
    let e = errors(text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, 7);
    assert!(e[0].1.contains("parenthesis"), "{e:?}");
}

#[test]
fn begin_atomic_bodies() {
    let f = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + 1;\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\nEND;";
    let text = format!("{f}\nSELECT 2;\n");
    assert_eq!(statements(&text), vec![f, "SELECT 2;"]);

    let p = "create or replace procedure p() language sql begin atomic insert into t values (1); end;";
    let text = format!("{p} SELECT 2;");
    assert_eq!(statements(&text), vec![p, "SELECT 2;"]);

    // BEGIN in other statements is a transaction.
    assert_eq!(statements("BEGIN; SELECT 1; END;"), vec!["BEGIN;", "SELECT 1;", "END;"]);
    // The plpgsql BEGIN inside a dollar quote is text.
    let g = "CREATE FUNCTION g() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;";
    assert_eq!(statements(&format!("{g} SELECT 2;")), vec![g, "SELECT 2;"]);
    // Unclosed body.
    let text = "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1;\nSELECT 2;";
    assert_eq!(statements(text), vec![text]);
    let e = errors(text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, 21);
    assert!(e[0].1.contains("BEGIN"), "{e:?}");
}

#[test]
fn meta_commands() {
    let text = "\\restrict abc\n\\connect db\n  \\set ON_ERROR_STOP on\r\nSELECT 1; \\echo hi ; there\n\\c\n\\unrestrict abc\n";
    assert_eq!(
        pieces(text),
        vec![
            (M, "\\restrict abc"),
            (W, "\n"),
            (M, "\\connect db"),
            (W, "\n  "),
            (M, "\\set ON_ERROR_STOP on"),
            (W, "\r\n"),
            (S, "SELECT 1;"),
            (W, " "),
            (M, "\\echo hi ; there"),
            (W, "\n"),
            (M, "\\c"),
            (W, "\n"),
            (M, "\\unrestrict abc"),
            (W, "\n"),
        ]
    );
    // At the end of input without a newline.
    assert_eq!(pieces("\\pset format aligned"), vec![(M, "\\pset format aligned")]);
    assert_eq!(pieces("\\"), vec![(M, "\\")]);
}

#[test]
fn send_commands_end_a_statement() {
    // On the statement's line: the statement ends after its last token, the command is a Meta piece.
    assert_eq!(
        pieces("SELECT 1 AS x \\gset\nSELECT 2;"),
        vec![(S, "SELECT 1 AS x"), (W, " "), (M, "\\gset"), (W, "\n"), (S, "SELECT 2;")]
    );
    // On the next line, with arguments, in every spelling.
    for cmd in ["\\g", "\\gx", "\\gdesc", "\\gset p_", "\\gexec", "\\g /tmp/out.txt", "\\gx (format=csv)"] {
        let text = format!("SELECT a,\n  b FROM t -- note\n{cmd}\nSELECT 2;\n");
        assert_eq!(
            pieces(&text),
            vec![
                (S, "SELECT a,\n  b FROM t"),
                (W, " "),
                (C, "-- note"),
                (W, "\n"),
                (M, cmd),
                (W, "\n"),
                (S, "SELECT 2;"),
                (W, "\n")
            ],
            "{cmd}"
        );
        assert!(scan(&text).errors.is_empty());
    }
    // Inside parentheses too (psql sends the buffer as it is); CRLF line ends.
    assert_eq!(
        pieces("SELECT (1\r\n\\g\r\nSELECT 2;"),
        vec![(S, "SELECT (1"), (W, "\r\n"), (M, "\\g"), (W, "\r\n"), (S, "SELECT 2;")]
    );
    // Other commands that start with g, and a backslash in a string, are not send commands.
    assert_eq!(statements("SELECT 1 \\gibberish\nSELECT 2;"), vec!["SELECT 1 \\gibberish\nSELECT 2;"]);
    assert_eq!(statements("SELECT '\\g' AS x;"), vec!["SELECT '\\g' AS x;"]);
}

#[test]
fn backslash_inside_a_statement_is_statement_text() {
    // psql runs other meta-commands in the middle of a statement and keeps reading it.
    assert_eq!(statements("SELECT 1 AS x \\echo hi\nSELECT 2;"), vec!["SELECT 1 AS x \\echo hi\nSELECT 2;"]);
    // `\;` does not end a statement (psql puts a literal `;` into the query).
    assert_eq!(statements("SELECT 1 \\; SELECT 2; SELECT 3;"), vec!["SELECT 1 \\; SELECT 2;", "SELECT 3;"]);
}

#[test]
fn copy_from_stdin_data_block() {
    let text = "COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'\n\\.\nSELECT 1;\n";
    assert_eq!(
        pieces(text),
        vec![(S, "COPY t (a, b) FROM stdin;"), (W, "\n"), (D, "1\tx;y\n2\t'\n\\.\n"), (S, "SELECT 1;"), (W, "\n")]
    );
    assert!(scan(text).errors.is_empty());
    let s = scan(text);
    assert_eq!(s.copy_data_of(0), Some(2));
    assert_eq!(s.copy_command_of(2), Some(0));
    assert_eq!(s.copy_data_of(3), None);
}

#[test]
fn copy_variants() {
    // Case-insensitive, options after STDIN, a comment before it.
    let text = "copy t from /* c */ STDIN with (format csv);\na,b\n\\.\n";
    assert_eq!(pieces(text)[2], (D, "a,b\n\\.\n"));
    // Empty data block.
    let text = "COPY t FROM stdin;\n\\.\n";
    assert_eq!(pieces(text), vec![(S, "COPY t FROM stdin;"), (W, "\n"), (D, "\\.\n")]);
    // `\.` at the end of input without a newline.
    let text = "COPY t FROM stdin;\n1\n\\.";
    assert_eq!(pieces(text)[2], (D, "1\n\\."));
    assert!(scan(text).errors.is_empty());
    // `\.x` and ` \.` are data lines.
    let text = "COPY t FROM stdin;\n\\.x\n \\.\n\\.\n";
    assert_eq!(pieces(text)[2], (D, "\\.x\n \\.\n\\.\n"));
}

#[test]
fn copy_without_data_block() {
    for text in [
        "COPY t FROM '/path/file';\nSELECT 1;\n",
        "COPY public.actor (actor_id) FROM '$$PATH$$/3057.dat';\nSELECT 1;\n",
        "COPY t TO stdout;\nSELECT 1;\n",
        "COPY (SELECT a FROM stdin) TO stdout;\nSELECT 1;\n",
        "COPY t TO stdin;\nSELECT 1;\n",
        "SELECT 'COPY t FROM stdin;';\nSELECT 1;\n",
        "COPY t FROM PROGRAM 'cat';\nSELECT 1;\n",
    ] {
        let p = pieces(text);
        assert!(p.iter().all(|(k, _)| *k != D), "{text:?}: {p:?}");
        assert_eq!(p.iter().filter(|(k, _)| *k == S).count(), 2, "{text:?}: {p:?}");
    }
    // No `;`: the statement ends at the end of input, no data.
    assert_eq!(pieces("COPY t FROM stdin"), vec![(S, "COPY t FROM stdin")]);
}

#[test]
fn copy_data_with_crlf() {
    let text = "COPY t FROM stdin;\r\n1\r\n\\.\r\nSELECT 1;\r\n";
    assert_eq!(
        pieces(text),
        vec![(S, "COPY t FROM stdin;"), (W, "\r\n"), (D, "1\r\n\\.\r\n"), (S, "SELECT 1;"), (W, "\r\n")]
    );
}

#[test]
fn copy_data_missing_terminator() {
    let text = "SELECT 0;\nCOPY t FROM stdin;\n1\n2\n";
    assert_eq!(pieces(text), vec![(S, "SELECT 0;"), (W, "\n"), (S, "COPY t FROM stdin;"), (W, "\n"), (D, "1\n2\n")]);
    assert_eq!(errors(text), vec![(10, "unterminated COPY data: no \\. line before end of input".to_string())]);
    // Nothing after the statement at all.
    let text = "COPY t FROM stdin;";
    assert_eq!(pieces(text), vec![(S, text)]);
    assert_eq!(errors(text).len(), 1);
}

#[test]
fn text_after_copy_on_the_same_line() {
    let text = "COPY t FROM stdin; -- data follows\n1\n\\.\n";
    assert_eq!(
        pieces(text),
        vec![(S, "COPY t FROM stdin;"), (W, " "), (C, "-- data follows"), (W, "\n"), (D, "1\n\\.\n")]
    );
    assert!(scan(text).errors.is_empty());
    let text = "COPY t FROM stdin; SELECT 1;  \n1\n\\.\n";
    assert_eq!(pieces(text), vec![(S, "COPY t FROM stdin;"), (W, " "), (S, "SELECT 1;"), (W, "  \n"), (D, "1\n\\.\n")]);
    assert_eq!(errors(text).len(), 1);
    let text = "COPY t FROM stdin; \\echo after\n1\n\\.\n";
    assert_eq!(
        pieces(text),
        vec![(S, "COPY t FROM stdin;"), (W, " "), (M, "\\echo after"), (W, "\n"), (D, "1\n\\.\n")]
    );
    assert_eq!(errors(text).len(), 1);
}

#[test]
fn slash_copy_from_stdin() {
    let text =
        "\\copy t (a) from stdin with csv\n1\n\\.\n\\copy t FROM './t.csv' CSV;\n\\copy t from pstdin;\n2\n\\.\n";
    assert_eq!(
        pieces(text),
        vec![
            (M, "\\copy t (a) from stdin with csv"),
            (W, "\n"),
            (D, "1\n\\.\n"),
            (M, "\\copy t FROM './t.csv' CSV;"),
            (W, "\n"),
            (M, "\\copy t from pstdin;"),
            (W, "\n"),
            (D, "2\n\\.\n"),
        ]
    );
    let no_data = [
        "\\copy (select 1 from stdin) to stdout\n",
        "\\copy t to stdout\n",
        "\\copyx t from stdin\n",
        "\\COPY t from stdin\n",
    ];
    for text in no_data {
        assert!(pieces(text).iter().all(|(k, _)| *k != D), "{text:?}");
    }
}

#[test]
fn stray_terminator_is_a_meta_piece() {
    assert_eq!(pieces("\\.\nSELECT 1;"), vec![(M, "\\."), (W, "\n"), (S, "SELECT 1;")]);
}

#[test]
fn unterminated_constructs() {
    let cases: &[(&str, usize, &str)] = &[
        ("SELECT 1;\nSELECT 'abc;\n", 17, "unterminated quoted string"),
        ("SELECT 1;\nSELECT E'ab\\';\n", 17, "unterminated escape string"),
        ("SELECT 1;\nSELECT \"abc;\n", 17, "unterminated quoted identifier"),
        ("SELECT 1;\nDO $fn$ BEGIN; END; $f$;\n", 13, "unterminated dollar-quoted string $fn$"),
    ];
    for &(text, offset, msg) in cases {
        let p = pieces(text);
        assert_eq!(p.last().unwrap(), &(S, &text[10..]), "{text:?}");
        let e = errors(text);
        assert_eq!(e.len(), 1, "{text:?}: {e:?}");
        assert_eq!(e[0].0, offset, "{text:?}: {e:?}");
        assert!(e[0].1.starts_with(msg), "{text:?}: {e:?}");
    }
}

#[test]
fn unterminated_block_comment() {
    // Between statements.
    let text = "SELECT 1;\n/* a /* b */ c";
    assert_eq!(pieces(text), vec![(S, "SELECT 1;"), (W, "\n"), (C, "/* a /* b */ c")]);
    assert_eq!(errors(text), vec![(10, "unterminated block comment: no closing */ before end of input".into())]);
    // After the last token of a statement: the statement ends at its last token, reported once.
    let text = "SELECT 1 /* open";
    assert_eq!(pieces(text), vec![(S, "SELECT 1"), (W, " "), (C, "/* open")]);
    assert_eq!(errors(text).len(), 1);
    // Inside parentheses: still one error, the comment's.
    let text = "SELECT (1 /* open";
    assert_eq!(pieces(text), vec![(S, "SELECT (1"), (W, " "), (C, "/* open")]);
    assert_eq!(errors(text), vec![(10, "unterminated block comment: no closing */ before end of input".into())]);
}

#[test]
fn psql_variables_and_casts() {
    assert_eq!(
        statements("SELECT :'v', :\"w\", :x, a::text, arr[1:n]; SELECT 2;"),
        vec!["SELECT :'v', :\"w\", :x, a::text, arr[1:n];", "SELECT 2;"]
    );
}

#[test]
fn multibyte_text_is_sliced_on_char_boundaries() {
    let text = "SELECT 'ü;é', \"ñ\", ß$x$; -- ½\n/* 日本; */ SELECT 日本;";
    let p = pieces(text);
    assert_eq!(p.iter().filter(|(k, _)| *k == S).count(), 2, "{p:?}");
    // A lone multibyte statement at the end, and a byte order mark.
    assert_eq!(pieces("\u{feff}SELECT 1;"), vec![(W, "\u{feff}"), (S, "SELECT 1;")]);
    assert_eq!(pieces("é"), vec![(S, "é")]);
}

#[test]
fn lone_semicolons_are_statements() {
    assert_eq!(pieces(";;"), vec![(S, ";"), (S, ";")]);
}

#[test]
fn never_panics_on_awkward_inputs() {
    let samples = [
        "'",
        "\"",
        "$",
        "$$",
        "$a",
        "$a$",
        "E'",
        "E'\\",
        "U&",
        "U&'",
        "/*",
        "/*/",
        "*/",
        "--",
        "-",
        "\\",
        "\\\\",
        "(",
        ")",
        ";",
        "COPY",
        "COPY t FROM stdin;\r",
        "COPY t FROM stdin;\n\\",
        "\\copy",
        "\\copy t from",
        "\\copy t from stdin",
        "CREATE FUNCTION f() BEGIN",
        "create or replace function begin",
        "SET",
        "\r",
        "\u{0}",
        "é'",
        "SELECT 1 \\",
        "x\\;",
        ":",
        "::",
        "1.",
        "0x",
        "é$é$",
    ];
    for a in samples {
        for b in samples {
            let text = format!("{a}{b}");
            check_tiling(&text, &scan(&text));
            let text = format!("{a}\n{b} ;\n{a}");
            check_tiling(&text, &scan(&text));
        }
    }
}

#[test]
fn pseudo_random_inputs_tile() {
    // A small xorshift generator over an alphabet of the scanner's delimiters.
    let alphabet: Vec<char> = "ab$'\"E&U;:()-/*\\.\n\r \t1é日\u{feff}COPYFROMSTDINBEGINATOMICEND".chars().collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let text: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let s = scan(&text);
        check_tiling(&text, &s);
        for p in s.statements() {
            let c = text[p.span.start..].chars().next().unwrap();
            assert!(!c.is_whitespace() && c != '\\', "{text:?}: {:?}", s.pieces);
            assert!(!text[p.span.start..].starts_with("--") && !text[p.span.start..].starts_with("/*"));
        }
    }
}

//! One SQL statement: from its first token to the `;` that ends it, decided the way psql decides
//! (`psqlscan.l`): a `;` ends the statement only outside quotes and comments, at parenthesis depth
//! 0, and outside the `BEGIN … END` body of a `CREATE [OR REPLACE] FUNCTION|PROCEDURE`
//! (SQL-standard bodies, `BEGIN ATOMIC … END`, PostgreSQL 14+).
//!
//! Parenthesis depth matters: psql keeps reading past a `;` inside parentheses, which is what keeps
//! a multi-action rule `CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT …; UPDATE …);` one statement.
//!
//! psql's commands that send the query buffer, `\g`, `\gx`, `\gdesc`, `\gset` and `\gexec`, end
//! a statement as `;` does, on the statement's line (`SELECT 1 \gset`) or on a line of their own
//! after it: the statement ends after its last token, and the command (to the end of its line)
//! becomes a meta-command piece. Any other backslash command in the middle of a statement is kept
//! as statement text (psql runs it and keeps reading the statement). `\;` and `\:` put a literal
//! `;` / `:` into the statement and do not end it.

use super::lex::{self, is_kw, Unterminated};

/// How a statement ended.
#[derive(Debug)]
pub(super) struct StatementEnd {
    /// Exclusive end: just after the terminating `;`, or, when the input ended first, just after the
    /// last token (trailing whitespace and comments are not part of the statement).
    pub end: usize,
    /// `COPY … FROM STDIN` ended by `;`: a data block follows on the next line.
    pub copy_from_stdin: bool,
    /// `SET [SESSION] standard_conforming_strings {=|TO} value`: the new setting.
    pub set_std_strings: Option<bool>,
    /// Where and why the statement ran to the end of input (unterminated construct, unbalanced
    /// parenthesis, unclosed `BEGIN` body).
    pub problem: Option<(usize, String)>,
}

/// Scan the statement whose first token starts at `start`. `std_strings` is the current value of
/// standard_conforming_strings: when off, a backslash escapes the next byte in every `'…'` string.
pub(super) fn statement(b: &[u8], start: usize, std_strings: bool) -> StatementEnd {
    let n = b.len();
    let mut st = State::default();
    let mut i = start;
    let mut last = start;
    let mut problem: Option<(usize, String)> = None;
    let mut comment_open = false;

    while i < n {
        let c = b[i];
        let at = i;
        let tok = match c {
            _ if lex::is_space(c) => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = lex::line_comment_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match lex::block_comment(b, i) {
                Ok(e) => {
                    i = e;
                    continue;
                }
                // A comment that never closes is trailing text; the caller reports it when it
                // scans what follows the statement.
                Err(Unterminated) => {
                    comment_open = true;
                    break;
                }
            },
            b';' => {
                i += 1;
                if st.paren_depth == 0 && st.begin_depth == 0 {
                    return StatementEnd {
                        end: i,
                        copy_from_stdin: st.copy == CopyIn::Stdin,
                        set_std_strings: match st.set {
                            SetStd::Value(v) => Some(v),
                            _ => None,
                        },
                        problem: None,
                    };
                }
                Tok::Punct(b';')
            }
            b'(' => {
                if st.paren_depth == 0 {
                    st.paren_open = at;
                }
                st.paren_depth += 1;
                i += 1;
                Tok::Punct(b'(')
            }
            b')' => {
                st.paren_depth = st.paren_depth.saturating_sub(1);
                i += 1;
                Tok::Punct(b')')
            }
            b'\'' => match lex::quoted_string(b, i, !std_strings) {
                Ok(e) => {
                    i = e;
                    Tok::Str(&b[at + 1..e - 1])
                }
                Err(Unterminated) => {
                    problem = Some((at, "unterminated quoted string: no closing ' before end of input".into()));
                    break;
                }
            },
            b'"' => match lex::quoted_ident(b, i) {
                Ok(e) => {
                    i = e;
                    Tok::Other
                }
                Err(Unterminated) => {
                    problem = Some((at, "unterminated quoted identifier: no closing \" before end of input".into()));
                    break;
                }
            },
            b'$' => match lex::dollar_delimiter(b, i) {
                Some(body) => match lex::dollar_body(b, i, body) {
                    Ok(e) => {
                        i = e;
                        Tok::Other
                    }
                    Err(Unterminated) => {
                        let tag = String::from_utf8_lossy(&b[at..body]);
                        problem = Some((
                            at,
                            format!("unterminated dollar-quoted string {tag}: no closing {tag} before end of input"),
                        ));
                        break;
                    }
                },
                // `$1` (a parameter) or a lone `$`.
                None => {
                    i += 1;
                    Tok::Other
                }
            },
            b'\\' => {
                // psql: `\g`, `\gx`, `\gdesc`, `\gset` and `\gexec` send the query buffer, as `;`
                // does: the statement ends after its last token and the command is a meta-command
                // piece of its own (whatever the parenthesis depth, as in psql).
                let name_end = lex::skip_while(b, i + 1, |d| d.is_ascii_alphanumeric() || d == b'_');
                if last > start && is_send_command(&b[i + 1..name_end]) {
                    return StatementEnd {
                        end: last,
                        copy_from_stdin: false,
                        set_std_strings: match st.set {
                            SetStd::Value(v) => Some(v),
                            _ => None,
                        },
                        problem: None,
                    };
                }
                // `\;` and `\:` put the character into the query buffer; `\;` also restarts
                // the CREATE FUNCTION keyword tracking. Any other backslash command is kept as
                // statement text (see the module comment).
                match b.get(i + 1) {
                    Some(b';') => {
                        st.ids = [0; 4];
                        st.id_count = 0;
                        i += 2;
                    }
                    Some(b':') => i += 2,
                    _ => i += 1,
                }
                Tok::Other
            }
            b':' => {
                match b.get(i + 1) {
                    // `::` typecast.
                    Some(b':') => i += 2,
                    // psql variable `:name`: not an identifier for psql's keyword tracking.
                    Some(&d) if lex::is_ident_start(d) || d.is_ascii_digit() => {
                        i = lex::skip_while(b, i + 1, |d| lex::is_ident_start(d) || d.is_ascii_digit());
                    }
                    _ => i += 1,
                }
                Tok::Other
            }
            b'0'..=b'9' => {
                // Numbers, including PostgreSQL 16's `0x1F`, `1_000` and the "trailing junk" forms
                // psql lexes as one token.
                i = lex::skip_while(b, i + 1, |d| d.is_ascii_alphanumeric() || d == b'_' || d == b'.' || d >= 0x80);
                Tok::Number(&b[at..i])
            }
            _ if lex::is_ident_start(c) => {
                // Prefixed literals: E'…', B'…', X'…', N'…', U&'…', U&"…".
                let next = b.get(i + 1).copied();
                let lower = c | 0x20;
                let quote_at = match (lower, next) {
                    (b'e' | b'b' | b'x' | b'n', Some(b'\'')) => Some(i + 1),
                    (b'u', Some(b'&')) if matches!(b.get(i + 2), Some(b'\'' | b'"')) => Some(i + 2),
                    _ => None,
                };
                match quote_at {
                    Some(q) => {
                        let quote = b[q];
                        let ended = if quote == b'"' {
                            lex::quoted_ident(b, q)
                        } else {
                            // E'' always takes backslash escapes; N'' is a plain string; B'', X''
                            // and U&'' never do.
                            let escapes = lower == b'e' || (lower == b'n' && !std_strings);
                            lex::quoted_string(b, q, escapes)
                        };
                        match ended {
                            Ok(e) => {
                                i = e;
                                if quote == b'"' {
                                    Tok::Other
                                } else {
                                    Tok::Str(&b[q + 1..e - 1])
                                }
                            }
                            Err(Unterminated) => {
                                let what = match (lower, quote) {
                                    (_, b'"') => "unterminated quoted identifier U&\"…\": no closing \"",
                                    (b'e', _) => "unterminated escape string E'…': no closing '",
                                    (b'u', _) => "unterminated quoted string U&'…': no closing '",
                                    _ => "unterminated quoted string: no closing '",
                                };
                                problem = Some((at, format!("{what} before end of input")));
                                break;
                            }
                        }
                    }
                    None => {
                        i = lex::skip_while(b, i + 1, lex::is_ident_cont);
                        st.word(&b[at..i], at);
                        Tok::Word(&b[at..i])
                    }
                }
            }
            _ => {
                i += 1;
                Tok::Punct(c)
            }
        };
        st.token(tok);
        last = i;
    }

    if problem.is_some() {
        // An unterminated quoted construct runs to the end of input and is part of the statement.
        last = n;
    } else if comment_open {
        // The unclosed comment is the reason; the caller reports it.
    } else if st.paren_depth > 0 {
        problem = Some((
            st.paren_open,
            "unbalanced parenthesis: no matching ) before end of input, so the statement runs to end of input".into(),
        ));
    } else if st.begin_depth > 0 {
        problem = Some((
            st.begin_open,
            "BEGIN without a matching END in a function body before end of input, so the statement runs to end of input"
                .into(),
        ));
    }
    StatementEnd { end: last, copy_from_stdin: false, set_std_strings: None, problem }
}

/// A token, as far as the statement-level detectors need to know.
#[derive(Clone, Copy, Debug)]
enum Tok<'a> {
    /// An unquoted identifier or keyword.
    Word(&'a [u8]),
    /// The raw contents of a single-quoted string.
    Str(&'a [u8]),
    Number(&'a [u8]),
    Punct(u8),
    /// Anything else: quoted identifiers, dollar quotes, parameters, psql variables, backslashes.
    Other,
}

/// `COPY … FROM STDIN` detection: the first top-level FROM or TO decides the direction, and the
/// token right after FROM must be STDIN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum CopyIn {
    #[default]
    Start,
    /// Saw `COPY`, looking for a top-level FROM or TO.
    SeekDirection,
    AfterFrom,
    Stdin,
    No,
}

/// `SET [SESSION] standard_conforming_strings {=|TO} value` detection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SetStd {
    #[default]
    Start,
    Keyword,
    Session,
    Name,
    Equals,
    Value(bool),
    No,
}

#[derive(Default)]
struct State {
    paren_depth: usize,
    /// The `(` that took the depth from 0 to 1.
    paren_open: usize,
    begin_depth: usize,
    /// The `BEGIN` that took the depth from 0 to 1.
    begin_open: usize,
    /// psql's heuristic: the first letter of the first four identifiers when they are one of
    /// create, function, procedure, or, replace.
    ids: [u8; 4],
    id_count: usize,
    copy: CopyIn,
    set: SetStd,
}

impl State {
    /// psql's BEGIN/CASE/END counting inside `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    fn word(&mut self, w: &[u8], at: usize) {
        if self.id_count < self.ids.len() {
            for kw in ["create", "function", "procedure", "or", "replace"] {
                if is_kw(w, kw) {
                    self.ids[self.id_count] = kw.as_bytes()[0];
                    break;
                }
            }
        }
        self.id_count = self.id_count.saturating_add(1);
        let ids = self.ids;
        let create_function = ids[0] == b'c'
            && (ids[1] == b'f'
                || ids[1] == b'p'
                || (ids[1] == b'o' && ids[2] == b'r' && (ids[3] == b'f' || ids[3] == b'p')));
        if create_function && self.paren_depth == 0 {
            if is_kw(w, "begin") {
                if self.begin_depth == 0 {
                    self.begin_open = at;
                }
                self.begin_depth += 1;
            } else if is_kw(w, "case") {
                // CASE also ends with END; it only matters inside a BEGIN.
                if self.begin_depth >= 1 {
                    self.begin_depth += 1;
                }
            } else if is_kw(w, "end") {
                self.begin_depth = self.begin_depth.saturating_sub(1);
            }
        }
    }

    fn token(&mut self, t: Tok) {
        self.copy = match (self.copy, t) {
            (CopyIn::Start, Tok::Word(w)) if is_kw(w, "copy") => CopyIn::SeekDirection,
            (CopyIn::Start, _) => CopyIn::No,
            (CopyIn::SeekDirection, Tok::Word(w)) if self.paren_depth == 0 && is_kw(w, "from") => CopyIn::AfterFrom,
            (CopyIn::SeekDirection, Tok::Word(w)) if self.paren_depth == 0 && is_kw(w, "to") => CopyIn::No,
            (CopyIn::AfterFrom, Tok::Word(w)) if is_kw(w, "stdin") => CopyIn::Stdin,
            (CopyIn::AfterFrom, _) => CopyIn::No,
            (c, _) => c,
        };
        if self.set == SetStd::No {
            return;
        }
        let scs = "standard_conforming_strings";
        self.set = match (self.set, t) {
            (SetStd::Start, Tok::Word(w)) if is_kw(w, "set") => SetStd::Keyword,
            (SetStd::Keyword, Tok::Word(w)) if is_kw(w, "session") => SetStd::Session,
            (SetStd::Keyword | SetStd::Session, Tok::Word(w)) if is_kw(w, scs) => SetStd::Name,
            (SetStd::Name, Tok::Punct(b'=')) => SetStd::Equals,
            (SetStd::Name, Tok::Word(w)) if is_kw(w, "to") => SetStd::Equals,
            (SetStd::Equals, Tok::Word(v) | Tok::Str(v) | Tok::Number(v)) => match parse_bool(v) {
                Some(v) => SetStd::Value(v),
                None => SetStd::No,
            },
            _ => SetStd::No,
        };
    }
}

/// The boolean spellings PostgreSQL accepts for standard_conforming_strings (DEFAULT is on).
/// psql's meta-commands that send the query buffer to the server, ending the statement.
fn is_send_command(name: &[u8]) -> bool {
    matches!(name, b"g" | b"gx" | b"gdesc" | b"gset" | b"gexec")
}

fn parse_bool(v: &[u8]) -> Option<bool> {
    if ["on", "true", "yes", "1", "default"].iter().any(|k| is_kw(v, k)) {
        Some(true)
    } else if ["off", "false", "no", "0"].iter().any(|k| is_kw(v, k)) {
        Some(false)
    } else {
        None
    }
}

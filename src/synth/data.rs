//! COPY rows: values in PostgreSQL's text output format, escaped for COPY text format.

use std::fmt::Write as _;

use super::model::{civil_from_days, days_from_civil, Gen, Model, Table, Ty};
use super::rng::Rng;

const WORDS: &[&str] = &[
    "alpha",
    "bravo",
    "delta",
    "echo",
    "river",
    "stone",
    "maple",
    "orbit",
    "pixel",
    "cedar",
    "harbor",
    "velvet",
    "quartz",
    "amber",
    "lunar",
    "meadow",
    "copper",
    "signal",
    "vector",
    "willow",
    "summit",
    "ember",
    "glacier",
    "prairie",
    "canyon",
    "nimbus",
    "saffron",
    "tundra",
    "café",
    "naïve",
    "Zürich",
    "東京",
    "smörgås",
    "crème",
];

/// Fragments that exercise COPY escaping and quoting (tabs, newlines, backslashes, quotes).
const SPECIALS: &[&str] = &[
    "tab\there",
    "line one\nline two",
    "C:\\temp\\file.txt",
    "it's fine",
    "say \"hi\"",
    "crlf\r\nend",
    "\\N is not null",
    "back\\.slash",
    "50% off_today",
    "emoji 🎉",
];

const ARRAY_ODD: &[&str] = &["two words", "a,b", "say \"hi\"", "back\\slash", "NULL", "", "{braced}"];

const JSON_KEYS: &[&str] = &[
    "a",
    "id",
    "tag",
    "note",
    "kind",
    "size",
    "color",
    "flags",
    "score",
    "source",
    "version",
    "nested",
    "enabled",
    "priority",
    "attributes",
];

const COUNTRIES: &[&str] = &["US", "DE", "FR", "JP", "BR", "IN", "GB", "CA", "NG", "AU"];

/// Append `s` escaped for COPY text format (backslash, tab, newline, carriage return).
pub fn push_copy_escaped(buf: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = match b {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            _ => continue,
        };
        buf.push_str(&s[start..i]);
        buf.push_str(esc);
        start = i + 1;
    }
    buf.push_str(&s[start..]);
}

/// Row data context for one table: the counts of every table (for foreign-key ranges).
pub struct RowCtx<'a> {
    pub model: &'a Model,
    pub counts: &'a [u64],
    pub scratch: String,
}

/// The partition slot (index into `t.partitions`) row `j` (1-based) lands in.
pub fn slot_of(t: &Table, j: u64) -> usize {
    ((j - 1) % t.partitions.len() as u64) as usize
}

impl RowCtx<'_> {
    /// Append row `j` (1-based) of table `ti`, tab-separated, newline-terminated.
    pub fn write_row(&mut self, buf: &mut String, ti: usize, j: u64) {
        let t = &self.model.tables[ti];
        let mut r = Rng::derive(self.model.seed, 0x00C0_FFEE ^ ti as u64, j);
        for (ci, c) in t.cols.iter().enumerate() {
            if ci > 0 {
                buf.push('\t');
            }
            let null_pct = if c.not_null { 0 } else { 10 };
            match c.gen {
                Gen::Id => push_u64(buf, j),
                Gen::Fk(p) => {
                    let n = self.counts[p];
                    if n == 0 || r.chance(null_pct) {
                        buf.push_str("\\N");
                    } else {
                        push_u64(buf, 1 + r.below(n));
                    }
                }
                Gen::SelfRef => {
                    if j == 1 || r.chance(30) {
                        buf.push_str("\\N");
                    } else {
                        push_u64(buf, 1 + r.below(j - 1));
                    }
                }
                Gen::JoinA(p) => push_u64(buf, (j - 1) % self.counts[p].max(1) + 1),
                Gen::JoinB(p) => {
                    let a = match t.cols[0].gen {
                        Gen::JoinA(pa) => self.counts[pa].max(1),
                        _ => 1,
                    };
                    push_u64(buf, ((j - 1) / a) % self.counts[p].max(1) + 1)
                }
                Gen::PartKey => {
                    let (lo, hi) = t.partitions[slot_of(t, j)]
                        .range
                        .unwrap_or((days_from_civil(2031, 1, 1), days_from_civil(2032, 1, 1)));
                    push_ts(buf, &mut r, lo, hi);
                }
                Gen::CreatedAt => push_ts(buf, &mut r, days_from_civil(2020, 1, 1), days_from_civil(2026, 1, 1)),
                _ if r.chance(null_pct) => buf.push_str("\\N"),
                Gen::Name => {
                    for k in 0..r.range(1, 3) {
                        if k > 0 {
                            buf.push(' ');
                        }
                        push_capitalized(buf, r.pick(WORDS));
                    }
                }
                Gen::Prose => {
                    self.scratch.clear();
                    prose(&mut self.scratch, &mut r, 12);
                    push_copy_escaped(buf, &self.scratch);
                }
                Gen::Email => {
                    let _ = write!(buf, "{}.{}@example.com", ascii_word(&mut r), j);
                }
                Gen::Code => {
                    let _ = write!(buf, "C-{ti}-{j:06}");
                }
                Gen::Sku => {
                    let _ = write!(buf, "SKU-{j:08}");
                }
                Gen::Phone => {
                    let _ = write!(buf, "+1-555-{:04}", r.below(10_000));
                }
                Gen::Country => buf.push_str(r.pick(COUNTRIES)),
                Gen::Plain => self.plain(buf, &mut r, c.ty),
            }
        }
        buf.push('\n');
    }

    fn plain(&mut self, buf: &mut String, r: &mut Rng, ty: Ty) {
        match ty {
            Ty::SmallInt => push_u64(buf, r.below(100)),
            Ty::Int => push_u64(buf, r.below(100_000)),
            Ty::BigInt => push_u64(buf, r.below(1_000_000_000_000)),
            Ty::PosInt => push_u64(buf, r.range(1, 1000)),
            Ty::Text => {
                self.scratch.clear();
                prose(&mut self.scratch, r, 6);
                push_copy_escaped(buf, &self.scratch);
            }
            Ty::Varchar(n) => {
                let mut chars = 0usize;
                let words = r.range(1, 6);
                for k in 0..words {
                    let w = r.pick(WORDS);
                    let wc = w.chars().count() + usize::from(k > 0);
                    if chars + wc > usize::from(n) {
                        break;
                    }
                    if k > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(w);
                    chars += wc;
                }
            }
            Ty::Numeric(p, s) => {
                let int_digits = u32::from(p - s).min(6);
                push_u64(buf, r.below(10u64.pow(int_digits)));
                if s > 0 {
                    let _ = write!(buf, ".{:0width$}", r.below(10u64.pow(u32::from(s))), width = usize::from(s));
                }
            }
            Ty::Bool => buf.push(if r.chance(50) { 't' } else { 'f' }),
            Ty::Timestamptz => push_ts(buf, r, days_from_civil(2019, 1, 1), days_from_civil(2026, 1, 1)),
            Ty::Date => {
                let d = r.range(days_from_civil(2000, 1, 1) as u64, days_from_civil(2030, 12, 31) as u64) as i64;
                push_date(buf, d);
            }
            Ty::Jsonb => {
                self.scratch.clear();
                json_object(&mut self.scratch, r, 0);
                push_copy_escaped(buf, &self.scratch);
            }
            Ty::Uuid => {
                let a = r.next_u64();
                let b = r.next_u64();
                let _ = write!(
                    buf,
                    "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    8 + (b >> 62),
                    (b >> 48) & 0xfff,
                    b & 0xffff_ffff_ffff
                );
            }
            Ty::Enum(e) => buf.push_str(r.pick(self.model.enums[usize::from(e)].labels)),
            Ty::TextArr => {
                self.scratch.clear();
                self.scratch.push('{');
                for k in 0..r.below(5) {
                    if k > 0 {
                        self.scratch.push(',');
                    }
                    match r.below(10) {
                        0 => self.scratch.push_str("NULL"),
                        1 => {
                            self.scratch.push('"');
                            for ch in r.pick(ARRAY_ODD).chars() {
                                if ch == '"' || ch == '\\' {
                                    self.scratch.push('\\');
                                }
                                self.scratch.push(ch);
                            }
                            self.scratch.push('"');
                        }
                        _ => self.scratch.push_str(ascii_word(r)),
                    }
                }
                self.scratch.push('}');
                push_copy_escaped(buf, &self.scratch);
            }
            Ty::IntArr => {
                buf.push('{');
                for k in 0..r.below(6) {
                    if k > 0 {
                        buf.push(',');
                    }
                    push_u64(buf, r.below(1000));
                }
                buf.push('}');
            }
        }
    }
}

fn ascii_word(r: &mut Rng) -> &'static str {
    // The first 28 words are ASCII.
    WORDS[r.below(28) as usize]
}

fn push_u64(buf: &mut String, v: u64) {
    let _ = write!(buf, "{v}");
}

fn push_capitalized(buf: &mut String, w: &str) {
    let mut it = w.chars();
    if let Some(c) = it.next() {
        buf.extend(c.to_uppercase());
        buf.push_str(it.as_str());
    }
}

fn prose(s: &mut String, r: &mut Rng, max_words: u64) {
    let n = r.range(1, max_words);
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        if r.chance(3) {
            s.push_str(r.pick(SPECIALS));
        } else {
            s.push_str(r.pick(WORDS));
        }
    }
}

fn push_date(buf: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    let _ = write!(buf, "{y:04}-{m:02}-{d:02}");
}

/// A `timestamp with time zone` in `[lo, hi)` days, printed as a UTC server prints it.
fn push_ts(buf: &mut String, r: &mut Rng, lo: i64, hi: i64) {
    let secs = r.below(((hi - lo) * 86_400) as u64) as i64;
    push_date(buf, lo + secs / 86_400);
    let s = secs % 86_400;
    let _ = write!(buf, " {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if r.chance(50) {
        let mut micros = r.below(1_000_000);
        if micros > 0 {
            let mut width = 6;
            while micros % 10 == 0 {
                micros /= 10;
                width -= 1;
            }
            let _ = write!(buf, ".{micros:0width$}");
        }
    }
    buf.push_str("+00");
}

fn json_string(s: &mut String, v: &str) {
    s.push('"');
    for ch in v.chars() {
        match ch {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

/// A jsonb object as jsonb prints it: keys ordered by (length, bytes), `": "` and `", "`.
fn json_object(s: &mut String, r: &mut Rng, depth: u32) {
    let mut keys: Vec<&str> = Vec::with_capacity(4);
    for _ in 0..r.range(1, 4) {
        let k = r.pick(JSON_KEYS);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    s.push('{');
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        json_string(s, k);
        s.push_str(": ");
        match r.below(if depth == 0 { 8 } else { 6 }) {
            0 | 1 => {
                let _ = write!(s, "{}", r.below(10_000));
            }
            2 => {
                let _ = write!(s, "{}.5", r.below(1000));
            }
            3 => {
                let w = if r.chance(15) { r.pick(SPECIALS) } else { r.pick(WORDS) };
                json_string(s, w);
            }
            4 => s.push_str(if r.chance(50) { "true" } else { "false" }),
            5 => s.push_str("null"),
            6 => {
                s.push('[');
                for e in 0..r.range(1, 3) {
                    if e > 0 {
                        s.push_str(", ");
                    }
                    let _ = write!(s, "{}", r.below(100));
                }
                s.push(']');
            }
            _ => json_object(s, r, depth + 1),
        }
    }
    s.push('}');
}

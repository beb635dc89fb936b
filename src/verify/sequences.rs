//! Sequence positions: a sequence whose next value is not past the largest value already in the
//! column it feeds makes the next insert fail with a duplicate key (the classic trap after a
//! data load that copied rows but not the `setval`).

use std::collections::BTreeMap;

use postgres::Client;
use serde::Serialize;

use super::catalog::{Catalog, QualName, SequenceFeed};
use super::diff::{Difference, Problem};
use super::VerifyError;
use crate::manifest::ObjectKind;

/// One sequence/column pair as found on a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SequenceCheck {
    pub feed: SequenceFeed,
    pub increment: i128,
    pub last_value: i128,
    pub is_called: bool,
    /// `max(column)` for an ascending sequence, `min(column)` for a descending one; `None` when
    /// the table is empty.
    pub extreme: Option<i128>,
}

impl SequenceCheck {
    /// The value `nextval` returns next.
    pub fn next_value(&self) -> i128 {
        if self.is_called {
            self.last_value + self.increment
        } else {
            self.last_value
        }
    }

    /// True when `nextval` would hand out a value the column already holds or has passed.
    pub fn behind(&self) -> bool {
        match self.extreme {
            None => false,
            Some(x) if self.increment >= 0 => self.next_value() <= x,
            Some(x) => self.next_value() >= x,
        }
    }
}

/// Column types whose values a sequence position can be compared with.
fn integer_type(t: &str) -> bool {
    matches!(t, "smallint" | "integer" | "bigint" | "numeric")
}

fn parse_int(v: Option<String>) -> Option<i128> {
    v.and_then(|s| s.parse().ok())
}

/// Read each fed sequence's position and its column's max (or min) on `client`'s server.
pub fn check(client: &mut Client, cat: &Catalog) -> Result<Vec<SequenceCheck>, VerifyError> {
    let mut positions: BTreeMap<&QualName, (i128, bool)> = BTreeMap::new();
    let mut out = Vec::new();
    for feed in &cat.sequence_feeds {
        let Some(seq) = cat.sequences.get(&feed.sequence) else {
            continue;
        };
        if !integer_type(&feed.column_type) {
            continue;
        }
        let Ok(increment) = seq.increment.parse::<i128>() else {
            continue;
        };
        let (last_value, is_called) = match positions.get(&feed.sequence) {
            Some(p) => *p,
            None => {
                let context = format!("read position of sequence {}", feed.sequence);
                let row = client
                    .query_one(&format!("SELECT last_value::text, is_called::text FROM {}", feed.sequence.sql()), &[])
                    .map_err(|e| VerifyError::query(&context, &e))?;
                let last: Option<String> = row.get(0);
                let called: Option<String> = row.get(1);
                let Some(last) = parse_int(last) else {
                    continue;
                };
                let p = (last, called.as_deref() == Some("true"));
                positions.insert(&feed.sequence, p);
                p
            }
        };
        let agg = if increment >= 0 { "max" } else { "min" };
        let context = format!("read {agg}({}) of {}", feed.column, feed.table);
        let row = client
            .query_one(
                &format!(
                    "SELECT pg_catalog.{agg}({})::text FROM {}",
                    super::catalog::quote_ident(&feed.column),
                    feed.table.sql()
                ),
                &[],
            )
            .map_err(|e| VerifyError::query(&context, &e))?;
        let extreme: Option<String> = row.get(0);
        out.push(SequenceCheck { feed: feed.clone(), increment, last_value, is_called, extreme: parse_int(extreme) });
    }
    Ok(out)
}

/// Differences for sequences that are behind their column. Returns (matched, differences).
pub fn compare(checks: &[SequenceCheck]) -> (usize, Vec<Difference>) {
    let mut matched = 0;
    let mut diffs = Vec::new();
    for c in checks {
        if !c.behind() {
            matched += 1;
            continue;
        }
        let agg = if c.increment >= 0 { "max" } else { "min" };
        let column = format!("{}.{}", c.feed.table, super::catalog::display_ident(&c.feed.column));
        let x = c.extreme.unwrap_or_default();
        diffs.push(Difference::new(
            ObjectKind::Sequence,
            Some(&c.feed.sequence.schema),
            None,
            &c.feed.sequence.name,
            c.feed.sequence.to_string(),
            Problem::SequenceBehind,
            format!(
                "next value {} on the target is not past {agg}({column}) = {x}: the next insert using it fails with a duplicate key \
                 (fix: SELECT setval('{}', {x}))",
                c.next_value(),
                c.feed.sequence.sql().replace('\'', "''"),
            ),
        ));
    }
    (matched, diffs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(increment: i128, last_value: i128, is_called: bool, extreme: Option<i128>) -> SequenceCheck {
        SequenceCheck {
            feed: SequenceFeed {
                sequence: QualName::new("public", "t_id_seq"),
                table: QualName::new("public", "t"),
                column: "id".into(),
                column_type: "integer".into(),
            },
            increment,
            last_value,
            is_called,
            extreme,
        }
    }

    #[test]
    fn behind_or_not() {
        assert!(!check(1, 10, true, Some(10)).behind());
        assert!(check(1, 10, false, Some(10)).behind());
        assert!(check(1, 1, true, Some(10)).behind());
        assert!(!check(1, 1, false, None).behind());
        assert!(!check(-1, -10, true, Some(-10)).behind());
        assert!(check(-1, -5, true, Some(-10)).behind());
    }

    #[test]
    fn difference_names_sequence_and_column() {
        let (m, d) = compare(&[check(1, 1, true, Some(10)), check(1, 10, true, Some(10))]);
        assert_eq!(m, 1);
        assert_eq!(d[0].object, "public.t_id_seq");
        assert!(d[0].detail.contains("max(public.t.id) = 10"), "{}", d[0].detail);
    }
}

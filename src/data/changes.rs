//! Whether the source was written after the snapshot: per table, the statistics counters
//! `n_tup_ins + n_tup_upd + n_tup_del` of `pg_stat_user_tables`, read when the snapshot is taken
//! and again at the end of the run. The counters are not transactional and reach the view up to
//! about a second after a write commits, so a write in the last second before the end may be
//! missed; they never count reads, so the migration's own reading never shows.

use std::collections::BTreeMap;

use postgres::Client;
use serde::{Deserialize, Serialize};

use crate::verify::{pg_message, VerifyError};

const COUNTERS: &str = "SELECT quote_ident(schemaname) || '.' || quote_ident(relname), \
    (n_tup_ins + n_tup_upd + n_tup_del)::int8 FROM pg_catalog.pg_stat_user_tables ORDER BY 1";

/// Each table's write counter.
pub type Counters = BTreeMap<String, i64>;

/// Read the counters now (a session of its own: a transaction keeps the first values it read).
pub fn read(c: &mut Client) -> Result<Counters, VerifyError> {
    let rows = c.query(COUNTERS, &[]).map_err(|e| VerifyError::Query {
        origin: "source: ".into(),
        context: "reading pg_stat_user_tables".into(),
        message: pg_message(&e),
    })?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// What changed between two readings, for status.json.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceChange {
    /// Tables written (or created, or dropped) since the snapshot, by name.
    pub tables: Vec<String>,
}

impl SourceChange {
    pub fn between(at_snapshot: &Counters, now: &Counters) -> SourceChange {
        let mut tables: Vec<String> = now
            .iter()
            .filter(|(t, n)| at_snapshot.get(*t).map_or(**n > 0, |before| *n != before))
            .map(|(t, _)| t.clone())
            .collect();
        tables.extend(at_snapshot.keys().filter(|t| !now.contains_key(*t)).cloned());
        tables.sort();
        SourceChange { tables }
    }

    /// The summary's line.
    pub fn line(&self) -> String {
        if self.tables.is_empty() {
            return "the source did not change after the snapshot (by its statistics counters); the target equals the source".into();
        }
        let shown: Vec<&str> = self.tables.iter().take(10).map(String::as_str).collect();
        let more = if self.tables.len() > shown.len() { ", …" } else { "" };
        format!(
            "the source changed after the snapshot ({} written: {}{more}); the target equals the source as of the snapshot",
            crate::text::count(self.tables.len(), "table", "tables"),
            shown.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_created_and_dropped_tables() {
        let before: Counters = [("public.a".into(), 5), ("public.b".into(), 3), ("public.gone".into(), 1)].into();
        let now: Counters =
            [("public.a".into(), 5), ("public.b".into(), 4), ("public.new".into(), 2), ("public.idle".into(), 0)]
                .into();
        let c = SourceChange::between(&before, &now);
        assert_eq!(c.tables, ["public.b", "public.gone", "public.new"]);
        assert!(
            c.line().starts_with(
                "the source changed after the snapshot (3 tables written: public.b, public.gone, public.new)"
            ),
            "{}",
            c.line()
        );
        assert!(SourceChange::between(&before, &before).line().starts_with("the source did not change"));
    }
}

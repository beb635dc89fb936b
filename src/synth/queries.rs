//! Deterministic synthetic application queries, the shape of a pg_stat_statements export: the
//! lint benchmark's query set.
//!
//! Queries use `$n` parameters as pg_stat_statements normalises them, mostly plain CRUD over
//! joins, with a few percent of constructs the target handles differently (advisory locks,
//! system columns, `FOR UPDATE SKIP LOCKED`, jsonb subscripting, `LISTEN`, savepoints,
//! `txid_current()`), as real applications have them.

use std::fmt::Write;

use super::rng::Rng;

const TABLES: &[&str] =
    &["accounts", "orders", "order_items", "products", "customers", "invoices", "events", "sessions", "audit_log"];
const COLUMNS: &[&str] = &["id", "status", "created_at", "updated_at", "owner_id", "amount", "name", "kind", "payload"];

/// `n` queries separated by `;\n`, as one `.sql` text; the same `(n, seed)` gives the same bytes.
pub fn queries(n: usize, seed: u64) -> String {
    let mut out = String::with_capacity(n * 120);
    for i in 0..n {
        let mut r = Rng::derive(seed, 7, i as u64);
        query(&mut out, &mut r);
        out.push_str(";\n");
    }
    out
}

fn query(out: &mut String, r: &mut Rng) {
    let t = r.pick(TABLES);
    let u = r.pick(TABLES);
    let c = r.pick(COLUMNS);
    let d = r.pick(COLUMNS);
    let _ = match r.below(100) {
        0..=29 => write!(out, "SELECT {t}.{c}, {t}.{d} FROM public.{t} WHERE {t}.id = $1"),
        30..=44 => write!(
            out,
            "SELECT a.{c}, b.{d}, count(*) FROM public.{t} a JOIN public.{u} b ON b.owner_id = a.id \
             WHERE a.created_at > $1 AND b.status = ANY($2) GROUP BY a.{c}, b.{d} ORDER BY 3 DESC LIMIT $3"
        ),
        45..=59 => write!(out, "INSERT INTO public.{t} ({c}, {d}) VALUES ($1, $2) RETURNING id"),
        60..=71 => write!(out, "UPDATE public.{t} SET {c} = $1, updated_at = now() WHERE id = $2"),
        72..=77 => write!(out, "DELETE FROM public.{t} WHERE id = $1"),
        78..=82 => write!(
            out,
            "WITH recent AS (SELECT id, {c} FROM public.{t} WHERE created_at > now() - $1::interval) \
             SELECT r.{c}, u.{d} FROM recent r LEFT JOIN public.{u} u ON u.id = r.id"
        ),
        83..=86 => write!(
            out,
            "INSERT INTO public.{t} (id, {c}) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET {c} = EXCLUDED.{c}"
        ),
        87..=88 => {
            write!(out, "SELECT id FROM public.{t} WHERE status = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED")
        }
        89 => write!(out, "SELECT pg_advisory_xact_lock($1)"),
        90 => write!(out, "SELECT xmin, ctid, * FROM public.{t} WHERE id = $1"),
        91 => write!(out, "SELECT payload['{c}'] FROM public.{t} WHERE id = $1"),
        92 => write!(out, "SELECT txid_current()"),
        93 => write!(out, "LISTEN {t}_changes"),
        94 => write!(out, "SAVEPOINT sp_{c}"),
        95 => write!(out, "SELECT * FROM public.{t} WHERE id = $1 FOR NO KEY UPDATE"),
        96 => write!(out, "LOCK TABLE public.{t} IN SHARE ROW EXCLUSIVE MODE"),
        97 => write!(out, "SELECT jsonb_path_query(payload, '$.{c}') FROM public.{t}"),
        98 => write!(out, "SELECT {c} FROM public.{t} ORDER BY {c} FETCH FIRST $1 ROWS WITH TIES"),
        _ => write!(out, "SELECT set_config('search_path', $1, false)"),
    };
}

#[cfg(test)]
mod tests {
    use super::queries;

    #[test]
    fn same_seed_same_bytes_and_every_query_parses() {
        let a = queries(500, 3);
        assert_eq!(a, queries(500, 3));
        assert_ne!(a, queries(500, 4));
        let parsed = pg_query::parse(&a, 0).expect("the query set parses");
        assert_eq!(parsed.protobuf.stmts.len(), 500);
    }
}

-- pg_dump output with an xml column, a large-object column and server-internal types.
CREATE TABLE public.invoices (
    id bigint NOT NULL,
    payload xml,
    scan public.lo,
    created_xid xid,
    wal_position pg_lsn,
    seen txid_snapshot
);

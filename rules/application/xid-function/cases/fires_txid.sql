SELECT txid_current(), txid_snapshot_xmin(txid_current_snapshot());
SELECT pg_xact_commit_timestamp(xmin) FROM public.orders;

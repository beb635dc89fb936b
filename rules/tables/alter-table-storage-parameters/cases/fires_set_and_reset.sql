-- Tuning statements from a migration script: SET, RESET, and SET next to another subcommand.
CREATE TABLE public.events (
    id bigint NOT NULL,
    payload jsonb,
    kind text
);

ALTER TABLE public.events SET (autovacuum_vacuum_scale_factor = 0.01, fillfactor = 90);

ALTER TABLE ONLY public.events RESET (fillfactor);

ALTER TABLE IF EXISTS public.events
    SET (parallel_workers = 4),
    ALTER COLUMN kind SET DEFAULT 'click';

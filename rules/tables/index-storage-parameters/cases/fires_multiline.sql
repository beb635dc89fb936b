-- Hand-written, over several lines, with a tablespace after the parameters.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "Events by day"
    ON public.events (date_trunc('day', created_at))
    WITH (
        fillfactor = 50
    )
    TABLESPACE pg_default;

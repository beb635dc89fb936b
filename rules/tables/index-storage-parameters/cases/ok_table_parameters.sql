-- Storage parameters on a table are accepted (and ignored); an index without WITH.
CREATE TABLE public.events (
    id bigint NOT NULL,
    created_at timestamp with time zone
)
WITH (fillfactor='80', autovacuum_enabled='false');

CREATE INDEX events_created_at_idx ON public.events USING btree (created_at);

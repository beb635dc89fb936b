-- Index creation and ANALYZE are not REINDEX.
CREATE TABLE public.events (
    id bigint NOT NULL,
    kind text
);

CREATE INDEX events_kind_idx ON public.events USING btree (kind);

ANALYZE public.events;

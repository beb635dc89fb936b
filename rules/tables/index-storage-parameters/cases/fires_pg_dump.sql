-- pg_dump: reloptions on a btree, a GIN and a partial unique index.
CREATE TABLE public.events (
    id bigint NOT NULL,
    tags text[],
    created_at timestamp with time zone,
    deleted boolean DEFAULT false
);

CREATE INDEX events_created_at_idx ON public.events USING btree (created_at) WITH (fillfactor='70', deduplicate_items='off');

CREATE INDEX index_events_on_tags ON public.events USING gin (tags) WITH (fastupdate='false');

CREATE UNIQUE INDEX events_live_id_idx ON public.events USING btree (id) INCLUDE (created_at) WITH (fillfactor='90') WHERE (NOT deleted);

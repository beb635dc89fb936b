-- A maintenance script: REINDEX of an index, a table (concurrently, PostgreSQL 12+) and a schema.
CREATE TABLE public.events (
    id bigint NOT NULL,
    kind text
);

CREATE INDEX events_kind_idx ON public.events USING btree (kind);

REINDEX INDEX public.events_kind_idx;

REINDEX (VERBOSE) TABLE CONCURRENTLY public.events;

reindex schema public;

-- A tablespace after the parameters and before the predicate, and a quoted tablespace name.
CREATE TABLE public.events (
    id bigint NOT NULL,
    created_at timestamp with time zone,
    deleted boolean
);

CREATE INDEX events_created_at_idx ON public.events USING btree (created_at) INCLUDE (id) TABLESPACE fast_ssd WHERE (NOT deleted);

CREATE UNIQUE INDEX events_id_idx
    ON public.events (id)
    TABLESPACE "Fast SSD";

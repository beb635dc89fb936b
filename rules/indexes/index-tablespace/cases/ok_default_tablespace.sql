-- pg_dump selects tablespaces with SET default_tablespace rather than a clause.
SET default_tablespace = '';

CREATE TABLE public.events (
    id bigint NOT NULL,
    created_at timestamp with time zone
);

CREATE INDEX events_created_at_idx ON public.events USING btree (created_at);

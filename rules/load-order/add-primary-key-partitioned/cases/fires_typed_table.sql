-- A typed partitioned table has no column list to fold the key into.
CREATE TYPE public.event_row AS (
    id bigint,
    happened_at timestamp with time zone
);

CREATE TABLE public."Events" OF public.event_row
PARTITION BY RANGE (happened_at);

ALTER TABLE ONLY public."Events"
    ADD CONSTRAINT "Events_pkey" PRIMARY KEY (id, happened_at);

-- pg_dump: ALTER INDEX … ATTACH PARTITION, a rename, and ALTER TABLE … SET (ZN210's).
CREATE TABLE public.events (
    id bigint NOT NULL,
    happened_on date NOT NULL
)
PARTITION BY RANGE (happened_on);

CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE INDEX events_happened_on_idx ON ONLY public.events USING btree (happened_on);

CREATE INDEX events_2024_happened_on_idx ON public.events_2024 USING btree (happened_on);

ALTER INDEX public.events_happened_on_idx ATTACH PARTITION public.events_2024_happened_on_idx;

ALTER INDEX public.events_2024_happened_on_idx RENAME TO events_2024_day_idx;

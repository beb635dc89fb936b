-- No USING clause; a column named using.
CREATE TABLE public.events (id bigint NOT NULL, "using" text, heap text);
CREATE TABLE public.p2024 PARTITION OF public.events_by_year FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

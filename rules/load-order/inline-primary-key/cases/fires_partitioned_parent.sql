-- A partitioned parent and its partition: ADD PRIMARY KEY on the parent fails before 2.23.
CREATE TABLE public.events (
    id bigint NOT NULL,
    created_at date NOT NULL
)
PARTITION BY RANGE (created_at);

CREATE TABLE public.events_2024 (
    id bigint NOT NULL,
    created_at date NOT NULL
);

ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id, created_at);

ALTER TABLE ONLY public.events_2024
    ADD CONSTRAINT events_2024_pkey PRIMARY KEY (id, created_at);

-- Attaching a partition is not inheritance.
CREATE TABLE public.logs (
    id bigint,
    logged_on date NOT NULL
)
PARTITION BY RANGE (logged_on);

CREATE TABLE public.logs_2024 (
    id bigint,
    logged_on date NOT NULL
);

ALTER TABLE ONLY public.logs ATTACH PARTITION public.logs_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

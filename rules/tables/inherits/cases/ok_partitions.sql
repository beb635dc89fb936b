-- Declarative partitions are not inheritance.
CREATE TABLE public.measurement (
    city_id integer NOT NULL,
    logdate date NOT NULL
)
PARTITION BY RANGE (logdate);

CREATE TABLE public.measurement_y2024 PARTITION OF public.measurement
FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE public.measurement_y2025 (
    city_id integer NOT NULL,
    logdate date NOT NULL
);

ALTER TABLE ONLY public.measurement ATTACH PARTITION public.measurement_y2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- pg_dump: a log table with no key, an unkeyed partitioned parent and its partition, and a
-- table with only a unique constraint.
CREATE TABLE public.audit_log (
    logged_at timestamp with time zone NOT NULL,
    message text
);

CREATE TABLE public.measurements (
    city_id integer NOT NULL,
    logdate date NOT NULL
)
PARTITION BY RANGE (logdate);

CREATE TABLE public.measurements_2024 (
    city_id integer NOT NULL,
    logdate date NOT NULL
);

CREATE TABLE public.codes (
    code text NOT NULL
);

ALTER TABLE ONLY public.measurements ATTACH PARTITION public.measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ALTER TABLE ONLY public.codes
    ADD CONSTRAINT codes_code_key UNIQUE (code);

-- pg_dump style: partitions created as tables, then attached; one is itself partitioned.
CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE public.payment (
    id bigint NOT NULL,
    region text NOT NULL,
    paid_at date NOT NULL,
    updated_at timestamp with time zone
)
PARTITION BY LIST (region);

CREATE TABLE public.payment_eu (
    id bigint NOT NULL,
    region text NOT NULL,
    paid_at date NOT NULL,
    updated_at timestamp with time zone
)
PARTITION BY RANGE (paid_at);

CREATE TABLE public.payment_eu_2024 (
    id bigint NOT NULL,
    region text NOT NULL,
    paid_at date NOT NULL,
    updated_at timestamp with time zone
);

CREATE TABLE public."Payment US" (
    id bigint NOT NULL,
    region text NOT NULL,
    paid_at date NOT NULL,
    updated_at timestamp with time zone
);

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_eu FOR VALUES IN ('eu');

ALTER TABLE ONLY public.payment_eu ATTACH PARTITION public.payment_eu_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ALTER TABLE ONLY public.payment ATTACH PARTITION public."Payment US" FOR VALUES IN ('us');

CREATE TRIGGER payment_touch BEFORE UPDATE ON public.payment FOR EACH ROW EXECUTE FUNCTION public.touch();

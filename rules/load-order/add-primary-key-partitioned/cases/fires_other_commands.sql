-- The ALTER TABLE adds the key and a CHECK constraint: ZN101 cannot fold it, so it reaches the target.
CREATE TABLE public.sales (
    id bigint NOT NULL,
    region text NOT NULL,
    amount numeric
)
PARTITION BY LIST (region);

CREATE TABLE public.sales_emea (
    id bigint NOT NULL,
    region text NOT NULL,
    amount numeric
);

ALTER TABLE ONLY public.sales ATTACH PARTITION public.sales_emea FOR VALUES IN ('emea');

ALTER TABLE ONLY public.sales
    ADD CONSTRAINT sales_pkey PRIMARY KEY (id, region),
    ADD CONSTRAINT sales_amount_check CHECK (amount >= 0);

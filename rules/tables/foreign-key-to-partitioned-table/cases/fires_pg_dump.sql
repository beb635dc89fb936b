-- pg_dump 15: a partitioned parent with its key, a partition, and a foreign key referencing the parent.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    placed_on date NOT NULL
)
PARTITION BY RANGE (placed_on);

CREATE TABLE public.orders_2024 (
    id bigint NOT NULL,
    placed_on date NOT NULL
);

CREATE TABLE public.shipments (
    id bigint NOT NULL,
    order_id bigint,
    placed_on date
);

ALTER TABLE ONLY public.orders ATTACH PARTITION public.orders_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed_on);

ALTER TABLE public.shipments
    ADD CONSTRAINT shipments_order_fkey FOREIGN KEY (order_id, placed_on) REFERENCES public.orders(id, placed_on) ON DELETE CASCADE;

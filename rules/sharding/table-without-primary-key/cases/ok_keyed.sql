-- Keys inline, added later by ALTER TABLE (pg_dump), inherited by partitions (created and
-- attached), copied by LIKE … INCLUDING ALL; temporary and foreign tables are not reported.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    placed_at date NOT NULL
)
PARTITION BY RANGE (placed_at);

CREATE TABLE public.orders_2024 PARTITION OF public.orders
FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE TABLE public.orders_2025 (
    id bigint NOT NULL,
    placed_at date NOT NULL
);

CREATE TABLE public.orders_2026 PARTITION OF public.orders
FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
PARTITION BY HASH (id);

CREATE TABLE public.orders_2026_h0 PARTITION OF public.orders_2026
FOR VALUES WITH (MODULUS 2, REMAINDER 0);

CREATE TABLE public.items (id integer PRIMARY KEY, sku text);
CREATE TABLE public.items_copy (LIKE public.items INCLUDING ALL);
CREATE TABLE public.lines (order_id bigint, line_no int, CONSTRAINT lines_pkey PRIMARY KEY (order_id, line_no));

CREATE TEMPORARY TABLE staging (v text);
CREATE TEMP TABLE staging2 (v text);

CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw;
CREATE FOREIGN TABLE public.remote_orders (id bigint) SERVER remote;

ALTER TABLE ONLY public.orders ATTACH PARTITION public.orders_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id, placed_at);

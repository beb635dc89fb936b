-- A regular table and a partition are not foreign tables.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    total numeric
)
PARTITION BY RANGE (id);

CREATE TABLE public.orders_low PARTITION OF public.orders FOR VALUES FROM (0) TO (1000000);

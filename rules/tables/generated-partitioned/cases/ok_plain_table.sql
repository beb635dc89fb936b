-- A plain table's generated column is ZN206's; a partitioned table without one is fine.
CREATE TABLE public.orders (
    qty integer NOT NULL,
    total integer GENERATED ALWAYS AS (qty * 2) STORED
);

CREATE TABLE public.events (
    id bigint NOT NULL,
    at date NOT NULL
)
PARTITION BY RANGE (at);

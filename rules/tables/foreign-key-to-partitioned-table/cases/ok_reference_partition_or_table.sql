-- A foreign key to a plain table, and a foreign key from a partitioned table to a plain one.
CREATE TABLE public.customers (
    id bigint NOT NULL,
    CONSTRAINT customers_pkey PRIMARY KEY (id)
);

CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id bigint,
    placed_on date NOT NULL
)
PARTITION BY RANGE (placed_on);

ALTER TABLE public.orders
    ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

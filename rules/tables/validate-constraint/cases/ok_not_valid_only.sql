-- pg_dump keeps NOT VALID constraints as they are and never validates them.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    qty integer
);

ALTER TABLE public.orders
    ADD CONSTRAINT orders_qty_check CHECK ((qty > 0)) NOT VALID;

-- pg_dump emits a NOT VALID check separately from its table.
CREATE TABLE public.stock (
    id integer PRIMARY KEY,
    qty integer
);

ALTER TABLE public.stock
    ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;

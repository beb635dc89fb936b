-- The usual two-step migration: add NOT VALID, then validate (alone, and next to another subcommand).
CREATE TABLE public.customers (
    id bigint NOT NULL,
    CONSTRAINT customers_pkey PRIMARY KEY (id)
);

CREATE TABLE public."Orders" (
    id bigint NOT NULL,
    customer_id bigint,
    qty integer
);

ALTER TABLE public."Orders"
    ADD CONSTRAINT "Orders_customer_fkey" FOREIGN KEY (customer_id) REFERENCES public.customers(id) NOT VALID;

ALTER TABLE public."Orders" VALIDATE CONSTRAINT "Orders_customer_fkey";

ALTER TABLE public."Orders"
    ADD CONSTRAINT "Orders_qty_check" CHECK ((qty > 0)) NOT VALID;

ALTER TABLE public."Orders"
    VALIDATE CONSTRAINT "Orders_qty_check",
    ALTER COLUMN qty SET DEFAULT 1;

-- Dropping foreign keys, unique and check constraints is supported.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id bigint,
    code text,
    CONSTRAINT orders_pkey PRIMARY KEY (id),
    CONSTRAINT orders_code_key UNIQUE (code),
    CONSTRAINT orders_id_check CHECK (id > 0)
);

ALTER TABLE public.orders DROP CONSTRAINT orders_code_key;

ALTER TABLE public.orders DROP CONSTRAINT orders_id_check, DROP COLUMN customer_id;

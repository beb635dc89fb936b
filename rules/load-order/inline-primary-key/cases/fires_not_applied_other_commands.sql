-- The ALTER TABLE does more than add the key: it is kept as written, with a warning.
CREATE TABLE public.orders (
    id bigint NOT NULL,
    total numeric
);

ALTER TABLE public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id),
    ALTER COLUMN total SET DEFAULT 0;

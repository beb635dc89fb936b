-- Other column changes: defaults and NOT NULL.
CREATE TABLE public.orders (id bigint NOT NULL, total numeric);

ALTER TABLE ONLY public.orders ALTER COLUMN total SET DEFAULT 0;

ALTER TABLE public.orders ALTER COLUMN total SET NOT NULL;

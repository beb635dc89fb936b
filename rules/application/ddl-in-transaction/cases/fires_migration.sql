BEGIN;
CREATE INDEX orders_state ON public.orders (state);
DROP TABLE public.old_orders;
ROLLBACK;

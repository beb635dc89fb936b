-- pg_dump 15 writes the option in WITH (…); spelled as on or 1 by hand.
CREATE VIEW public.my_orders WITH (security_invoker='true') AS
 SELECT orders.id,
    orders.total
   FROM public.orders;

CREATE VIEW public.my_invoices WITH (security_invoker = on, security_barrier) AS SELECT id FROM public.invoices;

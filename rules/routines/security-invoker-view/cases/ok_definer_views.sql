-- Views that run as their owner (the default, or said explicitly), and a security barrier view.
CREATE VIEW public.all_orders AS SELECT id FROM public.orders;

CREATE VIEW public.barrier WITH (security_barrier='true') AS SELECT id FROM public.orders;

CREATE VIEW public.definer WITH (security_invoker = false) AS SELECT id FROM public.orders;

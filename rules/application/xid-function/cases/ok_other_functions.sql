SELECT now(), age(now(), created_at) FROM public.orders;

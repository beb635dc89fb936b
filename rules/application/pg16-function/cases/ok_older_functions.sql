SELECT gen_random_uuid();
SELECT min(email) FROM public.orders GROUP BY customer_id;

UPDATE public.orders SET state = 'x' WHERE CURRENT OF c;
DELETE FROM public.orders WHERE CURRENT OF c;

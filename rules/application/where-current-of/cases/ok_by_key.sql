UPDATE public.orders SET state = 'x' WHERE id = $1;

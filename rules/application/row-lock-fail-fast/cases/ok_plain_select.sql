SELECT * FROM public.accounts WHERE id = $1;

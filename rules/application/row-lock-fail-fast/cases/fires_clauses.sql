SELECT * FROM public.accounts WHERE id = $1 FOR NO KEY UPDATE;
SELECT * FROM public.accounts a JOIN public.owners o ON o.id = a.owner FOR SHARE OF o NOWAIT;

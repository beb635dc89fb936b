SELECT id, balance, xmin FROM public.accounts WHERE id = $1;
DELETE FROM public.events a USING public.events b WHERE a.ctid < b.ctid AND a.key = b.key;

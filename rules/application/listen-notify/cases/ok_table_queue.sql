SELECT id FROM public.jobs WHERE state = 'new' ORDER BY id LIMIT 10;

CREATE TABLE public.events (id int PRIMARY KEY, payload jsonb);
SELECT e.payload['type']::text FROM public.events e WHERE e.id = 1;
SELECT (jsonb_build_object('a', 1))['a'];

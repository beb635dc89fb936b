CREATE TABLE public.events (id int PRIMARY KEY, payload jsonb, tags text[]);
SELECT payload -> 'type', tags[1] FROM public.events;

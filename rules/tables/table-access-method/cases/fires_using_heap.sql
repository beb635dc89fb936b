CREATE TABLE public.events (id bigint NOT NULL, kind text) USING heap;
CREATE TABLE public.logs (
    id bigint NOT NULL,
    at timestamp with time zone
)
USING HEAP
WITH (fillfactor='90');
CREATE TABLE public.measures (city text, at date) PARTITION BY RANGE (at) USING heap;

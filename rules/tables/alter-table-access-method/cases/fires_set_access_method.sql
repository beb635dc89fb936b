CREATE TABLE public.events (id bigint NOT NULL, kind text);
ALTER TABLE public.events SET ACCESS METHOD heap;
ALTER TABLE ONLY public.events SET ACCESS METHOD DEFAULT;
ALTER TABLE public.events SET ACCESS METHOD heap, ADD COLUMN note text;
ALTER MATERIALIZED VIEW public.daily SET ACCESS METHOD heap;

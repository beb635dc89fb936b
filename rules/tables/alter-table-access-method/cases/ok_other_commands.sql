CREATE TABLE public.events (id bigint NOT NULL, kind text);
ALTER TABLE public.events ADD COLUMN note text;
ALTER TABLE public.events SET WITHOUT CLUSTER;

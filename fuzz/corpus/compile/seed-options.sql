?CREATE TABLE public.p (id integer, k text) PARTITION BY RANGE (id);
CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10);
CREATE INDEX p_k ON ONLY public.p USING gin (k);
ALTER TABLE public.p OWNER TO app;
GRANT SELECT ON public.p TO reader;
ALTER TABLE ONLY public.p ADD CONSTRAINT p_k_key UNIQUE (k, id);

CREATE TABLE public.a (id integer NOT NULL);
ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);
CREATE TABLE public.b (a_id integer REFERENCES public.a(id));

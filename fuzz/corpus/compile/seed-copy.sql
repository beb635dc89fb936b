SET standard_conforming_strings = on;
CREATE TABLE public.t (id integer NOT NULL, v text DEFAULT $$x$$);
COPY public.t (id, v) FROM stdin;
1	a
2	\N
\.

ALTER TABLE ONLY public.t
    ADD CONSTRAINT t_pkey PRIMARY KEY (id);

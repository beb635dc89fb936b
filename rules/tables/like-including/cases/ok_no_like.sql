CREATE TABLE public.plain (id integer NOT NULL, likes integer);

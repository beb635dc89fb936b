-- OIDS = FALSE, WITHOUT OIDS (pg_dump 8.x–11 with default_with_oids off) and other parameters.
CREATE TABLE public.plain (id bigint PRIMARY KEY) WITH (OIDS = FALSE);
CREATE TABLE public.plain2 (id bigint PRIMARY KEY) WITHOUT OIDS;
CREATE TABLE public.plain3 (id bigint PRIMARY KEY) WITH (oids = off);
CREATE TABLE public.oids (oids text PRIMARY KEY);

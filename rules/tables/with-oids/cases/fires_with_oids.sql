-- pg_dump of PostgreSQL 9.x/10/11 with default_with_oids, and hand-written spellings.
CREATE TABLE public.legacy (
    name text
)
WITH (OIDS = TRUE);

CREATE TABLE public.legacy2 (id integer) WITH (oids);
create table legacy3 (id integer) with (OIDS=on);
CREATE TABLE legacy4 (id integer) WITH (fillfactor = 70, oids = 1);

COPY public.legacy (name) FROM stdin;
a
\.

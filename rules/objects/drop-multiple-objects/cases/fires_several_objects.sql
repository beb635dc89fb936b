-- Hand-written scripts: indexes, views, sequences, schemas, extensions, with IF EXISTS and CASCADE.
CREATE TABLE public.t (a int, b int);
CREATE INDEX t_a ON public.t (a);
CREATE INDEX t_b ON public.t (b);
DROP INDEX public.t_a, public.t_b;
CREATE VIEW public.v1 AS SELECT 1 AS x;
CREATE VIEW public.v2 AS SELECT 2 AS x;
drop view if exists v1, v2 cascade;
CREATE SEQUENCE public.s1;
CREATE SEQUENCE public.s2;
DROP SEQUENCE public.s1, public.s2 RESTRICT;
CREATE SCHEMA a;
CREATE SCHEMA b;
DROP SCHEMA IF EXISTS a, b CASCADE;
DROP EXTENSION IF EXISTS hstore, citext;

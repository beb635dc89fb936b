-- pg_dump --clean's one object per DROP, and DROP TABLE of several tables (supported).
CREATE TABLE public.t1 (a int);
CREATE TABLE public.t2 (a int);
CREATE INDEX t1_a ON public.t1 (a);
DROP INDEX IF EXISTS public.t1_a;
DROP TABLE public.t1, public.t2;
CREATE SEQUENCE public.s1;
DROP SEQUENCE public.s1;

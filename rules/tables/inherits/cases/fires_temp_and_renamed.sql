-- A temporary table of the same name is not the inheriting table; what names the inheriting
-- table with its schema, or by the name it was renamed to, follows it.
CREATE TABLE public.p (id integer);
CREATE TABLE public.pktable (a integer) INHERITS (public.p);
CREATE TEMP TABLE pktable (id integer, b integer);
INSERT INTO pktable VALUES (1, 2);
INSERT INTO public.pktable (a) VALUES (3);
ALTER TABLE public.pktable RENAME TO pk_renamed;
CREATE INDEX pk_renamed_a ON public.pk_renamed USING btree (a);

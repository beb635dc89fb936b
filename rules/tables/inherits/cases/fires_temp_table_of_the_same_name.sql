-- An unqualified temporary table later in the script is the session's own table, not the
-- inheriting public.pktable: it stays, with what uses it.
CREATE TABLE public.pkparent (id int);
CREATE TABLE public.pktable (note text) INHERITS (public.pkparent);
CREATE TEMP TABLE pktable (id int, other int);
INSERT INTO pktable VALUES (1, 2);
DROP TABLE pktable;

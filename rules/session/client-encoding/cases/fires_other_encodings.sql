-- A LATIN1 dump converted with iconv, and the other spellings.
SET client_encoding = 'LATIN1';
SET client_encoding TO win1252;
SET NAMES 'SQL_ASCII';
SELECT pg_catalog.set_config('client_encoding', 'EUC_JP', false);
CREATE TABLE public.t (s text);
COPY public.t (s) FROM stdin;
café
\.

SET client_encoding = 'UTF8';
SET client_encoding = 'utf-8';
SET NAMES 'Unicode';
SET client_encoding = DEFAULT;
SELECT pg_catalog.set_config('client_encoding', 'UTF8', false);
ALTER DATABASE app SET client_encoding = 'LATIN1';
CREATE TABLE public.t (s text);

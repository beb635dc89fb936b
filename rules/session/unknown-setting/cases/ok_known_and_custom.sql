-- Settings PostgreSQL 11 knows (any case), custom placeholders and ZNbaseDB's own are kept.
SET statement_timeout = 0;
SET "DateStyle" = 'ISO, MDY';
SET TIME ZONE 'UTC';
SET default_with_oids = false;
SELECT pg_catalog.set_config('myapp.tenant', '42', false);
SET myapp.region = 'eu';
SET yb_silence_advisory_locks_not_supported_error = on;
ALTER DATABASE app SET work_mem = '64MB';
RESET ALL;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
-- Several set_config calls in one SELECT are kept whole.
SELECT set_config('search_path', 'public', false), set_config('default_table_access_method', 'heap', false);
-- A function's settings are ZN112's.
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql SET default_table_access_method = heap AS $$ SELECT 1 $$;
CREATE TABLE public.events (id bigint NOT NULL);

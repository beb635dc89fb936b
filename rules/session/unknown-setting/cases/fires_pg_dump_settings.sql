-- pg_dump 17 header: two settings PostgreSQL 11 does not know, among ones it does.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.events (id bigint NOT NULL, kind text);
-- Every way to set or reset one.
SET SESSION default_toast_compression = 'lz4';
SET LOCAL idle_session_timeout = 0;
RESET default_table_access_method;
SELECT pg_catalog.set_config('default_table_access_method', 'heap', false);
ALTER DATABASE app SET default_toast_compression = 'lz4';
ALTER ROLE app_user IN DATABASE app SET idle_session_timeout = '1h';
ALTER FUNCTION public.f() SET default_table_access_method = heap;
ALTER TABLE public.events ADD COLUMN note text;

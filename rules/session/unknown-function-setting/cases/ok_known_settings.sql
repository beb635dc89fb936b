CREATE FUNCTION public.f(a integer) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO public, pg_temp
    SET work_mem = '64MB'
    SET myapp.tenant = '1'
    AS $$ BEGIN RETURN a; END $$;
ALTER FUNCTION public.f(integer) SET statement_timeout = '5s';

-- Several clauses: only the unknown ones go, with their values (lists, FROM CURRENT, RESET).
CREATE FUNCTION public.f(a integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO public, pg_temp
    SET default_toast_compression = 'lz4'
    SET transaction_timeout TO -1
    SET idle_session_timeout FROM CURRENT
    AS $$ BEGIN RETURN a; END $$;
CREATE PROCEDURE public.p() LANGUAGE sql SET default_table_access_method TO heap BEGIN ATOMIC SELECT 1; END;
ALTER FUNCTION public.f(integer) SET work_mem = '1MB' RESET default_table_access_method;

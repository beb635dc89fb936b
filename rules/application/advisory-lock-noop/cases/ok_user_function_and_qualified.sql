CREATE FUNCTION app.pg_advisory_lock(k bigint) RETURNS void LANGUAGE sql AS $$ SELECT $$;
SELECT app.pg_advisory_lock(1);
SELECT pg_catalog.pg_stat_get_backend_pid(1);

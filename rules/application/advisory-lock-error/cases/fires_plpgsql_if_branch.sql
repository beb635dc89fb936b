CREATE FUNCTION public.run_job(job bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF job > 0 THEN
        PERFORM pg_advisory_xact_lock(job);
    END IF;
END
$$;

CREATE FUNCTION public.run_job(job bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF job > 0 THEN
        PERFORM pg_advisory_xact_lock(job);
    END IF;
END
$$;
-- A DECLARE with a type of another schema, and a body that does not parse.
CREATE FUNCTION app.run_once(p_job app.jobs.id%TYPE) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_state app.job_state;
BEGIN
    PERFORM pg_advisory_lock(p_job);
END $$;
CREATE FUNCTION app.run_twice() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_lock(1)
    PERFORM pg_advisory_lock(2;
END $$;

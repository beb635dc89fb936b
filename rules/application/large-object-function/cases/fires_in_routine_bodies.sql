-- A schema-qualified parameter type (stand-in) and a body that does not parse (tokens).
CREATE FUNCTION docs.purge(p docs.document) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lo_unlink(p.blob);
END $$;
CREATE FUNCTION docs.purge_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR r IN SELECT blob FROM docs.documents LOOP
        PERFORM pg_catalog.lo_unlink(r.blob)
    END LOOP
END $$;

CREATE FUNCTION public.purge(tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DELETE FROM ' || quote_ident(tbl);
    EXECUTE format('VACUUM %I', tbl);
END $$;

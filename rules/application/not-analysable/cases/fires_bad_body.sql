CREATE FUNCTION public.bad() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF THEN
END $$;
CREATE FUNCTION public.bad_sql() RETURNS int LANGUAGE sql AS $$ SELEC 1 $$;
DO $$
BEGIN
    EXECUTE 'SELEC 1';
END $$;

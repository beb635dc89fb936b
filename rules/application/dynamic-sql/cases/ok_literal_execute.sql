CREATE FUNCTION public.reset() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'TRUNCATE public.cache';
END $$;

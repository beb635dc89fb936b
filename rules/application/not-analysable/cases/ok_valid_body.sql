CREATE FUNCTION public.good() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    RETURN 1;
END $$;

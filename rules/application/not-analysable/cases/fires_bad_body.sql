CREATE FUNCTION public.bad() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF THEN
END $$;

CREATE FUNCTION public.last_order() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    c SCROLL CURSOR FOR SELECT id FROM public.orders ORDER BY id;
    v bigint;
BEGIN
    OPEN c;
    FETCH LAST FROM c INTO v;
    RETURN v;
END $$;

-- Using the built-in conversions through functions is fine.
CREATE FUNCTION public.to_latin1(t text) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT convert_to(t, 'LATIN1') $$;

CREATE FUNCTION public.one() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.two() RETURNS integer LANGUAGE plpgsql AS $f$ BEGIN RETURN 2; END $f$;

CREATE OR REPLACE FUNCTION public.full_name(first text, last text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((first || ' '::text) || last);

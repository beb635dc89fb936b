-- SQL, PL/pgSQL and internal functions need no library.
CREATE FUNCTION public.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

CREATE FUNCTION public.my_int4in(cstring) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'int4in';

-- OWNER TO works everywhere; ALTER FUNCTION … RENAME is not an aggregate's.
CREATE AGGREGATE public.mysum(int4) (sfunc = int4pl, stype = int4);
ALTER AGGREGATE public.mysum(int4) OWNER TO CURRENT_USER;
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION public.f() RENAME TO g;

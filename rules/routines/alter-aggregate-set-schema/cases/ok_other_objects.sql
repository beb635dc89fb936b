-- SET SCHEMA of functions and types, and the aggregate's rename and owner (not this rule's).
CREATE SCHEMA other;
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION public.f() SET SCHEMA other;
CREATE TYPE public.mood AS ENUM ('a');
ALTER TYPE public.mood SET SCHEMA other;
CREATE AGGREGATE public.mysum(int4) (sfunc = int4pl, stype = int4);
ALTER AGGREGATE public.mysum(int4) OWNER TO CURRENT_USER;
ALTER AGGREGATE public.mysum(int4) RENAME TO total;

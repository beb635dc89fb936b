-- The type's rename and owner, and SET SCHEMA of a function (not this rule's).
CREATE SCHEMA billing;
CREATE TYPE public.currency AS ENUM ('eur', 'usd');
ALTER TYPE public.currency RENAME TO money_unit;
ALTER TYPE public.money_unit OWNER TO CURRENT_USER;
CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION public.f() SET SCHEMA billing;

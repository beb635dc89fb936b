-- Hand-written migration scripts: every attribute form, several actions in one statement, and
-- a type whose schema is not public.
CREATE TYPE public.address AS (street text, city text, note varchar(10));
ALTER TYPE public.address ADD ATTRIBUTE zip text;
alter type address drop attribute if exists note cascade;
ALTER TYPE public.address ALTER ATTRIBUTE city SET DATA TYPE varchar(80), ADD ATTRIBUTE country text COLLATE "C";
CREATE SCHEMA geo;
CREATE TYPE geo.point3 AS (x float8, y float8);
ALTER TYPE geo.point3 ADD ATTRIBUTE z float8 RESTRICT;

-- Hand-written migration scripts: RENAME ATTRIBUTE with and without CASCADE, unqualified and in
-- another schema.
CREATE TYPE public.address AS (street text, town text);
ALTER TYPE public.address RENAME ATTRIBUTE town TO city;
alter type address rename attribute street to line1 cascade;
CREATE SCHEMA geo;
CREATE TYPE geo.point3 AS (x float8, y float8, h float8);
ALTER TYPE geo.point3 RENAME ATTRIBUTE h TO z RESTRICT;

-- Enum and composite types moved to another schema by hand-written scripts.
CREATE SCHEMA billing;
CREATE TYPE public.currency AS ENUM ('eur', 'usd');
ALTER TYPE public.currency SET SCHEMA billing;
create type amount as (value numeric, unit text);
alter type amount set schema billing;

-- Qualified and unqualified, with the argument list as pg_dump and people write it.
CREATE AGGREGATE public.mysum(int4) (sfunc = int4pl, stype = int4);
CREATE SCHEMA stats;
ALTER AGGREGATE public.mysum(integer) SET SCHEMA stats;
CREATE AGGREGATE public.cnt(*) (sfunc = int8inc, stype = int8, initcond = '0');
alter aggregate cnt(*) set schema stats;

-- Hand-written scripts, with the argument lists as pg_dump and people write them.
CREATE AGGREGATE public.mysum(int4) (sfunc = int4pl, stype = int4);
ALTER AGGREGATE public.mysum(int4) RENAME TO total;
CREATE AGGREGATE public.cnt(*) (sfunc = int8inc, stype = int8, initcond = '0');
alter aggregate cnt(*) rename to counted;

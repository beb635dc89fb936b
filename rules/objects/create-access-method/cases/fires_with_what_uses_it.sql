-- An index access method, its operator class and an index using it follow it; a btree index stays.
CREATE ACCESS METHOD bloom2 TYPE INDEX HANDLER public.blhandler;
COMMENT ON ACCESS METHOD bloom2 IS 'bloom filters';
CREATE OPERATOR CLASS public.int4_bloom2_ops DEFAULT FOR TYPE integer USING bloom2 AS
    OPERATOR 1 =(integer, integer),
    FUNCTION 1 hashint4(integer);
CREATE TABLE public.readings (id int PRIMARY KEY, sensor int);
CREATE INDEX readings_sensor_bloom ON public.readings USING bloom2 (sensor);
CREATE INDEX readings_sensor ON public.readings USING btree (sensor);

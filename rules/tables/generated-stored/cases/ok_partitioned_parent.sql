-- A partitioned parent is left to the partition rule; the generated column is kept.
CREATE TABLE public.m (
    a integer,
    b integer GENERATED ALWAYS AS (a * 2) STORED
)
PARTITION BY RANGE (a);

-- A partitioned parent is left to ZN241; a plain table without a generated column is untouched.
CREATE TABLE public.m (
    a integer,
    b integer GENERATED ALWAYS AS (a * 2) STORED
)
PARTITION BY RANGE (a);

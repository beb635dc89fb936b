-- A stored generated column of a partitioned table is ZN241's.
CREATE TABLE public.m (
    a integer,
    b integer GENERATED ALWAYS AS (a * 2) STORED
)
PARTITION BY RANGE (a);

-- A partitioned parent with a stored generated column, and its partition.
CREATE TABLE public.m (
    a integer,
    b integer GENERATED ALWAYS AS (a * 2) STORED
)
PARTITION BY RANGE (a);

CREATE TABLE public.m_1 PARTITION OF public.m FOR VALUES FROM (0) TO (100);

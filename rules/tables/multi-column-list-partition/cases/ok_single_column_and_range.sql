-- LIST over one column and RANGE over two are fine.
CREATE TABLE public.stock (
    warehouse text NOT NULL,
    qty integer
)
PARTITION BY LIST (warehouse);

CREATE TABLE public.readings (
    sensor integer NOT NULL,
    taken_on date NOT NULL
)
PARTITION BY RANGE (sensor, taken_on);

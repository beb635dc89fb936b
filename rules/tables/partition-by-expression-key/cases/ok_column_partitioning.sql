-- Partitioned by a column with a key, and partitioned by an expression without one.
CREATE TABLE public.sales (
    id bigint NOT NULL,
    sold_on date NOT NULL,
    PRIMARY KEY (id, sold_on)
)
PARTITION BY RANGE (sold_on);

CREATE TABLE public.sales_log (
    sold_at timestamp NOT NULL,
    note text
)
PARTITION BY RANGE (date_trunc('month', sold_at));

-- Keys on ids, a timestamp after an id (partitioned tables), and a unique timestamp.
CREATE TABLE public.orders (id bigint NOT NULL, created_at timestamptz NOT NULL);

CREATE TABLE public.measurements (
    id bigint NOT NULL,
    taken_at timestamptz NOT NULL
)
PARTITION BY RANGE (taken_at);

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.measurements
    ADD CONSTRAINT measurements_pkey PRIMARY KEY (id, taken_at);

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_created_at_key UNIQUE (created_at);

-- ALTER TABLE ADD PRIMARY KEY on a table that is not partitioned works on every version.
CREATE TABLE public.customers (
    id bigint NOT NULL,
    name text
);

ALTER TABLE public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id),
    ADD CONSTRAINT customers_name_key UNIQUE (name);

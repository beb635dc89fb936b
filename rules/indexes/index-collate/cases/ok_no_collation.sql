-- An operator class is not a collation.
CREATE TABLE public.customers (
    id bigint NOT NULL,
    last_name text
);

CREATE INDEX customers_last_name_pattern_idx ON public.customers USING btree (last_name text_pattern_ops);

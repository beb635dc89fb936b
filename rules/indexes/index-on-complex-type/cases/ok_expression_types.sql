-- Expressions of indexable types over complex columns, and composites of indexable attributes.
CREATE TYPE public.money_amount AS (
    currency text,
    cents bigint
);

CREATE TABLE public.orders (id bigint NOT NULL, total public.money_amount, body jsonb, data text);

CREATE INDEX orders_total_idx ON public.orders USING btree (total);
CREATE INDEX orders_status_idx ON public.orders USING btree (((body ->> 'status'::text)));
CREATE INDEX orders_body_text_idx ON public.orders USING btree (((body)::text));
CREATE INDEX orders_lower_idx ON public.orders USING btree (lower(data));
CREATE INDEX orders_tsv_gin_idx ON public.orders USING gin (to_tsvector('simple'::regconfig, data));

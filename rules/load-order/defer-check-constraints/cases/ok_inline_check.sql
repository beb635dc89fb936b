-- Checks declared inside CREATE TABLE (column or table constraint) stay in the table.
CREATE TABLE public.stock (
    id integer PRIMARY KEY,
    qty integer CHECK (qty >= 0),
    price numeric,
    CONSTRAINT price_positive CHECK (price > 0)
);

CREATE DOMAIN public.percent AS numeric CHECK (VALUE BETWEEN 0 AND 100);

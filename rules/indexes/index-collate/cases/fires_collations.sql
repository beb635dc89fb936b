-- pg_dump: a "C" collation for pattern search, a qualified ICU collation with an operator class.
CREATE TABLE public."Customers" (
    id bigint NOT NULL,
    last_name text,
    city character varying(80)
);

CREATE INDEX "Customers last_name C" ON public."Customers" USING btree (last_name COLLATE "C");

CREATE INDEX customers_city_de_idx ON public."Customers" USING btree (city COLLATE pg_catalog."de-x-icu" varchar_pattern_ops, last_name);

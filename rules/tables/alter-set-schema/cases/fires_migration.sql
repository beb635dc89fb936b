-- A migration moving a table and its sequence to an archive schema.
CREATE SCHEMA "Archive";

CREATE TABLE public.orders_2019 (
    id bigint NOT NULL
);

CREATE SEQUENCE public.orders_2019_id_seq;

ALTER TABLE IF EXISTS public.orders_2019
    SET SCHEMA "Archive";

ALTER SEQUENCE public.orders_2019_id_seq SET SCHEMA "Archive";

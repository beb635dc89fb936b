-- pg_dump 18 of pagila's film table: a virtual generated column.
CREATE TABLE public.film (
    film_id integer NOT NULL,
    title text NOT NULL,
    length smallint,
    length_hours numeric(4,2) GENERATED ALWAYS AS (round(length / 60.0, 2)) VIRTUAL
);

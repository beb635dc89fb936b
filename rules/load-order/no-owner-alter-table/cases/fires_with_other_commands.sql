-- Only the OWNER TO subcommand goes; the default stays.
CREATE TABLE public.film (
    film_id integer NOT NULL,
    rating text
);

ALTER TABLE public.film
    ALTER COLUMN rating SET DEFAULT 'G',
    OWNER TO app_owner;

-- ALTER TABLE without OWNER TO, and an ALTER FUNCTION … OWNER TO (ZN109's node).
CREATE TABLE public.film (
    film_id integer NOT NULL,
    rating text
);

ALTER TABLE ONLY public.film ALTER COLUMN rating SET DEFAULT 'G';

CREATE FUNCTION public.last_day(timestamp with time zone) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT
    AS $_$
  SELECT (date_trunc('month', $1) + interval '1 month' - interval '1 day')::date;
$_$;

ALTER FUNCTION public.last_day(timestamp with time zone) OWNER TO postgres;

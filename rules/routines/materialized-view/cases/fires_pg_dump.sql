-- pg_dump: the view WITH NO DATA, its owner, index and comment; the REFRESH comes at the end.
CREATE TABLE public.rental (
    rental_id integer NOT NULL,
    category text,
    amount numeric(5,2)
);

CREATE MATERIALIZED VIEW public.rental_by_category AS
 SELECT rental.category,
    sum(rental.amount) AS total_sales
   FROM public.rental
  GROUP BY rental.category
  WITH NO DATA;

ALTER TABLE public.rental_by_category OWNER TO postgres;

COMMENT ON MATERIALIZED VIEW public.rental_by_category IS 'Sales per category, refreshed nightly';

CREATE UNIQUE INDEX rental_category ON public.rental_by_category USING btree (category);

REFRESH MATERIALIZED VIEW public.rental_by_category;

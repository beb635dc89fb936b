-- A plain view, and a table created from a query, are not materialized views.
CREATE TABLE public.rental (rental_id integer PRIMARY KEY, category text, amount numeric);

CREATE VIEW public.rental_by_category AS
 SELECT category, sum(amount) AS total_sales FROM public.rental GROUP BY category;

CREATE TABLE public.rental_copy AS SELECT * FROM public.rental;

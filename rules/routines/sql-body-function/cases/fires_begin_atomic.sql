CREATE FUNCTION public.film_in_stock_count(p_film_id integer) RETURNS bigint
    LANGUAGE sql STABLE
BEGIN ATOMIC
 SELECT count(*) AS count
    FROM public.inventory
   WHERE (inventory.film_id = film_in_stock_count.p_film_id);
END;

CREATE PROCEDURE public.bump(IN n integer)
BEGIN ATOMIC
  UPDATE public.counters SET value = value + n;
  INSERT INTO public.log(msg) VALUES ('it''s $$ bumped');
END;

CREATE MATERIALIZED VIEW public.daily AS
 SELECT o.day, count(*) AS n FROM public.orders o JOIN public.items i USING (order_id) GROUP BY o.day
  WITH NO DATA;
CREATE VIEW public.v AS SELECT * FROM public.orders JOIN public.items USING (order_id);

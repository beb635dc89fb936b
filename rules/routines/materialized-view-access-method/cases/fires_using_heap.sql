CREATE MATERIALIZED VIEW public.daily USING heap AS
 SELECT o.day, count(*) AS n FROM public.orders o JOIN public.items i USING (order_id) GROUP BY o.day
  WITH NO DATA;
CREATE MATERIALIZED VIEW public.totals (n) USING heap WITH (fillfactor = 80) AS SELECT 1;

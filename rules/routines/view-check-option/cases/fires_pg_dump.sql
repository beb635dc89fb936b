-- pg_dump puts the check option after the query; both kinds.
CREATE VIEW public.cheap_products AS
 SELECT products.id,
    products.price
   FROM public.products
  WHERE (products.price < (10)::numeric)
  WITH CASCADED CHECK OPTION;

CREATE VIEW public.active_users AS
 SELECT users.id
   FROM public.users
  WHERE users.active
  WITH LOCAL CHECK OPTION;

CREATE OR REPLACE VIEW public.default_check AS SELECT id FROM public.users WHERE id > 0 WITH CHECK OPTION;

-- Views without a check option, including one whose text mentions it in a string.
CREATE VIEW public.cheap_products AS
 SELECT products.id FROM public.products WHERE products.price < 10;

CREATE VIEW public.labels AS SELECT 'WITH CHECK OPTION'::text AS label;

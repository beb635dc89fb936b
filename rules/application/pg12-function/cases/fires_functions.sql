SELECT range_agg(during) FROM public.bookings;
SELECT jsonb_path_query_first(doc, '$.a') FROM public.docs;
SELECT date_bin('15 minutes', ts, '2000-01-01') FROM public.events;
-- In a schema: a default, a CHECK and a view.
CREATE TABLE public.shapes (
    n integer DEFAULT gcd(12, 18),
    doc jsonb,
    CONSTRAINT shapes_doc_check CHECK (jsonb_path_exists(doc, '$.kind'))
);
CREATE VIEW public.tags AS SELECT string_to_table('a,b', ',') AS tag;

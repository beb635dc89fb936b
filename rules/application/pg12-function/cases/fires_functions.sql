SELECT range_agg(during) FROM public.bookings;
SELECT jsonb_path_query_first(doc, '$.a') FROM public.docs;
SELECT date_bin('15 minutes', ts, '2000-01-01') FROM public.events;

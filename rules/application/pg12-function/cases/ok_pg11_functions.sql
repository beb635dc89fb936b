SELECT regexp_matches(body, 'error', 'g') FROM public.logs;
SELECT unnest(string_to_array(tags, ',')) FROM public.posts;

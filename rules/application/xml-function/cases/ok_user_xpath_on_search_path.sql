CREATE FUNCTION app.xpath(path text, doc jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT doc #> string_to_array(path, '/') $$;
SELECT app.xpath('a/b', body) FROM public.docs;
SET search_path = app, public;
SELECT xpath('a/b', body) FROM public.docs;

-- A unique index on a function the input defines, whose declared result type is jsonb.
CREATE FUNCTION public.place_doc(d text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT d::jsonb $$;
CREATE TABLE public.places (id bigint PRIMARY KEY, doc text);

CREATE UNIQUE INDEX places_doc_key ON public.places USING btree (public.place_doc(doc));
CREATE UNIQUE INDEX places_status_key ON public.places USING btree (((doc::jsonb ->> 'status'::text)));

-- Expression keys calling functions the input defines: typed by their declared result type.
CREATE DOMAIN public.tag_list AS text[];
CREATE TYPE public.doc_span AS (lo integer, width interval);
CREATE FUNCTION public.doc_meta(d jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT d -> 'meta' $$;
CREATE FUNCTION public.doc_tags(d jsonb) RETURNS public.tag_list
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT ARRAY['a']::public.tag_list $$;
CREATE FUNCTION public.doc_extent(d jsonb) RETURNS public.doc_span
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT ROW(1, interval '1 day')::public.doc_span $$;
CREATE TABLE public.docs (id integer PRIMARY KEY, body jsonb);

CREATE INDEX docs_meta_idx ON public.docs USING btree (public.doc_meta(body));
CREATE INDEX docs_meta_bare_idx ON public.docs (doc_meta(body));
CREATE INDEX docs_tags_idx ON public.docs USING btree (public.doc_tags(body));
CREATE INDEX docs_extent_idx ON public.docs USING btree (public.doc_extent(body));
-- A parameter with a default may be left out, a VARIADIC one takes more arguments.
CREATE FUNCTION public.doc_part(d jsonb, key text DEFAULT 'meta') RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT d -> key $$;
CREATE FUNCTION public.doc_path(d jsonb, VARIADIC keys text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT d #> keys $$;

CREATE INDEX docs_part_idx ON public.docs USING btree (public.doc_part(body));
CREATE INDEX docs_path_idx ON public.docs USING btree (public.doc_path(body, 'a', 'b'));

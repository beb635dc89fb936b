-- Expression keys of indexable types: ->> and #>> give text, a function the input declares to
-- return an integer, and overloads of one arity (which one a call means needs the argument's type).
CREATE FUNCTION public.doc_rank(d jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT 1 $$;
CREATE FUNCTION public.pick(d jsonb) RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT 2 $$;
CREATE FUNCTION public.pick(t text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT to_jsonb(t) $$;
CREATE TABLE public.docs (id integer PRIMARY KEY, body jsonb);

CREATE INDEX docs_status_idx ON public.docs USING btree (((body ->> 'status'::text)));
CREATE INDEX docs_path_idx ON public.docs USING btree (((body #>> '{a,b}'::text[])));
CREATE INDEX docs_rank_idx ON public.docs USING btree (public.doc_rank(body));
CREATE INDEX docs_pick_idx ON public.docs USING btree (public.pick(body));

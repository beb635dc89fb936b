-- A partial GIN index.
CREATE TABLE public.docs (
    id integer PRIMARY KEY,
    body jsonb,
    archived boolean
);

CREATE INDEX docs_body_idx ON public.docs USING gin (body) WHERE (NOT archived);

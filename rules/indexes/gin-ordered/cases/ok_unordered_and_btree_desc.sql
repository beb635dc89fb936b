-- An unordered GIN key, and DESC on a B-tree.
CREATE TABLE public.documents (
    id bigint NOT NULL,
    tags text[],
    created_at timestamp
);

CREATE INDEX documents_tags_idx ON public.documents USING gin (tags);

CREATE INDEX documents_created_idx ON public.documents USING btree (created_at DESC NULLS LAST);

-- One GIN index per column, and a multi-column B-tree.
CREATE TABLE public.articles (
    id bigint NOT NULL,
    tags text[],
    account_id integer,
    created_at timestamp
);

CREATE INDEX articles_tags_idx ON public.articles USING gin (tags);

CREATE INDEX articles_account_created_idx ON public.articles USING btree (account_id, created_at);

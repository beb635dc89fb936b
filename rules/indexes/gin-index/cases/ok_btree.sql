-- B-tree indexes, including one on an expression over the same column.
CREATE TABLE public.posts (
    id bigint NOT NULL,
    metadata jsonb
);

CREATE INDEX index_posts_on_status ON public.posts USING btree (((metadata ->> 'status'::text)));

-- pg_dump (Rails structure.sql): GIN on an array expression, on jsonb with an operator class, trigram search.
CREATE TABLE public.posts (
    id bigint NOT NULL,
    tag_string text DEFAULT ''::text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    source character varying DEFAULT ''::character varying NOT NULL
);

CREATE INDEX index_posts_on_string_to_array_tag_string ON public.posts USING gin (string_to_array(tag_string, ' '::text));

CREATE INDEX index_posts_on_metadata ON public.posts USING gin (metadata jsonb_path_ops);

CREATE INDEX index_posts_on_source_trgm ON public.posts USING gin (lower((source)::text) public.gin_trgm_ops);

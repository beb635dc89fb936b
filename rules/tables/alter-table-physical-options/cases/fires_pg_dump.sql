-- pg_dump (Rails structure.sql): statistics targets on a column and on an expression index, and CLUSTER ON.
CREATE TABLE public.posts (
    id bigint NOT NULL,
    tag_string text DEFAULT ''::text NOT NULL,
    created_at timestamp without time zone
);

ALTER TABLE ONLY public.posts ALTER COLUMN created_at SET STATISTICS 1000;

CREATE INDEX index_posts_on_string_to_array_tag_string ON public.posts USING gin (string_to_array(tag_string, ' '::text));

ALTER INDEX public.index_posts_on_string_to_array_tag_string ALTER COLUMN 1 SET STATISTICS 3000;

CREATE INDEX index_posts_on_created_at ON public.posts USING btree (created_at);

ALTER TABLE public.posts CLUSTER ON index_posts_on_created_at;

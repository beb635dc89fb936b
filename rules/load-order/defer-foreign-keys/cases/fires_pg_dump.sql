-- pg_dump adds foreign keys at the end with ALTER TABLE ONLY.
CREATE TABLE public.authors (
    id bigint PRIMARY KEY
);

CREATE TABLE public.books (
    id bigint PRIMARY KEY,
    author_id bigint
);

ALTER TABLE ONLY public.books
    ADD CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) REFERENCES public.authors(id) ON DELETE CASCADE;

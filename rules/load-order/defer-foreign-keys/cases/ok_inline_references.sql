-- Foreign keys declared inside CREATE TABLE stay where they are.
CREATE TABLE public.authors (
    id bigint PRIMARY KEY
);

CREATE TABLE public.books (
    id bigint PRIMARY KEY,
    author_id bigint REFERENCES public.authors(id),
    editor_id bigint,
    CONSTRAINT books_editor_fkey FOREIGN KEY (editor_id) REFERENCES public.authors(id)
);

-- Other constraints added by ALTER TABLE are not foreign keys.
CREATE TABLE public.books (
    id bigint NOT NULL,
    isbn text
);

ALTER TABLE ONLY public.books
    ADD CONSTRAINT books_pkey PRIMARY KEY (id);

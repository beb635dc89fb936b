-- btree (mapped to lsm), GIN and an index without USING.
CREATE TABLE public.film (
    film_id integer NOT NULL,
    title text NOT NULL,
    fulltext tsvector NOT NULL
);

CREATE INDEX idx_title ON public.film USING btree (title);

CREATE INDEX film_fulltext_gin ON public.film USING gin (fulltext);

CREATE UNIQUE INDEX film_id_key ON public.film (film_id);

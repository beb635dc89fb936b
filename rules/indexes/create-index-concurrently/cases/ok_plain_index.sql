-- Indexes built without CONCURRENTLY; an index named like the keyword's neighbour.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text
);

CREATE INDEX index_users_on_email ON public.users USING btree (email);

CREATE UNIQUE INDEX "concurrently_built" ON public.users (id);

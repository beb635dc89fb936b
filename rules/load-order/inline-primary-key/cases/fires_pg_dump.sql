-- pg_dump declares the table, then adds its key with a separate ALTER TABLE ONLY.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text
);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

-- Only primary keys are folded; unique constraints and keys built from an index are not.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text
);

CREATE UNIQUE INDEX users_id_idx ON public.users USING btree (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;

-- pg_dump: a unique constraint with a fillfactor, added by ALTER TABLE.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying(255)
);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email) WITH (fillfactor='70');

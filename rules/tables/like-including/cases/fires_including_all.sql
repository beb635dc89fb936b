CREATE TABLE public.users (
    id integer NOT NULL,
    email text DEFAULT ''::text NOT NULL,
    "Display Name" character varying(80) COLLATE "C",
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT email_lower CHECK ((email = lower(email)))
);

ALTER TABLE ONLY public.users ADD CONSTRAINT users_email_key UNIQUE (email);

CREATE INDEX users_name_idx ON public.users USING btree ("Display Name");

CREATE TABLE public.users_archive (
    LIKE public.users INCLUDING ALL,
    archived_at timestamp with time zone NOT NULL
);

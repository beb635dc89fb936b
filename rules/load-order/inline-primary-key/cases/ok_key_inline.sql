-- The key is already declared in CREATE TABLE.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);

CREATE TABLE public.roles (id integer PRIMARY KEY, name text);

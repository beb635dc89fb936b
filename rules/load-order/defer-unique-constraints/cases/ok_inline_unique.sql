-- Unique constraints declared in CREATE TABLE, and unique indexes, are not ALTER-added constraints.
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    email text UNIQUE,
    login text,
    CONSTRAINT users_login_key UNIQUE (login)
);

CREATE UNIQUE INDEX users_lower_email_idx ON public.users USING btree (lower(email));

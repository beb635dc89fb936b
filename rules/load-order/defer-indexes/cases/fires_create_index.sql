-- With indexes in the defer policy, CREATE INDEX moves after the data.
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    email text,
    created_at timestamp with time zone
);

CREATE INDEX users_email_idx ON public.users USING btree (email);

CREATE UNIQUE INDEX users_lower_email_idx ON public.users USING btree (lower(email));

-- A full dump: pg_dump creates indexes after the data; they stay after it.
CREATE TABLE public.users (
    id integer NOT NULL,
    email text
);

COPY public.users (id, email) FROM stdin;
1	a@example.com
2	b@example.com
\.

CREATE INDEX users_email_idx ON public.users USING btree (email);

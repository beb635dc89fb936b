-- Hand-written and migration-tool spellings.
CREATE TABLE public.users (id bigint PRIMARY KEY, email text);
CREATE INDEX users_email_idx ON public.users (email);
CREATE INDEX users_email_idx2 ON public.users (email);
CREATE INDEX users_email_idx3 ON public.users (email);

DROP INDEX CONCURRENTLY public.users_email_idx;
drop index concurrently if exists users_email_idx2;
DROP INDEX
    CONCURRENTLY "users_email_idx3" RESTRICT;

-- DROP INDEX without the keyword, and an index named concurrently.
CREATE TABLE public.users (id bigint PRIMARY KEY, email text);
CREATE INDEX concurrently ON public.users (email);
CREATE INDEX users_email_idx ON public.users (email);
DROP INDEX public.users_email_idx;
DROP INDEX IF EXISTS public.concurrently;

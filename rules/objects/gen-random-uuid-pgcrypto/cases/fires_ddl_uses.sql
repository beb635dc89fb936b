-- A PostgreSQL 13+ dump: pgcrypto is created once, before the first statement that calls
-- gen_random_uuid() (a SQL function, a default, a CHECK, a view).
SELECT pg_catalog.set_config('search_path', '', false);
CREATE FUNCTION public.new_id() RETURNS uuid LANGUAGE sql AS $$ SELECT gen_random_uuid() $$;
CREATE TABLE public.sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    token uuid
);
ALTER TABLE public.sessions ADD CONSTRAINT sessions_token_check CHECK (token <> gen_random_uuid());
CREATE VIEW public.fresh AS SELECT gen_random_uuid() AS id;

CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE sql AS $$ SELECT md5(random()::text)::uuid $$;
CREATE TABLE public.sessions (id uuid DEFAULT gen_random_uuid() NOT NULL);

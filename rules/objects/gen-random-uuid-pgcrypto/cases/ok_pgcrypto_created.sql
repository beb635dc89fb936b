-- The input creates pgcrypto itself (a PostgreSQL 12 dump); a function of the input's own.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE TABLE public.sessions (id uuid DEFAULT public.gen_random_uuid() NOT NULL);
CREATE TABLE public.other (id uuid DEFAULT gen_random_uuid() NOT NULL);

-- Forms ZNbaseDB supports: owner changes and enum values (pg_dump and hand-written migrations).
CREATE TYPE public.mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
ALTER TYPE public.mpaa_rating OWNER TO postgres;
ALTER TYPE public.mpaa_rating ADD VALUE 'X' AFTER 'NC-17';
ALTER TYPE public.mpaa_rating RENAME VALUE 'X' TO 'XXX';

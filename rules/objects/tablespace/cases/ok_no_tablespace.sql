-- pg_dump resets default_tablespace to the database default; nothing names a tablespace.
SET default_tablespace = '';

CREATE TABLE public.hits (id bigint PRIMARY KEY, url text);

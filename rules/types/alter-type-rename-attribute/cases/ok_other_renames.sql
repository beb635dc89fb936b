-- Renames ZNbaseDB supports: the type itself, an enum value, a table's column.
CREATE TYPE public.address AS (street text, town text);
ALTER TYPE public.address RENAME TO postal_address;
CREATE TYPE public.mood AS ENUM ('sad', 'happy');
ALTER TYPE public.mood RENAME VALUE 'sad' TO 'blue';
CREATE TABLE public.t (id integer PRIMARY KEY, town text);
ALTER TABLE public.t RENAME COLUMN town TO city;

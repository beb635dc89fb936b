-- The forms ZNbaseDB supports: owner, rename, enum values (BEFORE / AFTER too).
CREATE TYPE public.mood AS ENUM ('sad', 'happy');
ALTER TYPE public.mood ADD VALUE 'ok' BEFORE 'happy';
ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy';
ALTER TYPE public.mood RENAME VALUE 'sad' TO 'blue';
CREATE TYPE public.address AS (street text, city text);
ALTER TYPE public.address RENAME TO postal_address;
ALTER TABLE public.t ADD COLUMN zip text;

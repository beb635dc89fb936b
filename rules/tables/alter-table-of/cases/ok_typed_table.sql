-- A typed table created with OF, and an ALTER TABLE that sets a default on it.
CREATE TYPE public.person AS (
    name text,
    born date
);

CREATE TABLE public.staff OF public.person (
    name WITH OPTIONS NOT NULL
);

ALTER TABLE public.staff ALTER COLUMN born SET DEFAULT CURRENT_DATE;

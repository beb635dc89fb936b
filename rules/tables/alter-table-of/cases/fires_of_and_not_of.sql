-- Linking one table to a type and unlinking a typed table.
CREATE TYPE public.person AS (
    name text,
    born date
);

CREATE TABLE public.people (
    name text,
    born date
);

CREATE TABLE public."Staff" OF public.person;

ALTER TABLE public.people OF public.person;

ALTER TABLE ONLY public."Staff" NOT OF;

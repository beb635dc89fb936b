-- ICU and libc collations, qualified and not, on scalar and array columns.
CREATE TABLE public.people (
    id bigint NOT NULL,
    name text COLLATE pg_catalog."de-DE-x-icu" NOT NULL,
    city character varying(80) COLLATE "en_US",
    aliases text[] COLLATE public.german
);

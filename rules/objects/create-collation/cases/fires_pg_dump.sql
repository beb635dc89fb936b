-- pg_dump writes user collations before the tables; both forms of CREATE COLLATION.
CREATE COLLATION public.german (provider = icu, locale = 'de-DE');

ALTER COLLATION public.german OWNER TO postgres;

CREATE COLLATION public.c_copy FROM "C";

-- pg_dump qualifies the collation; hand-written DDL often does not.
CREATE TABLE public.tags (
    id bigint NOT NULL,
    name character varying(50) COLLATE pg_catalog."C" NOT NULL,
    slug text COLLATE "POSIX",
    label text COLLATE "default"
);

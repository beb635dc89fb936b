-- pg_dump (openstreetmap-website): GiST on an inet column, and a multi-column GiST with a comment.
CREATE TABLE public.acls (
    id bigint NOT NULL,
    address inet,
    k character varying NOT NULL
);

CREATE TABLE public.changesets (
    id bigint NOT NULL,
    min_lat integer,
    max_lat integer,
    min_lon integer,
    max_lon integer,
    created_at timestamp without time zone NOT NULL
);

CREATE INDEX index_acls_on_address ON public.acls USING gist (address inet_ops);

CREATE INDEX changesets_bbox_idx ON public.changesets USING gist (min_lat, max_lat, min_lon, max_lon);

COMMENT ON INDEX public.changesets_bbox_idx IS 'bounding-box search';

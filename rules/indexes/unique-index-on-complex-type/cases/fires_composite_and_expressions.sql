-- Unique indexes on a composite type of unindexable attributes and on expressions of such types.
CREATE TYPE public.geo AS (lat_lon point, label text);

CREATE TABLE public.places (id bigint NOT NULL, spot public.geo, doc text);

CREATE UNIQUE INDEX places_spot_key ON public.places USING btree (spot);

create unique index places_doc_key on places ((doc::jsonb));

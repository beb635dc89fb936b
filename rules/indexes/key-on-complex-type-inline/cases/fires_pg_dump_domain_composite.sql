-- pg_dump spelling: a table constraint inside CREATE TABLE over a domain and a composite type
-- defined in the same dump (keys pg_dump writes inline: partitioned tables' keys, typed tables).
CREATE DOMAIN public.payload AS json;

CREATE DOMAIN public.window_t AS tstzrange
	CONSTRAINT window_t_check CHECK ((NOT isempty(VALUE)));

CREATE DOMAIN public.nested AS public.payload;

CREATE TYPE public.geo AS (
	pos point,
	label text
);

CREATE TYPE public.floatrange AS RANGE (
    subtype = double precision
);

CREATE TABLE public.events (
    id bigint NOT NULL,
    body public.payload NOT NULL,
    CONSTRAINT events_body_key UNIQUE (body)
);

CREATE TABLE public.slots (
    slot public.window_t NOT NULL,
    CONSTRAINT slots_pkey PRIMARY KEY (slot)
)
PARTITION BY RANGE (slot);

CREATE TABLE public.sites (
    site public.geo,
    CONSTRAINT sites_site_key UNIQUE (site)
);

CREATE TABLE public.deep (v public.nested PRIMARY KEY);

CREATE TABLE public.measures (r public.floatrange PRIMARY KEY);

ALTER TABLE public.events OWNER TO app;

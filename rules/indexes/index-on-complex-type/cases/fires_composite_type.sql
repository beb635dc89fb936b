-- A column of a composite type the input defines, whose attributes ZNbaseDB cannot index (pg_dump).
CREATE TYPE public.address AS (
    street text,
    location point
);

CREATE DOMAIN public.settings_doc AS jsonb;

CREATE TYPE public.slot AS RANGE (
    subtype = integer
);

CREATE TABLE public.sites (
    id bigint NOT NULL,
    addr public.address,
    settings public.settings_doc,
    slots public.slot
);

CREATE INDEX sites_addr_idx ON public.sites USING btree (addr);

CREATE INDEX sites_settings_idx ON public.sites USING btree (settings);

CREATE INDEX sites_slots_idx ON public.sites USING btree (slots);

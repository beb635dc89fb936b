-- pg_dump: keys added by ALTER TABLE on columns of a domain over jsonb and of a composite type with an inet attribute.
CREATE DOMAIN public.doc AS jsonb;

CREATE TYPE public.endpoint AS (
	host inet,
	port integer
);

CREATE TABLE public.docs (
    body public.doc NOT NULL
);

CREATE TABLE public.listeners (
    ep public.endpoint NOT NULL
);

ALTER TABLE ONLY public.docs
    ADD CONSTRAINT docs_pkey PRIMARY KEY (body);

ALTER TABLE ONLY public.listeners
    ADD CONSTRAINT listeners_ep_key UNIQUE (ep);

-- pg_dump: a child table with its data, a key and a comment; all of it follows the table.
CREATE TABLE public.cities (
    name text NOT NULL,
    population real,
    elevation integer
);

CREATE TABLE public.capitals (
    state character(2) NOT NULL
)
INHERITS (public.cities);

COMMENT ON TABLE public.capitals IS 'State capitals';

COPY public.cities (name, population, elevation) FROM stdin;
Las Vegas	603488	2174
\.

COPY public.capitals (name, population, elevation, state) FROM stdin;
Sacramento	524943	30	CA
\.

ALTER TABLE ONLY public.cities
    ADD CONSTRAINT cities_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.capitals
    ADD CONSTRAINT capitals_pkey PRIMARY KEY (name);

CREATE INDEX capitals_state_idx ON public.capitals USING btree (state);

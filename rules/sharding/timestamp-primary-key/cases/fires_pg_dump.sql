-- pg_dump adds keys after the tables: a timestamptz, a timestamp and a date key.
CREATE TABLE public.events (
    logged_at timestamp with time zone NOT NULL,
    payload jsonb
);

CREATE TABLE public.readings (
    taken_at timestamp without time zone NOT NULL,
    value double precision
);

CREATE TABLE public.daily_totals (
    day date NOT NULL,
    total numeric
);

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (logged_at);

ALTER TABLE ONLY public.readings
    ADD CONSTRAINT readings_pkey PRIMARY KEY (taken_at);

ALTER TABLE ONLY public.daily_totals
    ADD CONSTRAINT daily_totals_pkey PRIMARY KEY (day);

-- Column-level and table-level keys on one timestamp or date column.
CREATE TABLE public.events (
    logged_at timestamptz PRIMARY KEY,
    payload jsonb
);

CREATE TABLE public.daily_totals (
    day date NOT NULL,
    total numeric,
    CONSTRAINT daily_totals_pkey PRIMARY KEY (day)
);

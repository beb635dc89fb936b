COPY public.events FROM '/data/e.csv' (FORMAT csv, ON_ERROR ignore);

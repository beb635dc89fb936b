COPY public.events FROM '/data/e.csv' (FORMAT csv, HEADER true);

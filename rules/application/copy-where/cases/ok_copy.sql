COPY public.events (id, kind) FROM '/data/e.csv' (FORMAT csv);

COPY public.events (id, kind) FROM '/data/e.csv' (FORMAT csv) WHERE id > 100;

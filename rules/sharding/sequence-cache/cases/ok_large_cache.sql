-- Sequences that already cache at least the block size ZNbaseDB uses.
CREATE SEQUENCE public.events_id_seq CACHE 100;

CREATE SEQUENCE public.hits_id_seq START WITH 1 INCREMENT BY 1 CACHE 10000;

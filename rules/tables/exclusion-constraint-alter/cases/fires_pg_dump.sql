-- pg_dump: btree_gist and an exclusion constraint with a comment on it.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TABLE public.reservations (
    id bigint NOT NULL,
    room_id integer NOT NULL,
    during tstzrange NOT NULL
);

ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.reservations
    ADD CONSTRAINT reservations_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE ((room_id > 0));

COMMENT ON CONSTRAINT reservations_no_overlap ON public.reservations IS 'one booking per room at a time';

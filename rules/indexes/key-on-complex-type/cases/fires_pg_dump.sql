-- pg_dump: a unique constraint on inet and a primary key on a range, both added by ALTER TABLE.
CREATE TABLE public.ip_bans (
    id bigint NOT NULL,
    ip_addr inet NOT NULL,
    reason text
);

CREATE TABLE public."Room Bookings" (
    room integer NOT NULL,
    during tstzrange NOT NULL
);

ALTER TABLE ONLY public.ip_bans
    ADD CONSTRAINT index_ip_bans_on_ip_addr UNIQUE (ip_addr);

ALTER TABLE public."Room Bookings"
    ADD CONSTRAINT "Room Bookings_pkey" PRIMARY KEY (room, during),
    ALTER COLUMN room SET DEFAULT 0;

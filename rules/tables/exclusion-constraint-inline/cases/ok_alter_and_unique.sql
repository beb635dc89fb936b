-- Added by ALTER TABLE (ZN203's case), and a UNIQUE constraint inline.
CREATE TABLE public.rooms (
    id integer NOT NULL,
    name text UNIQUE,
    during tstzrange
);

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_no_overlap EXCLUDE USING gist (during WITH &&);

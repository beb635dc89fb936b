-- Other constraints added by ALTER TABLE, and an exclusion constraint inside CREATE TABLE (ZN204).
CREATE TABLE public.rooms (
    id integer NOT NULL,
    name text,
    during tstzrange,
    EXCLUDE USING gist (during WITH &&)
);

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_name_key UNIQUE (name);

ALTER TABLE ONLY public.rooms
    ADD CONSTRAINT rooms_id_check CHECK ((id > 0));

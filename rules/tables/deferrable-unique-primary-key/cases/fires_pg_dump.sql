-- pg_dump: a deferrable unique constraint added by ALTER TABLE.
CREATE TABLE public.playlist_items (
    id bigint NOT NULL,
    playlist_id integer NOT NULL,
    "position" integer NOT NULL
);

ALTER TABLE ONLY public.playlist_items
    ADD CONSTRAINT playlist_items_position_key UNIQUE (playlist_id, "position") DEFERRABLE INITIALLY DEFERRED;

-- A check added with ALTER TABLE ONLY (not inherited by children).
CREATE TABLE public.measurements (
    id integer PRIMARY KEY,
    celsius numeric
);

ALTER TABLE ONLY public.measurements
    ADD CONSTRAINT celsius_range CHECK (celsius >= -273.15);

-- Inline: a table-level primary key DEFERRABLE INITIALLY IMMEDIATE over several lines, and a
-- deferrable foreign key that stays.
CREATE TABLE public."Seats" (
    "Seat No" integer NOT NULL,
    row_label text NOT NULL,
    hall_id integer REFERENCES public.halls (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT "Seats_pkey" PRIMARY KEY (row_label, "Seat No")
        DEFERRABLE
        INITIALLY IMMEDIATE
);

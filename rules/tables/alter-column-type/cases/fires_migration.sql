-- A migration script: a widening (works) and a conversion with USING (needs 2.20), quoted names.
CREATE TABLE public."Users" (
    id integer NOT NULL,
    nickname character varying(50),
    "Age" text
);

ALTER TABLE public."Users" ALTER COLUMN nickname TYPE character varying(255);

ALTER TABLE ONLY public."Users"
    ALTER COLUMN "Age" SET DATA TYPE integer USING "Age"::integer,
    ALTER COLUMN "Age" SET NOT NULL;

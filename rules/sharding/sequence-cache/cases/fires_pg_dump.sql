-- pg_dump writes CACHE 1; hand-written sequences often leave it out or cache a little.
CREATE SEQUENCE public.actor_actor_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE SEQUENCE app.invoice_numbers;

CREATE SEQUENCE app.small_cache CACHE 20;

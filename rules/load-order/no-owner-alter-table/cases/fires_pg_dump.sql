-- pg_dump: an OWNER TO after the table, the sequence and the view.
CREATE TABLE public.actor (
    actor_id integer NOT NULL,
    first_name text NOT NULL,
    last_update timestamp with time zone DEFAULT now() NOT NULL
);


ALTER TABLE public.actor OWNER TO postgres;

CREATE SEQUENCE public.actor_actor_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.actor_actor_id_seq OWNER TO postgres;

ALTER SEQUENCE public.actor_actor_id_seq OWNED BY public.actor.actor_id;

CREATE VIEW public."Actor names" AS
 SELECT actor.first_name
   FROM public.actor;


ALTER VIEW public."Actor names" OWNER TO "App Owner";

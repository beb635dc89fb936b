CREATE TABLE public."Film Actor" (
    actor_id integer NOT NULL,
    film_id integer NOT NULL,
    CONSTRAINT film_actor_pkey PRIMARY KEY (actor_id, film_id)
);

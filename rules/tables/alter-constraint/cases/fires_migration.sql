-- A Rails migration making a foreign key deferrable, and one making it immediate again.
CREATE TABLE public.users (
    id bigint NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);

CREATE TABLE public."Posts" (
    id bigint NOT NULL,
    user_id bigint,
    CONSTRAINT "fk_rails_Posts_user" FOREIGN KEY (user_id) REFERENCES public.users(id)
);

ALTER TABLE ONLY public."Posts"
    ALTER CONSTRAINT "fk_rails_Posts_user" DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE public."Posts" ALTER CONSTRAINT "fk_rails_Posts_user" NOT DEFERRABLE;

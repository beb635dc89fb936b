-- Rails structure.sql: deferrable foreign keys are supported; NOT DEFERRABLE is the default.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    CONSTRAINT users_email_key UNIQUE (email) NOT DEFERRABLE
);

CREATE TABLE public.posts (
    id bigint NOT NULL,
    creator_id bigint NOT NULL
);

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT fk_rails_0157a2fd88 FOREIGN KEY (creator_id) REFERENCES public.users(id) DEFERRABLE INITIALLY DEFERRED;

-- Declaring the foreign key deferrable where it is added is supported.
CREATE TABLE public.users (
    id bigint NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);

CREATE TABLE public.posts (
    id bigint NOT NULL,
    user_id bigint
);

ALTER TABLE ONLY public.posts
    ADD CONSTRAINT fk_rails_posts_user FOREIGN KEY (user_id) REFERENCES public.users(id) DEFERRABLE INITIALLY DEFERRED;

-- pg_dump adds unique constraints with ALTER TABLE ONLY.
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    email text,
    tenant integer,
    login text
);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_tenant_login_key UNIQUE (tenant, login);

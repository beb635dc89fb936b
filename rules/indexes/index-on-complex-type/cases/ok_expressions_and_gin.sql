-- Expression keys over such columns, GIN on jsonb and arrays, and B-tree on scalar types.
CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    settings jsonb,
    roles text[],
    last_ip_addr inet
);

CREATE INDEX index_users_on_settings_status ON public.users USING btree (((settings ->> 'status'::text)));

CREATE INDEX index_users_on_last_ip_text ON public.users USING btree (((last_ip_addr)::text));

CREATE INDEX index_users_on_settings ON public.users USING gin (settings);

CREATE INDEX index_users_on_roles ON public.users USING gin (roles);

CREATE INDEX index_users_on_email ON public.users USING btree (email, id);

-- A unique index on jsonb is ZN313's.
CREATE UNIQUE INDEX index_users_on_settings_unique ON public.users USING btree (settings);

-- pg_dump (Rails structure.sql): B-tree indexes on inet, an array and a range; the unique one on jsonb is ZN313's.
CREATE TABLE public.users (
    id bigint NOT NULL,
    last_ip_addr inet,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    roles character varying[] DEFAULT '{}'::character varying[],
    active_during tstzrange
);

CREATE INDEX index_users_on_last_ip_addr ON public.users USING btree (last_ip_addr) WHERE (last_ip_addr IS NOT NULL);

CREATE UNIQUE INDEX index_users_on_settings ON public.users USING btree (settings);

CREATE INDEX index_users_on_id_and_roles ON public.users USING btree (id, roles);

CREATE INDEX users_active_during_idx ON public.users (active_during);

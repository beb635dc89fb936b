-- pg_dump: unique indexes on macaddr, on citext (an extension type) and on jsonb next to a scalar.
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

CREATE TABLE public.devices (
    id bigint NOT NULL,
    mac macaddr NOT NULL,
    "Host Name" public.citext,
    config jsonb
);

CREATE UNIQUE INDEX index_devices_on_mac ON public.devices USING btree (mac);

CREATE UNIQUE INDEX "Devices host name" ON public.devices ("Host Name") WHERE ("Host Name" IS NOT NULL);

CREATE UNIQUE INDEX devices_id_config_idx ON public.devices USING btree (id, config);

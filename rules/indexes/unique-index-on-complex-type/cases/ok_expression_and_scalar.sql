-- Unique indexes on an expression over such a column and on scalar columns; a non-unique one is ZN308's.
CREATE TABLE public.devices (
    id bigint NOT NULL,
    mac macaddr NOT NULL,
    serial text
);

CREATE UNIQUE INDEX index_devices_on_mac_text ON public.devices USING btree (((mac)::text));

CREATE UNIQUE INDEX index_devices_on_serial ON public.devices USING btree (serial, id);

CREATE INDEX index_devices_on_mac ON public.devices USING btree (mac);

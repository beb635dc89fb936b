-- citext from an extension, bit varying, interval and point, with quoted names.
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

CREATE TABLE "Net"."Hosts" (
    "Host Name" public.citext NOT NULL,
    flags bit varying(16),
    "Lease" interval,
    location point
);

CREATE INDEX "Hosts name" ON "Net"."Hosts" USING btree ("Host Name");

CREATE INDEX hosts_flags_lease_idx ON "Net"."Hosts" (flags, "Lease");

CREATE INDEX hosts_location_idx ON "Net"."Hosts" (location);

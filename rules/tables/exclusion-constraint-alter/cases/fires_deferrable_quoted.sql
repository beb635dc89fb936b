-- A deferrable exclusion constraint on a quoted table name.
CREATE TABLE "Booking"."Slots" ("Slot" int4range, "Desk" text);

ALTER TABLE "Booking"."Slots" ADD CONSTRAINT "Slots no overlap"
    EXCLUDE USING gist ("Slot" WITH &&) DEFERRABLE INITIALLY DEFERRED;

-- BRIN on a time column, SP-GiST on a point, lower case and quoted names.
CREATE TABLE "Telemetry"."Readings" (
    taken_at timestamptz NOT NULL,
    "Position" point
);

create index "Readings taken_at brin" on "Telemetry"."Readings" using BRIN (taken_at) with (pages_per_range = 32);

CREATE INDEX readings_position_idx
    ON "Telemetry"."Readings"
    USING spgist ("Position");

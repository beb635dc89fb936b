-- Converted from MySQL: PARTITION BY RANGE (YEAR(...)) with a unique key added later.
CREATE TABLE "Shop"."Orders" (
    id bigint NOT NULL,
    code text,
    ordered_on date NOT NULL
)
PARTITION BY RANGE (EXTRACT(year FROM ordered_on));

ALTER TABLE ONLY "Shop"."Orders"
    ADD CONSTRAINT "Orders_code_key" UNIQUE (code, ordered_on);

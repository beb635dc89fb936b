-- Converted from MySQL: LIST COLUMNS over two quoted columns.
CREATE TABLE "Inventory"."Stock" (
    "Warehouse" text NOT NULL,
    "Region" text NOT NULL,
    qty integer
) PARTITION BY LIST ("Warehouse", "Region");

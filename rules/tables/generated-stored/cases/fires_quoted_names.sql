CREATE TABLE app."Line Items" (
    "Qty" integer,
    unit_price numeric(10,2),
    "Total" numeric GENERATED ALWAYS AS (("Qty")::numeric * unit_price) STORED
);

COPY app."Line Items" ("Qty", unit_price) FROM stdin;
2	3.50
\.

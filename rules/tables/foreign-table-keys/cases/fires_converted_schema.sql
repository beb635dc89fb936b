-- A schema converted from another database: keys declared on foreign tables.
CREATE FOREIGN TABLE "Remote"."Customers" (
    "Id" bigint NOT NULL,
    email text,
    region_id integer REFERENCES public.regions (id),
    CONSTRAINT "Customers_pkey" PRIMARY KEY ("Id"),
    UNIQUE (email)
)
SERVER remote_erp
OPTIONS (table_name 'customers');

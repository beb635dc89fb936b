-- pg_dump: a foreign table with column options, its comment and its owner; the server is not in the dump.
CREATE FOREIGN TABLE public."Legacy Orders" (
    id bigint NOT NULL,
    total numeric OPTIONS (
    column_name 'order_total'
)
)
SERVER legacy
OPTIONS (
    schema_name 'public',
    table_name 'orders'
);

COMMENT ON FOREIGN TABLE public."Legacy Orders" IS 'read through postgres_fdw';

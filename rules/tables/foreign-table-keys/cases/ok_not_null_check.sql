-- NOT NULL and CHECK are accepted on foreign tables; keys on a regular table are fine.
CREATE FOREIGN TABLE public.legacy_orders (
    id bigint NOT NULL,
    total numeric CHECK (total >= 0)
)
SERVER legacy;

CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    code text UNIQUE
);

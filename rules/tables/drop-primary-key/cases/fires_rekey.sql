-- A migration that re-keys a table: drop the old key, add a composite one.
CREATE TABLE public."Order Lines" (
    order_id bigint NOT NULL,
    line_no integer NOT NULL,
    CONSTRAINT "Order Lines_pkey" PRIMARY KEY (order_id)
);

ALTER TABLE ONLY public."Order Lines"
    DROP CONSTRAINT IF EXISTS "Order Lines_pkey",
    ADD CONSTRAINT "Order Lines_pkey" PRIMARY KEY (order_id, line_no);

-- SET search_path, ALTER TABLE … SET (a column default) and RENAME are not schema moves.
SET search_path = archive, public;

CREATE TABLE orders (
    id bigint NOT NULL
);

ALTER TABLE orders ALTER COLUMN id SET DEFAULT 0;

ALTER TABLE orders RENAME TO orders_2019;

-- Tables created inside CREATE SCHEMA (hand-written scripts): pg_dump's spelling of the key and
-- hand-written ADD PRIMARY KEY, the table named qualified or through search_path, and the table
-- written qualified or not inside the schema, fold into its CREATE TABLE.
CREATE SCHEMA sales
    CREATE TABLE orders (
        id bigint NOT NULL,
        customer text
    )
    CREATE TABLE sales.lines (order_id bigint NOT NULL, line int NOT NULL)
    CREATE TABLE notes (id int NOT NULL, body text);

ALTER TABLE ONLY sales.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

ALTER TABLE sales.lines ADD PRIMARY KEY (order_id, line);

SET search_path = sales, public;
ALTER TABLE notes ADD CONSTRAINT notes_pkey PRIMARY KEY (id);

-- pg_dump: a disabled rule on a quoted table.
CREATE TABLE public."Orders" (
    id bigint NOT NULL,
    status text
);

CREATE TABLE public.orders_log (
    id bigint,
    status text
);

CREATE RULE "Orders log" AS
    ON UPDATE TO public."Orders" DO  INSERT INTO public.orders_log (id, status)
  VALUES (new.id, new.status);

ALTER TABLE public."Orders" DISABLE RULE "Orders log";

-- Inline: a column-level primary key and a table-level unique constraint with parameters.
CREATE TABLE public.accounts (
    id bigint PRIMARY KEY WITH (fillfactor = 90),
    handle text NOT NULL,
    CONSTRAINT "Accounts handle" UNIQUE (handle) WITH (fillfactor = 70, deduplicate_items = off)
);

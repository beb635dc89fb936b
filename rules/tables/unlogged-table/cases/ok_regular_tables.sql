-- A regular table with a column named "unlogged", and a temporary table.
CREATE TABLE public.tailnet_peers (
    id uuid NOT NULL,
    unlogged boolean DEFAULT false NOT NULL
);

CREATE TEMPORARY TABLE scratch (
    id integer
);

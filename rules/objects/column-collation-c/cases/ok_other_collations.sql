-- No collation, or a collation that changes ordering (left to ZN605).
CREATE TABLE public.people (
    id bigint PRIMARY KEY,
    name text,
    city text COLLATE "de_DE"
);

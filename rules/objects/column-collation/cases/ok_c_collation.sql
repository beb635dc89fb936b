-- No collation, or one that sorts like the database (left to ZN604).
CREATE TABLE public.tags (
    id bigint PRIMARY KEY,
    name text,
    slug text COLLATE "C"
);

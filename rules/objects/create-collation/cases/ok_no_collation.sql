-- No CREATE COLLATION: nothing to drop (column COLLATE clauses are other rules' business).
CREATE TABLE public.names (id bigint PRIMARY KEY, name text);

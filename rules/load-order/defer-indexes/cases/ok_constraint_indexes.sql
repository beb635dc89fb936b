-- Indexes that come with PRIMARY KEY and UNIQUE constraints are not CREATE INDEX statements.
CREATE TABLE public.users (
    id integer PRIMARY KEY,
    email text UNIQUE
);

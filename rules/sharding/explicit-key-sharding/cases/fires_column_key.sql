CREATE TABLE public.t (id integer CONSTRAINT t_id_pk PRIMARY KEY, name text);
CREATE TABLE public.u (
    id bigint PRIMARY KEY
);

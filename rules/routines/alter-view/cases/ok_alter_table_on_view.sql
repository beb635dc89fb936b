-- pg_dump changes a view's owner with ALTER TABLE, which ZNbaseDB accepts.
CREATE VIEW public.active_users AS SELECT 1 AS id;

ALTER TABLE public.active_users OWNER TO postgres;

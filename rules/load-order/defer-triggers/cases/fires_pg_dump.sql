-- A trigger function, its table and the trigger, as pg_dump writes them.
CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE public.posts (
    id integer PRIMARY KEY,
    updated_at timestamp with time zone
);

CREATE TRIGGER posts_touch BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION public.touch();

-- ALTER TABLE … OWNER TO is ZN108's; ALTER FUNCTION … SET is not an owner change.
CREATE TABLE public.staff (
    staff_id integer NOT NULL
);

ALTER TABLE public.staff OWNER TO postgres;

CREATE FUNCTION public.now_utc() RETURNS timestamp without time zone
    LANGUAGE sql STABLE
    AS $$ SELECT now() AT TIME ZONE 'utc' $$;

ALTER FUNCTION public.now_utc() SET search_path TO 'pg_catalog';

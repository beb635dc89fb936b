-- A PostgreSQL 18 schema: the functions in defaults, a CHECK, a view and an index expression.
CREATE TABLE public.events (
    id uuid DEFAULT uuidv7() NOT NULL,
    body bytea,
    tags text[],
    CONSTRAINT events_tags_check CHECK ((array_sort(tags) = tags))
);
CREATE VIEW public.event_keys AS
 SELECT crc32(body) AS k, crc32c(body) AS k2, casefold(array_to_string(array_reverse(tags), ',')) AS t, random(1, 6) AS die
   FROM public.events;
CREATE INDEX events_crc_idx ON public.events USING btree (crc32(body));
SELECT to_bin(5), erf(0.5), gamma(3), uuid_extract_version(gen_random_uuid());

-- Types ZNbaseDB supports, including ones whose names resemble the unsupported ones.
CREATE TABLE public.points (
    id bigint PRIMARY KEY,
    location point,
    area box,
    body text,
    doc jsonb,
    xml_text text,
    lots integer[],
    lsn_as_text text
);

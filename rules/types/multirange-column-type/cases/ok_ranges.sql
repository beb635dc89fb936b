-- Plain range types and arrays of ranges load on every target.
CREATE TABLE public.calendar (
    id integer PRIMARY KEY,
    busy tstzrange,
    days daterange[],
    slots int4range
);

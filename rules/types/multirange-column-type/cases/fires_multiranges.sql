-- Every built-in multirange type, one of them as an array.
CREATE TABLE public.calendar (
    id integer NOT NULL,
    busy tstzmultirange,
    days datemultirange,
    slots int4multirange,
    big_slots int8multirange,
    amounts nummultirange,
    local_busy tsmultirange[]
);

-- The key is declared in the partitioned table's CREATE TABLE; a UNIQUE added later is not a primary key.
CREATE TABLE public.measurements (
    city_id integer NOT NULL,
    logdate date NOT NULL,
    peaktemp integer,
    CONSTRAINT measurements_pkey PRIMARY KEY (city_id, logdate)
)
PARTITION BY RANGE (logdate);

ALTER TABLE ONLY public.measurements
    ADD CONSTRAINT measurements_peak_key UNIQUE (logdate, peaktemp);

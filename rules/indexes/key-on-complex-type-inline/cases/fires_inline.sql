-- Hand-written: keys declared inside CREATE TABLE, as column and table constraints.
CREATE TABLE public.shifts (
    worker integer NOT NULL,
    length interval PRIMARY KEY
);

CREATE TABLE public.bookings (
    room integer NOT NULL,
    during tstzrange NOT NULL,
    PRIMARY KEY (room, during)
);

CREATE TABLE seats (id int4range UNIQUE, note text);

create table prices (band numrange, CONSTRAINT prices_band_key UNIQUE (band));

CREATE TABLE spans (d daterange primary key);
CREATE TABLE ticks (t tsrange, k int8range, UNIQUE (t));
CREATE TABLE big_spans (k int8range PRIMARY KEY);

CREATE TABLE docs (body json PRIMARY KEY);
CREATE TABLE hw (mac macaddr8 UNIQUE);
CREATE TABLE places (p point, CONSTRAINT places_pkey PRIMARY KEY (p));
CREATE TABLE search (v tsvector UNIQUE, q tsquery);
CREATE TABLE queries (q tsquery PRIMARY KEY);
CREATE TABLE tagged (tags text[] PRIMARY KEY);
CREATE TABLE periods (ps interval[] UNIQUE);

-- The rows of the tables above need them: they move too.
INSERT INTO docs VALUES ('{}');

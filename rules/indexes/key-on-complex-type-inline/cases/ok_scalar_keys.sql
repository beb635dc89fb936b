-- Keys on indexable types, domains and composite types over them, and complex columns that are not keys.
CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');

CREATE TYPE public.money_pair AS (amount numeric, currency char(3));

CREATE TABLE public.users (
    id bigint PRIMARY KEY,
    email public.email UNIQUE,
    prefs jsonb,
    seen interval,
    during tstzrange,
    tags text[]
);

CREATE TABLE public.accounts (
    id uuid NOT NULL,
    balance public.money_pair,
    CONSTRAINT accounts_pkey PRIMARY KEY (id)
);

CREATE TABLE public.bookings (
    room integer,
    during tstzrange,
    CONSTRAINT bookings_check CHECK (NOT isempty(during)),
    CONSTRAINT bookings_room_fkey FOREIGN KEY (room) REFERENCES public.users(id)
);

-- A table named like a built-in type does not make a column of that type complex.
CREATE TABLE public.point (x integer PRIMARY KEY);
CREATE TABLE public.marks (p integer PRIMARY KEY);

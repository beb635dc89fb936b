-- A collation, the statements that change or use it, and a table that does not need it.
CREATE COLLATION public.german_phonebook (provider = icu, locale = 'de-u-co-phonebk');
COMMENT ON COLLATION public.german_phonebook IS 'phone book order';
ALTER COLLATION public.german_phonebook REFRESH VERSION;
CREATE TABLE public.people (id int PRIMARY KEY, name text COLLATE public.german_phonebook);
CREATE TABLE public.places (id int PRIMARY KEY, name text);

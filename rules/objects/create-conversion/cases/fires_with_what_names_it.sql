-- A hand-written script: the conversion, then statements that rename, own and comment on it;
-- they cannot load without it, so they follow it to unsupported.sql.
CREATE CONVERSION myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
COMMENT ON CONVERSION myconv IS 'legacy import';
ALTER CONVERSION myconv OWNER TO CURRENT_USER;
ALTER CONVERSION myconv RENAME TO myconv_latin1;
CREATE TABLE public.imported (id int PRIMARY KEY, line text);

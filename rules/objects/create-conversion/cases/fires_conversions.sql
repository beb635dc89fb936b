-- A default conversion and a plain one, as pg_dump writes them.
CREATE DEFAULT CONVERSION public.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

CREATE CONVERSION app.win_to_utf8 FOR 'WIN1252' TO 'UTF8' FROM win1252_to_utf8;

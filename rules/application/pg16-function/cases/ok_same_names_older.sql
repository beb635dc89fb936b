-- random() without bounds, reverse(), and functions of the input's own named like newer ones.
CREATE FUNCTION app.crc32(bytea) RETURNS bigint LANGUAGE sql AS $$ SELECT 0::bigint $$;
SELECT random(), reverse('abc'), app.crc32('\x00'::bytea);

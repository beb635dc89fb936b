-- pg_dump writes C functions with the library path and the link symbol.
CREATE FUNCTION public.fast_hash(text) RETURNS bigint
    LANGUAGE c IMMUTABLE STRICT
    AS '$libdir/fast_hash', 'fast_hash';

CREATE OR REPLACE FUNCTION public.gbtreekey_in(cstring) RETURNS public.gbtreekey
    LANGUAGE C IMMUTABLE STRICT
    AS '/usr/lib/postgresql/15/lib/btree_gist', 'gbtreekey_in';

-- pg_dump writes the option as a quoted literal; hand-written DDL often as a keyword.
CREATE COLLATION public.case_insensitive (provider = icu, deterministic = false, locale = 'und-u-ks-level2');

CREATE COLLATION public.accent_insensitive (provider = icu, locale = 'und-u-ks-level1-kc-true', deterministic = 'false');

-- Deterministic collations (by default or explicitly) are left to the other collation rules.
CREATE COLLATION public.german (provider = icu, locale = 'de-DE');

CREATE COLLATION public.german_phone (provider = icu, locale = 'de-u-co-phonebk', deterministic = true);

-- pg_dump 12+ writes the option only when it is false; hand-written DDL may spell out the default.
CREATE COLLATION public.german (provider = icu, locale = 'de-DE', deterministic = true);

CREATE COLLATION public.french (provider = icu, locale = 'fr-FR', deterministic = 'yes');

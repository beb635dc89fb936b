-- Without the option, or nondeterministic (ZN602's business).
CREATE COLLATION public.german (provider = icu, locale = 'de-DE');

CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
